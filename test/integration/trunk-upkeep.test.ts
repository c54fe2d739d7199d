// The trunk server's upkeep keys from tracker.conf, on real processes: trunk files created in advance up to
// trunk_create_file_space_threshold, the trunk binlog compacted on trunk_compress_binlog_interval with
// trunk_binlog_max_backups backups (the peer still gets the live file), the schedules taken over by the next
// trunk server; and at trunk-server start, trunk_init_check_occupying and delete_unused_trunk_files on a damaged
// binlog: no slot that holds a file is handed out, a trunk file with nothing in it is deleted.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { appendFileSync, closeSync, existsSync, ftruncateSync, mkdirSync, openSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { FdfsClient } from '../../src/client/index.js';
import { decodeFileName } from '../../src/protocol/file-id.js';
import { trunkSlotOf } from '../../src/protocol/trunk-slot.js';
import { FreeSpace, parseJournal } from '../../src/storage/trunk/free-space.js';
import { restartStorage, startStorage, startTracker, stopAll, waitAllActive, waitFor, type StorageHandle, type TrackerHandle } from '../helpers/cluster.js';
import { downloadAt } from '../helpers/storage-direct.js';
import { logicalOf } from '../helpers/trunk-fixture.js';

const MB4 = 4 * 1024 * 1024;
const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');
const binlogOf = (s: StorageHandle) => path.join(s.dir, 'data', 'trunk', 'binlog');

/** Trunk files (6-digit names) under a storage's data/HH/HH. */
function trunkFilesOf(s: StorageHandle): string[] {
  const out: string[] = [];
  const data = path.join(s.dir, 'data');
  for (const hi of readdirSync(data).filter((n) => /^[0-9A-F]{2}$/.test(n))) {
    for (const lo of readdirSync(path.join(data, hi))) {
      for (const f of readdirSync(path.join(data, hi, lo))) if (/^\d{6}$/.test(f)) out.push(path.join(data, hi, lo, f));
    }
  }
  return out.sort();
}

async function trunkServerOf(client: FdfsClient, storages: StorageHandle[]): Promise<StorageHandle> {
  const named = await waitFor('a trunk server', async () => (await client.listStorages('group1')).find((r) => r.ifTrunkServer), 20_000, 200);
  return storages.find((s) => s.host === named.ipAddr)!;
}

describe('scheduled upkeep: advance trunk files, compaction on schedule, binlog backups', () => {
  let tracker: TrackerHandle;
  let a: StorageHandle;
  let b: StorageHandle;
  let client: FdfsClient;
  let server: StorageHandle;
  let peer: StorageHandle;
  const written = new Map<string, string>();

  beforeAll(async () => {
    tracker = await startTracker({
      conf: {
        use_trunk_file: true, trunk_file_size: '4MB', slot_max_size: 64 * 1024, check_active_interval: 2,
        trunk_create_file_advance: true, trunk_create_file_time_base: '00:00', trunk_create_file_interval: 2,
        trunk_create_file_space_threshold: 3 * MB4,
        trunk_compress_binlog_interval: 2, trunk_compress_binlog_time_base: '00:00', trunk_compress_binlog_min_interval: 0,
        trunk_binlog_max_backups: 2,
      },
    });
    a = await startStorage({ trackers: [tracker.address] });
    b = await startStorage({ trackers: [tracker.address] });
    client = new FdfsClient({ trackers: [tracker.address] });
    await waitAllActive(client, [a, b]);
    server = await trunkServerOf(client, [a, b]);
    peer = server === a ? b : a;
  });

  afterAll(async () => {
    client?.close();
    await stopAll([a, b, tracker]);
  });

  it('creates trunk files in advance until the free trunk space reaches the threshold (stock count: whole files)', async () => {
    const files = await waitFor('three trunk files made ahead', async () => (trunkFilesOf(server).length >= 3 ? trunkFilesOf(server) : null), 20_000, 200);
    expect(files.length).toBe(3);
    for (const f of files) expect(statSync(f).size).toBe(MB4);
    const wholeFree = readFileSync(binlogOf(server), 'latin1').split('\n').filter((l) => / A 0 \d+ \d+ \d+ 0 4194304$/.test(l));
    expect(wholeFree.length).toBeGreaterThanOrEqual(3);
    // The line comes after the files and their binlog records: wait for it rather than race it.
    await waitFor('the advance-creation log line', async () => /trunk files created in advance/.test(server.proc.output) || null, 5_000, 100);
  });

  it('compacts the trunk binlog on schedule whatever its size, keeps two backups, and the peer still gets the live file', async () => {
    let compactions = 0;
    for (let round = 0; round < 4; round++) {
      const ino = statSync(binlogOf(server)).ino;
      for (let i = 0; i < 10; i++) {
        const data = randomBytes(200 + i * 97);
        const id = await client.upload(data, { ext: 'bin' });
        written.set(id, md5(data));
      }
      const victim = [...written.keys()][0]!;
      await client.delete(victim);
      written.delete(victim);
      await waitFor('a scheduled compaction', async () => statSync(binlogOf(server)).ino !== ino, 15_000, 200);
      compactions++;
    }
    expect(compactions).toBe(4);
    expect([...written.keys()].every((id) => decodeFileName(logicalOf(id)).kind === 'trunk')).toBe(true);
    const dir = path.dirname(binlogOf(server));
    const backups = readdirSync(dir).filter((n) => /^binlog\.\d{14}$/.test(n)).sort();
    expect(backups.length).toBe(2);
    // The newest backup is the binlog as it was before the last compaction: it parses as a trunk binlog.
    expect(readFileSync(path.join(dir, backups[1]!), 'latin1').trim().split('\n').every((l) => /^\d+ [AD] \d+ \d+ \d+ \d+ \d+ \d+$/.test(l))).toBe(true);
    await waitFor('peer has the live binlog', async () => readFileSync(binlogOf(peer), 'latin1') === readFileSync(binlogOf(server), 'latin1'), 15_000, 200);
    expect(readdirSync(path.dirname(binlogOf(peer))).filter((n) => n !== 'binlog')).toEqual([]);
    for (const [id, sum] of written) expect(md5(await downloadAt(server.address, id)), id).toBe(sum);
  });

  it('the next trunk server takes the schedules over', async () => {
    await server.proc.stop();
    const next = await waitFor('the peer named trunk server', async () => (await client.listStorages('group1')).find((r) => r.ifTrunkServer && r.ipAddr === peer.host), 30_000, 200);
    expect(next).toBeTruthy();
    await waitFor('its schedules started', async () => /"schedule":"trunk_compress_binlog".*"schedule started"/.test(peer.proc.output)
      && /"schedule":"trunk_create_file_advance".*"schedule started"/.test(peer.proc.output), 15_000, 200);
    // It compacts the copy it was sent, on its own schedule, after a change of its own.
    const ino = statSync(binlogOf(peer)).ino;
    const data = randomBytes(300);
    written.set(await client.upload(data, { ext: 'bin' }), md5(data));
    await waitFor('a compaction by the new trunk server', async () => statSync(binlogOf(peer)).ino !== ino, 15_000, 200);
  });
});

describe('trunk-server start on a damaged binlog: trunk_init_check_occupying, delete_unused_trunk_files', () => {
  let tracker: TrackerHandle;
  let s: StorageHandle;
  let client: FdfsClient;
  const sums = new Map<string, string>();

  beforeAll(async () => {
    tracker = await startTracker({
      conf: {
        use_trunk_file: true, trunk_file_size: '4MB', slot_max_size: 64 * 1024, trunk_init_check_occupying: true, delete_unused_trunk_files: true,
        trunk_compress_binlog_interval: 1, trunk_compress_binlog_time_base: '00:00', trunk_compress_binlog_min_interval: 0,
      },
    });
    // One process: no worker holds a lease (taken in the owner's memory, so its trunk file is never unused).
    s = await startStorage({ trackers: [tracker.address], conf: { work_threads: 1 } });
    client = new FdfsClient({ trackers: [tracker.address] });
    await waitAllActive(client, [s]);
  });

  afterAll(async () => {
    client?.close();
    await stopAll([s, tracker]);
  });

  it('never hands out a slot that holds a file, and deletes a trunk file with nothing in it', async () => {
    await trunkServerOf(client, [s]);
    await waitFor('trunk uploads', async () => {
      const data = randomBytes(1000);
      const id = await client.upload(data, { ext: 'bin' });
      sums.set(id, md5(data));
      return decodeFileName(logicalOf(id)).kind === 'trunk';
    }, 15_000, 200);
    for (let i = 0; i < 9; i++) {
      const data = randomBytes(1000);
      sums.set(await client.upload(data, { ext: 'bin' }), md5(data));
    }
    // The first uploads may have gone to plain files while no trunk server was named yet.
    const ids = [...sums.keys()].filter((id) => decodeFileName(logicalOf(id)).kind === 'trunk');
    expect(ids.length).toBeGreaterThanOrEqual(10);
    await s.proc.stop();

    // Damage: three live slots journaled free again; a trunk file nobody uses, journaled free whole.
    const ts = Math.floor(Date.now() / 1000);
    const damaged = ids.slice(0, 3).map((id) => {
      const r = trunkSlotOf(logicalOf(id));
      return `${r.storePathIndex} ${r.subHigh} ${r.subLow} ${r.trunk.fileId} ${r.trunk.offset} ${r.trunk.size}`;
    });
    const unused = path.join(s.dir, 'data', '00', '00', '000099');
    mkdirSync(path.dirname(unused), { recursive: true });
    const fd = openSync(unused, 'w');
    ftruncateSync(fd, MB4);
    closeSync(fd);
    appendFileSync(binlogOf(s), [...damaged, `0 0 0 99 0 ${MB4}`].map((l) => `${ts} A ${l}\n`).join(''));

    await restartStorage(s);
    await waitAllActive(client, [s]);
    await waitFor('the unused trunk file deleted', async () => !existsSync(unused), 20_000, 200);
    // The binlog (compacted or not: a compaction may run meanwhile) no longer calls them free.
    const free = new FreeSpace();
    for (const j of parseJournal(readFileSync(binlogOf(s), 'latin1'))) free.apply(j);
    for (const d of damaged) {
      const [, , , fileId, offset] = d.split(' ').map(Number);
      expect(free.blocks().some((b) => b.fileId === fileId && b.offset <= offset! && offset! < b.offset + b.size), d).toBe(false);
    }
    expect(free.blocks().some((b) => b.fileId === 99)).toBe(false);
    // Same-sized uploads, once they go to trunk slots again: best fit would pick exactly the damaged slots.
    const trunkUpload = async () => {
      const data = randomBytes(1000);
      const id = await client.upload(data, { ext: 'bin' });
      sums.set(id, md5(data));
      return decodeFileName(logicalOf(id)).kind === 'trunk' ? trunkSlotOf(logicalOf(id)).trunk : null;
    };
    const first = await waitFor('trunk uploads again', trunkUpload, 20_000, 200);
    const slots = [first];
    for (let i = 0; i < 20; i++) slots.push((await trunkUpload())!);
    expect(slots.every((t) => t && t.size === 1024)).toBe(true);
    for (const [id, sum] of sums) expect(md5(await downloadAt(s.address, id)), id).toBe(sum);
  });

  it('at compaction time, deletes a trunk file whose files were all deleted, and uploads go on in a new one', async () => {
    const trunkIds = [...sums.keys()].filter((id) => decodeFileName(logicalOf(id)).kind === 'trunk');
    const files = new Set(trunkIds.map((id) => trunkSlotOf(logicalOf(id)).trunk.fileId));
    expect(files.size).toBe(1);
    const [fileId] = [...files];
    const r = trunkSlotOf(logicalOf(trunkIds[0]!));
    const container = path.join(s.dir, 'data', r.subHigh.toString(16).toUpperCase().padStart(2, '0'), r.subLow.toString(16).toUpperCase().padStart(2, '0'), String(fileId).padStart(6, '0'));
    expect(existsSync(container)).toBe(true);
    for (const id of trunkIds) {
      await client.delete(id);
      sums.delete(id);
    }
    await waitFor('the emptied trunk file deleted by a compaction', async () => !existsSync(container), 20_000, 200);
    await waitFor('the compacted binlog no longer names it', async () =>
      !readFileSync(binlogOf(s), 'latin1').split('\n').some((l) => l.split(' ')[5] === String(fileId)), 20_000, 200);
    const data = randomBytes(1000);
    const id = await client.upload(data, { ext: 'bin' });
    expect(trunkSlotOf(logicalOf(id)).trunk.fileId).toBeGreaterThan(fileId!);
    expect(md5(await downloadAt(s.address, id))).toBe(md5(data));
  });
});
