// Damage behind a storage's back (bytes overwritten, file truncated) is caught on read against the size and
// CRC32 in the file ID: never served as good, repaired from the group's other member, and the client falls
// over to the good replica. Real tracker + two storages; the damage is done to one member's files on disk.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync, statSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Errno } from '../../src/errors.js';
import { FdfsClient } from '../../src/client/index.js';
import { Connection } from '../../src/net/connection.js';
import { StorageCmd } from '../../src/protocol/codes.js';
import { splitFileId } from '../../src/protocol/file-id.js';
import { encodeDownloadRequest } from '../../src/protocol/storage-file.js';
import { startTwoMemberGroup, stopAll, waitFor, type TwoMemberGroup } from '../helpers/cluster.js';
import { downloadAt, fileInfoAt, outcomeOf } from '../helpers/storage-direct.js';

let g: TwoMemberGroup;

beforeAll(async () => {
  g = await startTwoMemberGroup({ storageConf: { 'http.server_port': 8888 } });
});

afterAll(async () => {
  g?.client.close();
  await stopAll([g?.s1, g?.s2, g?.tracker]);
});

/** Upload, wait until both members hold it; returns the ID and the path of the copy on s1. */
async function replicated(content: Buffer): Promise<{ id: string; onS1: string }> {
  const id = await g.client.upload(content, { ext: 'bin' });
  for (const s of [g.s1, g.s2]) await waitFor(`replica on ${s.address}`, () => fileInfoAt(s.address, id));
  return { id, onS1: path.join(g.s1.dir, 'data', splitFileId(id).logical.slice(4)) };
}

async function rangeAt(address: string, fileId: string, offset: number, length: number): Promise<Buffer> {
  const { group, logical } = splitFileId(fileId);
  const [host, port] = address.split(':') as [string, string];
  const c = await Connection.connect(host, Number(port), { connectTimeout: 5, networkTimeout: 20 });
  try {
    return await c.call(encodeDownloadRequest({ group, filename: logical, fileOffset: offset, downloadBytes: length }),
      { cmd: StorageCmd.DownloadFile, maxBody: length });
  } finally {
    c.destroy();
  }
}

function flipped(b: Buffer): Buffer {
  const bad = Buffer.from(b);
  bad[bad.length >> 1] ^= 0xff;
  return bad;
}

function damage(file: string, original: Buffer): void {
  const bad = Buffer.from(original);
  bad[Math.floor(bad.length / 2)] ^= 0xff;
  writeFileSync(file, bad);
}


describe('a damaged small copy', () => {
  it('is repaired from the peer while the reader waits, and served with the right bytes', async () => {
    const content = randomBytes(4096);
    const { id, onS1 } = await replicated(content);
    damage(onS1, content);
    expect((await downloadAt(g.s1.address, id)).equals(content)).toBe(true);
    expect(readFileSync(onS1).equals(content)).toBe(true);
  });

  it('a truncated copy too, also for a range read', async () => {
    const content = randomBytes(10_000);
    const { id, onS1 } = await replicated(content);
    truncateSync(onS1, 100);
    const part = await rangeAt(g.s1.address, id, 5000, 100);
    expect(part.equals(content.subarray(5000, 5100))).toBe(true);
    expect(readFileSync(onS1).equals(content)).toBe(true);
  });

  it('answers EIO when no member has a good copy, and keeps serving other files', async () => {
    const content = randomBytes(2048);
    const { id, onS1 } = await replicated(content);
    damage(onS1, content);
    damage(path.join(g.s2.dir, 'data', splitFileId(id).logical.slice(4)), content);
    expect(await outcomeOf(downloadAt(g.s1.address, id))).toBe(Errno.EIO);
    expect(await outcomeOf(g.client.downloadToBuffer(id))).toBe(Errno.EIO);
    const fine = randomBytes(100);
    expect((await g.client.downloadToBuffer(await g.client.upload(fine))).equals(fine)).toBe(true);
  });
});

describe('a damaged large copy', () => {
  it('is never sent whole: the reply is cut short, the copy is repaired in the background', async () => {
    const content = randomBytes(3 * 1024 * 1024 + 5);
    const { id, onS1 } = await replicated(content);
    damage(onS1, content);
    const first = await outcomeOf(downloadAt(g.s1.address, id));
    expect(first).not.toBe('ok');
    await waitFor('repaired copy', async () => readFileSync(onS1).equals(content));
    expect((await downloadAt(g.s1.address, id)).equals(content)).toBe(true);
  });

  it('with the wrong size: EIO at once (nothing sent), and the client reads the other replica', async () => {
    const content = randomBytes(2 * 1024 * 1024);
    const { id, onS1 } = await replicated(content);
    const stamp = Math.floor(Date.now() / 1000);
    truncateSync(onS1, 1024 * 1024);
    utimesSync(onS1, stamp, stamp);
    expect(await outcomeOf(downloadAt(g.s1.address, id))).toBe(Errno.EIO);
    // Whichever member the tracker picks, the client ends with the right bytes.
    for (let i = 0; i < 4; i++) expect((await g.client.downloadToBuffer(id)).equals(content)).toBe(true);
    await waitFor('repaired copy', async () => readFileSync(onS1).equals(content));
  });
});

describe('a copy missing on one member', () => {
  it('is read from the other replica by the client', async () => {
    const content = randomBytes(5000);
    const { id } = await replicated(content);
    const source = (g.client.decodeFileId(id).source as { ipv4: string }).ipv4 === g.s1.host ? g.s1 : g.s2;
    rmSync(path.join(source.dir, 'data', splitFileId(id).logical.slice(4)));
    // The tracker sends reads of a new file to its source, the member that lacks it now.
    for (let i = 0; i < 3; i++) expect((await g.client.downloadToBuffer(id)).equals(content)).toBe(true);
  });

  it('is reported to the tracker and fetched back by the member that answered ENOENT: a stock client\'s single reads succeed', async () => {
    const content = randomBytes(7000);
    const { id } = await replicated(content);
    const source = (g.client.decodeFileId(id).source as { ipv4: string }).ipv4 === g.s1.host ? g.s1 : g.s2;
    const copy = path.join(source.dir, 'data', splitFileId(id).logical.slice(4));
    rmSync(copy);
    expect(await outcomeOf(downloadAt(source.address, id))).toBe(Errno.ENOENT);
    await waitFor('the tracker told', async () => /member lacks files: reads go to other members/.test(g.tracker.proc.output));
    await waitFor('the copy fetched back', async () => existsSync(copy) && readFileSync(copy).equals(content));
    // As a stock client reads: ask the tracker (102), read once from the storage it names.
    for (let i = 0; i < 4; i++) {
      const t = await g.client.queryFetch(id);
      expect((await downloadAt(`${t.ip}:${t.port}`, id)).equals(content)).toBe(true);
    }
  });
});

describe('over HTTP', () => {
  const url = (host: string, id: string) => `http://${host}:8888/${id}`;

  it('a damaged small copy is repaired before the answer: 200 with the right bytes', async () => {
    const content = randomBytes(3000);
    const { id, onS1 } = await replicated(content);
    damage(onS1, content);
    const r = await fetch(url(g.s1.host, id));
    expect(r.status).toBe(200);
    expect(Buffer.from(await r.arrayBuffer()).equals(content)).toBe(true);
    expect(readFileSync(onS1).equals(content)).toBe(true);
  });

  it('a damaged large copy answers 503 with Retry-After, then 200 once repaired', async () => {
    const content = randomBytes(1024 * 1024 + 1);
    const { id, onS1 } = await replicated(content);
    damage(onS1, content);
    const r = await fetch(url(g.s1.host, id));
    expect(r.status).toBe(503);
    expect(r.headers.get('retry-after')).toBe('5');
    await r.arrayBuffer();
    await waitFor('repaired copy', async () => readFileSync(onS1).equals(content));
    const again = await fetch(url(g.s1.host, id));
    expect(again.status).toBe(200);
    expect(Buffer.from(await again.arrayBuffer()).equals(content)).toBe(true);
  });

  it('a removed copy answers 404 once, and is fetched back from the peer', async () => {
    const content = randomBytes(4000);
    const { id, onS1 } = await replicated(content);
    rmSync(onS1);
    const r = await fetch(url(g.s1.host, id));
    expect(r.status).toBe(404);
    await r.arrayBuffer();
    await waitFor('the copy fetched back', async () => existsSync(onS1) && readFileSync(onS1).equals(content));
    const again = await fetch(url(g.s1.host, id));
    expect(again.status).toBe(200);
    expect(Buffer.from(await again.arrayBuffer()).equals(content)).toBe(true);
  });

  it('counts what it found and repaired on /metrics (the workers\' repairs too)', async () => {
    const line = (text: string, event: string) => Number(new RegExp(`fdfs_storage_integrity_total\\{[^}]*event="${event}"[^}]*\\} (\\d+)`).exec(text)?.[1] ?? -1);
    const text = await waitFor('repairs on /metrics', async () => {
      const t = await (await fetch(`http://${g.s1.host}:8888/metrics`)).text();
      return line(t, 'repaired') >= 1 ? t : null;
    });
    expect(line(text, 'damaged')).toBeGreaterThanOrEqual(line(text, 'repaired'));
  });
});

describe('a large copy checked once, then rewritten in place with its mtime put back', () => {
  it('is checked again (its ctime moved) and not sent whole', async () => {
    const content = randomBytes(2 * 1024 * 1024);
    const { id, onS1 } = await replicated(content);
    // Not as fdfs wrote it (another mtime): the first full read checks it and remembers it as good. Both reads go
    // over one connection, so one process (worker) serves them.
    utimesSync(onS1, 1_000_000, 1_000_000);
    const { group, logical } = splitFileId(id);
    const c = await Connection.connect(g.s1.host, g.s1.port, { connectTimeout: 5, networkTimeout: 20 });
    const whole = () => c.call(encodeDownloadRequest({ group, filename: logical, fileOffset: 0, downloadBytes: 0 }),
      { cmd: StorageCmd.DownloadFile, maxBody: content.length });
    try {
      expect((await whole()).equals(content)).toBe(true);
      await new Promise((r) => setTimeout(r, 20));
      writeFileSync(onS1, flipped(content));
      utimesSync(onS1, 1_000_000, 1_000_000);
      expect(await outcomeOf(whole())).not.toBe('ok');
    } finally {
      c.destroy();
    }
  });
});

describe('a large copy never read, damaged in place with its times put back exactly', () => {
  /** A replicated large copy on s1 with one byte flipped, its atime and mtime (the name's time) restored. */
  async function forged(): Promise<{ id: string; content: Buffer; onS1: string }> {
    const content = randomBytes(2 * 1024 * 1024 + 7);
    const { id, onS1 } = await replicated(content);
    // A large copy whose ctime is within 2 s of its name's time is trusted as fdfs wrote it: damage it later.
    const wait = (g.client.decodeFileId(id).timestamp + 2) * 1000 + 50 - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const before = statSync(onS1);
    writeFileSync(onS1, flipped(content));
    utimesSync(onS1, before.atime, before.mtime);
    expect(statSync(onS1).mtimeMs).toBe(before.mtimeMs);
    return { id, content, onS1 };
  }

  it('is not sent whole with success', async () => {
    const { id, content, onS1 } = await forged();
    expect(await outcomeOf(downloadAt(g.s1.address, id))).not.toBe('ok');
    await waitFor('repaired copy', async () => readFileSync(onS1).equals(content));
  });

  it('a part of it, the damaged byte included, is EIO (the whole copy is checked first)', async () => {
    const { id, content, onS1 } = await forged();
    const middle = content.length >> 1;
    expect(await outcomeOf(rangeAt(g.s1.address, id, middle - 100, 200))).toBe(Errno.EIO);
    await waitFor('repaired copy', async () => readFileSync(onS1).equals(content));
    expect((await rangeAt(g.s1.address, id, middle - 100, 200)).equals(content.subarray(middle - 100, middle + 100))).toBe(true);
  });

  it('over HTTP is 503, not 200 with the wrong bytes', async () => {
    const { id, content, onS1 } = await forged();
    const r = await fetch(`http://${g.s1.host}:8888/${id}`);
    expect(r.status).toBe(503);
    await r.arrayBuffer();
    await waitFor('repaired copy', async () => readFileSync(onS1).equals(content));
  });
});

describe('a member hung while the tracker still routes to it', () => {
  it('the client reads the other replica after its network timeout instead of failing', async () => {
    const content = randomBytes(6000);
    const { id } = await replicated(content);
    const source = (g.client.decodeFileId(id).source as { ipv4: string }).ipv4 === g.s1.host ? g.s1 : g.s2;
    const client = new FdfsClient({ trackers: [g.tracker.address], networkTimeout: 2 });
    source.proc.child!.kill('SIGSTOP');
    try {
      // The tracker still lists the hung source ACTIVE and sends reads of a new file to it.
      expect((await client.downloadToBuffer(id)).equals(content)).toBe(true);
    } finally {
      source.proc.child!.kill('SIGCONT');
      client.close();
    }
  });
});
