// Small uploads go through the C store step (native/fastpath.c) when it is built, and through the JavaScript
// one with FDFS_NATIVE=0: both storages here serve the same uploads, from our client and the npm `fdfs` client,
// with the same names, content, file info and binlog records — as plain files, and in trunk slots.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { FdfsClient } from '../../src/client/index.js';
import { decodeFileName } from '../../src/protocol/file-id.js';
import { isTrunkName } from '../../src/protocol/trunk-slot.js';
import { startStorage, startTracker, stopAll, waitFor, type StorageHandle, type TrackerHandle } from '../helpers/cluster.js';

const require = createRequire(import.meta.url);
// eslint-disable-next-line @typescript-eslint/no-require-imports
const NpmFdfs = require('fdfs') as new (cfg: unknown) => {
  upload(file: Buffer, opts?: unknown): Promise<string>;
  getFileInfo(fileId: string): Promise<{ size: number; timestamp: number; crc32: number; addr: string }>;
};

for (const trunk of [false, true]) {
  let tracker: TrackerHandle;
  let withC: StorageHandle;
  let withoutC: StorageHandle;
  let client: FdfsClient;

  beforeAll(async () => {
    tracker = await startTracker({ conf: trunk ? { use_trunk_file: true, slot_max_size: '256KB', trunk_file_size: '4MB' } : {} });
    [withC, withoutC] = await Promise.all([
      startStorage({ trackers: [tracker.address], group: 'native', conf: { work_threads: 2 } }),
      startStorage({ trackers: [tracker.address], group: 'plainjs', conf: { work_threads: 2 }, env: { FDFS_NATIVE: '0' } }),
    ]);
    client = new FdfsClient({ trackers: [tracker.address] });
    await waitFor('both ACTIVE', async () => {
      const groups = await Promise.all(['native', 'plainjs'].map((g) => client.listStorages(g).catch(() => [])));
      return groups.every((rows) => rows.some((r) => r.status === 7));
    }, 20_000);
    // The trunk server is chosen after the members are ACTIVE: until then small files are plain files.
    if (trunk) {
      for (const group of ['native', 'plainjs']) {
        await waitFor(`${group} stores into trunk files`, async () => isTrunkName((await client.upload(Buffer.from('probe'), { group })).split('/').slice(1).join('/')), 20_000, 250);
      }
    }
  });

  afterAll(async () => {
    client?.close();
    await stopAll([withC, withoutC, tracker]);
  });

  function binlogLines(h: StorageHandle): string[] {
    return readFileSync(path.join(h.dir, 'data', 'sync', 'binlog.000'), 'utf8').trim().split('\n');
  }

  describe(`small uploads with and without the C store step, trunk files ${trunk ? 'on' : 'off'}`, () => {
    it('says in its start-up log which store step it runs', () => {
      expect(withC.proc.output).toMatch(/"fastPath":"on"/);
      expect(withC.proc.output).toMatch(/"queryLoop":"on"/);
      expect(withoutC.proc.output).toMatch(/"fastPath":"off: turned off by FDFS_NATIVE=0"/);
    });

    for (const group of ['native', 'plainjs']) {
      it(`${group}: files of 0 B to 200 KiB stored whole, named with their facts, in the binlog`, async () => {
        const h = group === 'native' ? withC : withoutC;
        const npm = new NpmFdfs({ trackers: [{ host: tracker.host, port: tracker.port }], timeout: 10_000, logger: { log() {} } });
        const sizes = [0, 1, 4096, 5000, 65_536, 200 * 1024];
        const ids: Array<{ id: string; data: Buffer }> = [];
        for (const size of sizes) {
          const data = randomBytes(size);
          ids.push({ id: await client.upload(data, { ext: size % 2 ? 'jpg' : '', group }), data });
        }
        for (const { id, data } of ids) {
          expect(id.startsWith(`${group}/M00/`)).toBe(true);
          // A range of a small file: read and checked whole, then cut before any whole read (then again, from the held copy).
          if (data.length > 150) {
            for (let i = 0; i < 2; i++) expect((await client.downloadToBuffer(id, { offset: 100, length: 50 })).equals(data.subarray(100, 150))).toBe(true);
          }
          expect((await client.downloadToBuffer(id)).equals(data)).toBe(true);
          const facts = decodeFileName(id.slice(group.length + 1));
          // Trunk slots hold files up to slot_max_size less the 24-byte header.
          const inTrunk = trunk && data.length + 24 <= 256 * 1024;
          expect(isTrunkName(id.slice(group.length + 1))).toBe(inTrunk);
          expect(facts).toMatchObject({ kind: inTrunk ? 'trunk' : 'normal', size: data.length, crc32: zlib.crc32(data) });
          const info = await npm.getFileInfo(id);
          expect(info.size).toBe(data.length);
          expect(info.crc32 >>> 0).toBe(zlib.crc32(data));
        }
        const logged = binlogLines(h).map((l) => l.split(' ')[2]);
        for (const { id } of ids) expect(logged).toContain(id.slice(group.length + 1));
      });
    }

    it('large downloads, whole and in ranges, and several at once, are the same bytes in both groups', async () => {
      const data = randomBytes(3 * 1024 * 1024 + 17);
      const ranges: Array<[number, number]> = [[0, 0], [1, 0], [300_000, 262_145], [(1 << 20) + 7, 1_500_000], [data.length - 300_000, 0]];
      for (const group of ['native', 'plainjs']) {
        const id = await client.upload(data, { ext: 'bin', group });
        for (const [offset, length] of ranges) {
          const want = data.subarray(offset, length ? offset + length : data.length);
          expect((await client.downloadToBuffer(id, { offset, length })).equals(want)).toBe(true);
        }
        const all = await Promise.all(Array.from({ length: 6 }, () => client.downloadToBuffer(id)));
        for (const got of all) expect(got.equals(data)).toBe(true);
      }
    });

    it('the npm client\'s uploads land whole in both groups (the tracker takes turns)', async () => {
      const npm = new NpmFdfs({ trackers: [{ host: tracker.host, port: tracker.port }], timeout: 10_000, logger: { log() {} } });
      const groups = new Set<string>();
      for (let i = 0; i < 6; i++) {
        const data = randomBytes(4096 + i);
        const id = await npm.upload(data, { ext: 'bin' });
        groups.add(id.split('/')[0]!);
        expect((await client.downloadToBuffer(id)).equals(data)).toBe(true);
        expect((await npm.getFileInfo(id)).crc32 >>> 0).toBe(zlib.crc32(data));
      }
      expect([...groups].sort()).toEqual(['native', 'plainjs']);
    });
  });
}

describe('small replicas received with and without the C store step', () => {
  let tracker: TrackerHandle;
  let withC: StorageHandle;
  let withoutC: StorageHandle;
  let client: FdfsClient;

  beforeAll(async () => {
    tracker = await startTracker({ conf: { check_active_interval: 2 } });
    withC = await startStorage({ trackers: [tracker.address], group: 'mixed' });
    withoutC = await startStorage({ trackers: [tracker.address], group: 'mixed', env: { FDFS_NATIVE: '0' } });
    client = new FdfsClient({ trackers: [tracker.address] });
    await waitFor('both members ACTIVE', async () => {
      const rows = await client.listStorages('mixed').catch(() => []);
      return rows.length === 2 && rows.every((r) => r.status === 7);
    }, 20_000);
  });

  afterAll(async () => {
    client?.close();
    await stopAll([withC, withoutC, tracker]);
  });

  it('each member holds the other\'s uploads whole, with the name\'s timestamp as mtime, in its binlog as replicas', async () => {
    const files = new Map<string, Buffer>();
    for (let i = 0; i < 40; i++) {
      const content = randomBytes(1 + ((i * 7919) % 60_000));
      files.set(await client.upload(content, { group: 'mixed', ext: 'bin' }), content);
    }
    const local = (h: StorageHandle, id: string) => path.join(h.dir, 'data', id.split('/').slice(2).join('/'));
    await waitFor('every file on both members', async () => [...files.keys()].every((id) => {
      try {
        return readFileSync(local(withC, id)).length >= 0 && readFileSync(local(withoutC, id)).length >= 0;
      } catch {
        return false;
      }
    }), 20_000, 200);
    const replicaRecords = (h: StorageHandle) => readFileSync(path.join(h.dir, 'data', 'sync', 'binlog.000'), 'utf8').split('\n').filter((l) => l.split(' ')[1] === 'c').length;
    // The tracker took turns: each member received some as replicas, through its own store step.
    expect(replicaRecords(withC)).toBeGreaterThan(0);
    expect(replicaRecords(withoutC)).toBeGreaterThan(0);
    for (const [id, content] of files) {
      const timestamp = decodeFileName(id.split('/').slice(1).join('/')).timestamp;
      for (const h of [withC, withoutC]) {
        expect(readFileSync(local(h, id)).equals(content)).toBe(true);
        expect(statSync(local(h, id)).mtimeMs).toBe(timestamp * 1000);
      }
    }
  });
});
