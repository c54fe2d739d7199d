// Trunk files written by fdfs (use_trunk_file = true on an fdfs tracker): the leader names one trunk server
// per group, small uploads go into trunk slots with stock-format IDs, larger ones and appenders stay plain,
// slaves of trunk masters work, replication puts each file into the same slot on the peer, deletes free the
// slot everywhere and the space is reused, forged IDs are ENOENT, and a kill -9 mid-write leaves no readable
// half slot and no leaked space.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import net from 'node:net';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Errno, FdfsClient } from '../../src/client/index.js';
import { StorageCmd, TrackerCmd } from '../../src/protocol/codes.js';
import { decodeSetTrunkServerResponse, encodeSetTrunkServerRequest } from '../../src/protocol/tracker-list.js';
import { decodeFileName } from '../../src/protocol/file-id.js';
import { encodeUploadHead } from '../../src/protocol/storage-file.js';
import { encodeTrunkAllocRequest, encodeTrunkSlotRequest } from '../../src/protocol/trunk-commands.js';
import { Connection } from '../../src/net/connection.js';
import { runCli } from '../helpers/proc.js';
import { restartStorage, startStorage, startTracker, stopAll, waitAllActive, waitFor, type StorageHandle, type TrackerHandle } from '../helpers/cluster.js';
import { downloadAt, fileInfoAt, outcomeOf, uploadAt } from '../helpers/storage-direct.js';
import { forgeTrunkId, logicalOf, waitForTrunkWriting } from '../helpers/trunk-fixture.js';

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');
const SLOT_MAX = 64 * 1024;
let tracker: TrackerHandle;
let s1: StorageHandle;
let s2: StorageHandle;
let client: FdfsClient;
let trunkServer: StorageHandle;
let peer: StorageHandle;
let s3: StorageHandle | undefined;
const written = new Map<string, Buffer>();

async function callAt(s: StorageHandle, packet: Buffer, cmd: number, from?: string): Promise<Buffer> {
  const c = await Connection.connect(s.host, s.port, { connectTimeout: 5, networkTimeout: 20, localAddress: from });
  try {
    return await c.call(packet, { cmd });
  } finally {
    c.destroy();
  }
}

const trunkOf = (id: string) => decodeFileName(logicalOf(id)).trunk;
const trunkBinlog = (s: StorageHandle) => readFileSync(path.join(s.dir, 'data', 'trunk', 'binlog'), 'utf8');

beforeAll(async () => {
  tracker = await startTracker({ conf: {
    check_active_interval: 10, use_trunk_file: true, trunk_file_size: '4MB', slot_max_size: SLOT_MAX, slot_min_size: 256, trunk_alloc_alignment_size: 256,
  } });
  s1 = await startStorage({ trackers: [tracker.address] });
  s2 = await startStorage({ trackers: [tracker.address] });
  client = new FdfsClient({ trackers: [tracker.address] });
  await waitAllActive(client, [s1, s2]);
  [trunkServer, peer] = await waitForTrunkWriting(client, [s1, s2]);
});

afterAll(async () => {
  client?.close();
  await stopAll([s1, s2, s3, tracker]);
});

describe('trunk files written by fdfs', () => {
  it('names exactly one trunk server for the group', async () => {
    const rows = await client.listStorages('group1');
    expect(rows.filter((r) => r.ifTrunkServer).map((r) => r.ipAddr)).toEqual([trunkServer.host]);
    expect((await client.listGroup('group1')).currentTrunkFileId).toBeGreaterThanOrEqual(0);
  });

  it('`fdfs monitor` shows the trunk server and free trunk space; `fdfs storage trunk` the usage on disk', async () => {
    await waitFor('trunk free space reported', async () => ((await client.listGroup('group1')).trunkFreeMb > 0), 10_000, 200);
    const text = await runCli(['monitor', '--tracker', tracker.address]);
    expect(text.stdout).toMatch(new RegExp(`trunk files in group1: trunk server ${trunkServer.host.replace(/\./g, '\\.')}:${trunkServer.port}, \\d\\.\\dM free in trunk files, last trunk file id 1`));
    const json = JSON.parse((await runCli(['monitor', '--tracker', tracker.address, '--json'])).stdout);
    expect(json.groups[0].trunk).toMatchObject({ server: `${trunkServer.host}:${trunkServer.port}`, currentFileId: 1 });
    const usage = JSON.parse((await runCli(['storage', 'trunk', trunkServer.confFile, '--json'])).stdout);
    // The probe of beforeAll was deleted: its 256-byte slot is free and lies against the rest (the binlog keeps
    // them apart, trunk_free_space_merge is off, but on disk it is one run of free space).
    const MB4 = 4 * 1024 * 1024;
    expect(usage.paths[0]).toMatchObject({ storePathIndex: 0, trunkFiles: 1, trunkBytes: MB4, freeBytes: MB4, freeBlocks: 1, largestFreeBlock: MB4 });
    expect(usage.paths[0].fragmentation).toBe(0);
    const plain = await runCli(['storage', 'trunk', trunkServer.confFile]);
    expect(plain.stdout).toMatch(/^store path 0 \(.*\): 1 trunk file\(s\), 4\.0 MB; 4\.0 MB free in 1 block\(s\), largest 4\.0 MB; fragmentation 0%/);
  });

  it('94 SET_TRUNK_SERVER (stock fdfs_monitor set_trunk_server): keeps the ACTIVE one, refuses to replace it', async () => {
    const [host, port] = tracker.address.split(':') as [string, string];
    const ask = async (id?: string) => {
      const c = await Connection.connect(host, Number(port), { connectTimeout: 5, networkTimeout: 20 });
      try {
        return decodeSetTrunkServerResponse(await c.call(encodeSetTrunkServerRequest('group1', id), { cmd: TrackerCmd.ServerSetTrunkServer }));
      } finally {
        c.destroy();
      }
    };
    expect(await ask()).toBe(trunkServer.host);
    expect(await outcomeOf(ask(trunkServer.host))).toBe(Errno.EALREADY);
    expect(await outcomeOf(ask(peer.host))).toBe(Errno.EEXIST);
    expect(await outcomeOf(ask('10.9.9.9'))).toBe(Errno.ENOENT);
  });

  it('packs small files into trunk slots with stock-format IDs; large files and appenders stay plain', async () => {
    for (const size of [0, 1, 200, 232, 233, 5000, SLOT_MAX - 24]) {
      const data = randomBytes(size);
      const id = await client.upload(data, { ext: 'bin' });
      written.set(id, data);
      const name = decodeFileName(logicalOf(id));
      expect(name.kind, `${size} bytes`).toBe('trunk');
      expect(logicalOf(id)).toHaveLength(60);
      expect(name.size).toBe(size);
      // slot = 24-byte header + content, at least slot_min_size, aligned to 256
      expect(name.trunk!.size).toBe(Math.max(256, Math.ceil((size + 24) / 256) * 256));
      expect(md5(await client.downloadToBuffer(id))).toBe(md5(data));
      expect((await client.info(id)).size).toBe(size);
    }
    const big = randomBytes(SLOT_MAX - 23);
    const bigId = await client.upload(big, { ext: 'bin' });
    expect(decodeFileName(logicalOf(bigId)).kind).toBe('normal');
    written.set(bigId, big);
    const app = await client.uploadAppender(Buffer.from('log line\n'), { ext: 'log' });
    expect(decodeFileName(logicalOf(app)).kind).toBe('appender');
    await client.append(app, Buffer.from('more\n'));
    expect((await client.downloadToBuffer(app)).toString()).toBe('log line\nmore\n');
    const ranged = [...written].find(([, d]) => d.length === 5000)!;
    expect((await client.downloadToBuffer(ranged[0], { offset: 100, length: 50 })).equals(ranged[1].subarray(100, 150))).toBe(true);
  });

  it('keeps metadata and slave files of trunk masters', async () => {
    const data = randomBytes(900);
    const id = await client.upload(data, { ext: 'jpg', metadata: { w: '10', h: '20' } });
    expect(decodeFileName(logicalOf(id)).kind).toBe('trunk');
    expect(await client.getMetadata(id)).toEqual({ w: '10', h: '20' });
    const slave = await client.uploadSlave(id, '_t', Buffer.from('thumb'), { ext: 'jpg' });
    expect((await client.downloadToBuffer(slave)).toString()).toBe('thumb');
    written.set(id, data);
    written.set(slave, Buffer.from('thumb'));
  });

  it('replicates every trunk file into the same slot on the peer', async () => {
    await waitFor('files on the peer', async () => {
      for (const id of written.keys()) if (!(await fileInfoAt(peer.address, id))) return false;
      return true;
    }, 20_000, 200);
    for (const [id, data] of written) expect(md5(await downloadAt(peer.address, id)), id).toBe(md5(data));
    const id = [...written.keys()].find((x) => trunkOf(x))!;
    const loc = trunkOf(id)!;
    const container = (s: StorageHandle) => readFileSync(path.join(s.dir, 'data', logicalOf(id).slice(4, 9), String(loc.fileId).padStart(6, '0')));
    const a = container(trunkServer).subarray(loc.offset, loc.offset + loc.size);
    expect(a.equals(container(peer).subarray(loc.offset, loc.offset + loc.size))).toBe(true);
    // The trunk server keeps the peer's copy of its trunk binlog (30/33).
    await waitFor('trunk binlog copied', async () => trunkBinlog(peer) === trunkBinlog(trunkServer), 10_000, 200);
  });

  it('a new member gets every trunk file in its slot by the full sync', async () => {
    s3 = await startStorage({ trackers: [tracker.address] });
    await waitAllActive(client, [s1, s2, s3], 30_000);
    for (const [id, data] of written) expect(md5(await downloadAt(s3.address, id)), id).toBe(md5(data));
  });

  it('a delete frees the slot on every storage and a later file of that size reuses it', async () => {
    const [id, data] = [...written].find(([, d]) => d.length === 5000)!;
    await client.delete(id);
    written.delete(id);
    for (const s of [trunkServer, peer, s3!]) {
      await waitFor('deleted everywhere', async () => (await outcomeOf(downloadAt(s.address, id))) === Errno.ENOENT, 15_000, 100);
    }
    expect(trunkBinlog(trunkServer)).toMatch(new RegExp(` A 0 \\d+ \\d+ ${trunkOf(id)!.fileId} ${trunkOf(id)!.offset} ${trunkOf(id)!.size}\\n`));
    // Each worker carves its current lease first (256 KiB, 51 slots of this size); the freed slot is lent next.
    const uploaded: string[] = [];
    let again: string | undefined;
    for (let i = 0; i < 400 && !again; i++) {
      const next = await client.upload(randomBytes(data.length), { ext: 'bin' });
      if (JSON.stringify(trunkOf(next)) === JSON.stringify(trunkOf(id))) again = next;
      else uploaded.push(next);
    }
    expect(again, 'the freed slot was used again').toBeDefined();
    expect(await outcomeOf(client.downloadToBuffer(id))).toBe(Errno.ENOENT);
    for (const x of [...uploaded, again!]) await client.delete(x);
  });

  it('a member that is not the trunk server gets trunk space from it (27/28); others answer 27 EINVAL', async () => {
    const data = randomBytes(3000);
    const id = await uploadAt(peer.address, data);
    // The peer heard of the trunk server in a beat answer long ago (beforeAll waited for trunk uploads).
    expect(decodeFileName(logicalOf(id)).kind).toBe('trunk');
    expect(md5(await downloadAt(peer.address, id))).toBe(md5(data));
    await waitFor('on the trunk server', async () => (await fileInfoAt(trunkServer.address, id)) !== null, 15_000, 100);
    expect(md5(await downloadAt(trunkServer.address, id))).toBe(md5(data));
    // The trunk server journaled the slot as taken: its next file of this size goes elsewhere.
    const next = await uploadAt(trunkServer.address, randomBytes(3000));
    expect(trunkOf(next)).not.toEqual(trunkOf(id));
    const alloc = encodeTrunkAllocRequest({ group: 'group1', size: 1000, storePathIndex: 0 });
    // To a member that is not the trunk server: EINVAL, as stock.
    expect(await outcomeOf(callAt(peer, alloc, StorageCmd.TrunkAllocSpace))).toBe(Errno.EINVAL);
    // A confirm of a slot nobody reserved is refused.
    const bogus = encodeTrunkSlotRequest(StorageCmd.TrunkAllocConfirm, { group: 'group1',
      slot: { storePathIndex: 0, subHigh: 0, subLow: 0, fileId: 99, offset: 0, size: 256 } });
    expect(await outcomeOf(callAt(trunkServer, bogus, StorageCmd.TrunkAllocConfirm))).toBe(Errno.ENOENT);
    written.set(id, data);
  });

  it('answers ENOENT for forged IDs (another slot, wrong size or offset)', async () => {
    const ids = [...written.keys()].filter((x) => trunkOf(x));
    const [a, b] = [ids[1]!, ids[2]!];
    for (const id of [forgeTrunkId(a, trunkOf(b)!), forgeTrunkId(a, { ...trunkOf(a)!, size: trunkOf(a)!.size + 256 }),
      forgeTrunkId(a, { ...trunkOf(a)!, offset: trunkOf(a)!.offset + 256 })]) {
      expect(await outcomeOf(client.downloadToBuffer(id))).toBe(Errno.ENOENT);
      expect(await outcomeOf(downloadAt(peer.address, id))).toBe(Errno.ENOENT);
    }
  });

  it('kill -9 mid-write leaves no readable half slot and leaks no space', async () => {
    const size = 40_000;
    // The slot a file of this size gets now (no free block of this size: the tail of the trunk file).
    const probe = await client.upload(randomBytes(size), { ext: 'bin' });
    await client.delete(probe);
    const expected = trunkOf(probe)!;
    // Half a body, then the storage dies.
    await new Promise<void>((resolve, reject) => {
      const sock = net.connect({ host: trunkServer.host, port: trunkServer.port }, () => {
        sock.write(encodeUploadHead(StorageCmd.UploadFile, { storePathIndex: 0, fileSize: size, ext: 'bin' }));
        sock.write(randomBytes(size / 2), () => setTimeout(resolve, 300));
      });
      sock.on('error', () => {});
      sock.on('close', () => resolve());
      setTimeout(() => reject(new Error('no connection')), 5000).unref();
    });
    await trunkServer.proc.kill();
    const container = path.join(trunkServer.dir, 'data', logicalOf(probe).slice(4, 9), String(expected.fileId).padStart(6, '0'));
    expect(readFileSync(container).subarray(expected.offset, expected.offset + 24).every((x) => x === 0)).toBe(true);
    await restartStorage(trunkServer);
    await waitAllActive(client, [s1, s2, s3!]);
    // The restarted storage is still the trunk server (a restart within 2 × check_active_interval keeps it).
    expect((await client.listStorages('group1')).find((r) => r.ifTrunkServer)?.ipAddr).toBe(trunkServer.host);
    const id = await waitFor('a trunk upload again', async () => {
      const got = await client.upload(randomBytes(size), { ext: 'bin' });
      if (trunkOf(got)) return got;
      await client.delete(got);
      return null;
    }, 15_000, 200);
    expect(trunkOf(id)).toEqual(expected);
  });
});
