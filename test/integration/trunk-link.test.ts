// Links to trunk files (20 CREATE_LINK without a master name, §5.9, §11.5), as stock makes them: the link is a
// new trunk name whose slot is a link slot ('L') holding the source's logical name; binlog `L link source`;
// replication (19) writes the same link slot at the same place on the peer; deleting the link frees its slot
// and leaves the source; deleting the source leaves the link dangling (ENOENT). A slave link (with a master
// name) to a trunk file stays refused (EOPNOTSUPP): stock would make a symlink to a path that does not exist.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Errno, FdfsClient } from '../../src/client/index.js';
import { StorageCmd } from '../../src/protocol/codes.js';
import { decodeFileName } from '../../src/protocol/file-id.js';
import { decodeUploadResponse, encodeCreateLinkRequest } from '../../src/protocol/storage-file.js';
import { SLOT_HEADER_SIZE, SlotType } from '../../src/protocol/trunk-slot.js';
import { Connection } from '../../src/net/connection.js';
import { runCli } from '../helpers/proc.js';
import { startStorage, startTracker, stopAll, waitAllActive, waitFor, type StorageHandle, type TrackerHandle } from '../helpers/cluster.js';
import { downloadAt, fileInfoAt, outcomeOf } from '../helpers/storage-direct.js';
import { logicalOf, waitForTrunkWriting } from '../helpers/trunk-fixture.js';

let tracker: TrackerHandle;
let s1: StorageHandle;
let s2: StorageHandle;
let client: FdfsClient;
let trunkServer: StorageHandle;
let peer: StorageHandle;

const trunkOf = (id: string) => decodeFileName(logicalOf(id)).trunk!;
const binlog = (s: StorageHandle) => readFileSync(path.join(s.dir, 'data', 'sync', 'binlog.000'), 'utf8');
const trunkBinlog = (s: StorageHandle) => readFileSync(path.join(s.dir, 'data', 'trunk', 'binlog'), 'utf8');

/** The bytes of `id`'s slot in its trunk file on `s`. */
function slotOn(s: StorageHandle, id: string): Buffer {
  const loc = trunkOf(id);
  const file = path.join(s.dir, 'data', logicalOf(id).slice(4, 9), String(loc.fileId).padStart(6, '0'));
  return readFileSync(file).subarray(loc.offset, loc.offset + loc.size);
}

/** 20 straight to one storage (the client would go to the source's storage). */
async function linkAt(s: StorageHandle, srcId: string, masterId = '', prefix = ''): Promise<string> {
  const pkt = encodeCreateLinkRequest({
    masterFilename: masterId && logicalOf(masterId), srcFilename: logicalOf(srcId), srcFileSig: Buffer.alloc(0), group: 'group1', prefix, ext: 'bin',
  });
  const c = await Connection.connect(s.host, s.port, { connectTimeout: 5, networkTimeout: 20 });
  try {
    const { group, logical } = decodeUploadResponse(await c.call(pkt, { cmd: StorageCmd.CreateLink, maxBody: 256 }));
    return `${group}/${logical}`;
  } finally {
    c.destroy();
  }
}

/** Wait (bounded) until `s` answers `id`'s download with `want` (a buffer, or an errno). */
async function waitDownload(s: StorageHandle, id: string, want: Buffer | number): Promise<void> {
  await waitFor(`${id} on ${s.address}`, async () => {
    const got = await downloadAt(s.address, id).catch((err: { errno?: number }) => err.errno ?? -1);
    return typeof want === 'number' ? got === want : Buffer.isBuffer(got) && got.equals(want);
  }, 15_000, 100);
}

beforeAll(async () => {
  tracker = await startTracker({ conf: {
    check_active_interval: 10, use_trunk_file: true, trunk_file_size: '4MB', slot_min_size: 256, trunk_alloc_alignment_size: 256,
  } });
  s1 = await startStorage({ trackers: [tracker.address], conf: { 'http.server_port': 8888 } });
  s2 = await startStorage({ trackers: [tracker.address], conf: { 'http.server_port': 8888 } });
  client = new FdfsClient({ trackers: [tracker.address] });
  await waitAllActive(client, [s1, s2]);
  [trunkServer, peer] = await waitForTrunkWriting(client, [s1, s2]);
});

afterAll(async () => {
  client?.close();
  await stopAll([s1, s2, tracker]);
});

describe('links to trunk files', () => {
  it('a link is a trunk name with a link slot holding the source\'s name; read through it on both members', async () => {
    const data = randomBytes(3000);
    const src = await client.upload(data, { ext: 'jpg' });
    expect(decodeFileName(logicalOf(src)).kind).toBe('trunk');
    const link = await client.createLink(src, { ext: 'bin' });
    const name = decodeFileName(logicalOf(link));
    expect(name.kind).toBe('trunk');
    expect(logicalOf(link)).toHaveLength(60);
    expect(logicalOf(link).endsWith('.bin')).toBe(true);
    // Stock's naming: the name's size is the link slot's content, the source's logical name.
    expect(name.size).toBe(logicalOf(src).length);
    expect(trunkOf(link)).not.toEqual(trunkOf(src));
    const slot = slotOn(trunkServer, link);
    expect(slot[0]).toBe(SlotType.Link);
    expect(slot.readInt32BE(5)).toBe(logicalOf(src).length);
    expect(slot.toString('latin1', SLOT_HEADER_SIZE, SLOT_HEADER_SIZE + logicalOf(src).length)).toBe(logicalOf(src));
    expect(binlog(trunkServer)).toMatch(new RegExp(`^\\d+ L ${logicalOf(link)} ${logicalOf(src)}$`, 'm'));
    expect((await client.downloadToBuffer(link)).equals(data)).toBe(true);
    expect((await client.downloadToBuffer(link, { offset: 10, length: 20 })).equals(data.subarray(10, 30))).toBe(true);
    expect((await client.info(link)).size).toBe(data.length);
    // Replicated: the same link slot at the same place on the peer, read there too.
    await waitDownload(peer, link, data);
    expect(slotOn(peer, link).equals(slot)).toBe(true);
    expect((await fileInfoAt(peer.address, link))?.fileSize).toBe(data.length);
    await waitFor('l on the peer', async () => new RegExp(`^\\d+ l ${logicalOf(link)} ${logicalOf(src)}$`, 'm').test(binlog(peer)), 15_000, 100);
    // Over HTTP too, whole and ranged, on both members.
    for (const s of [trunkServer, peer]) {
      const whole = await fetch(`http://${s.host}:8888/${link}`);
      expect(whole.status).toBe(200);
      expect(Buffer.from(await whole.arrayBuffer()).equals(data)).toBe(true);
      const part = await fetch(`http://${s.host}:8888/${link}`, { headers: { Range: 'bytes=100-199' } });
      expect(part.status).toBe(206);
      expect(Buffer.from(await part.arrayBuffer()).equals(data.subarray(100, 200))).toBe(true);
    }
  });

  it('`fdfs link` makes one too; on the member that is not the trunk server the slot comes from the trunk server', async () => {
    const data = randomBytes(700);
    const src = await client.upload(data, { ext: 'txt' });
    const out = await runCli(['link', src, '--tracker', tracker.address, '--json']);
    expect(out.code, out.stderr).toBe(0);
    const { fileId } = JSON.parse(out.stdout) as { fileId: string };
    expect(decodeFileName(logicalOf(fileId)).kind).toBe('trunk');
    expect((await client.downloadToBuffer(fileId)).equals(data)).toBe(true);
    // On the peer (27/28 to the trunk server), once the source has reached it.
    await waitDownload(peer, src, data);
    const there = await linkAt(peer, src);
    expect(decodeFileName(logicalOf(there)).kind).toBe('trunk');
    expect(slotOn(peer, there)[0]).toBe(SlotType.Link);
    for (const s of [peer, trunkServer]) await waitDownload(s, there, data);
    // The trunk server journaled the slot as taken: the next file of that slot size goes elsewhere.
    const next = await client.upload(randomBytes(logicalOf(src).length), { ext: 'bin' });
    expect(trunkOf(next)).not.toEqual(trunkOf(there));
  });

  it('refuses a link to a link (EINVAL) and a slave link to a trunk file (EOPNOTSUPP)', async () => {
    const src = await client.upload(randomBytes(100), { ext: 'bin' });
    const link = await client.createLink(src);
    expect(await outcomeOf(client.createLink(link))).toBe(Errno.EINVAL);
    const master = await client.upload(randomBytes(100), { ext: 'bin' });
    expect(await outcomeOf(linkAt(trunkServer, src, master, '_x'))).toBe(Errno.EOPNOTSUPP);
  });

  it('deleting the link frees its slot everywhere and leaves the source', async () => {
    const data = randomBytes(1500);
    const src = await client.upload(data, { ext: 'bin' });
    const link = await client.createLink(src);
    await waitDownload(peer, link, data);
    await client.delete(link);
    for (const s of [trunkServer, peer]) {
      await waitDownload(s, link, Errno.ENOENT);
      await waitDownload(s, src, data);
      expect(slotOn(s, link).every((b) => b === 0)).toBe(true);
    }
    const loc = trunkOf(link);
    expect(trunkBinlog(trunkServer)).toMatch(new RegExp(` A 0 \\d+ \\d+ ${loc.fileId} ${loc.offset} ${loc.size}\\n`));
    expect(binlog(trunkServer)).toMatch(new RegExp(`^\\d+ D ${logicalOf(link)}$`, 'm'));
  });

  it('deleting the source leaves the link dangling (ENOENT on both members); the link can still be deleted', async () => {
    const data = randomBytes(800);
    const src = await client.upload(data, { ext: 'bin' });
    const link = await client.createLink(src);
    await waitDownload(peer, link, data);
    await client.delete(src);
    for (const s of [trunkServer, peer]) {
      await waitDownload(s, link, Errno.ENOENT);
      expect(await fileInfoAt(s.address, link)).toBeNull();
      // The link slot itself is still there.
      expect(slotOn(s, link)[0]).toBe(SlotType.Link);
    }
    await client.delete(link);
    for (const s of [trunkServer, peer]) {
      await waitFor('link slot freed', async () => slotOn(s, link).every((b) => b === 0), 15_000, 100);
    }
  });
});
