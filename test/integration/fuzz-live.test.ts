// Live fuzz: a real tracker + storage (`fdfs serve`) get a bounded number of seeded random and mutated
// frames on fresh connections; afterwards both still serve, nothing crashed, and the storage left no
// temp or stray file, inside its store path or next to it.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import net from 'node:net';
import path from 'node:path';
import { readdirSync, statSync, rmSync } from 'node:fs';
import { FdfsClient } from '../../src/client/index.js';
import { StorageStatus } from '../../src/protocol/codes.js';
import { encodeDeleteFileRequest, encodeDownloadRequest, encodeAppendHead, encodeTruncateRequest, encodeSlaveUploadHead,
  encodeCreateLinkRequest } from '../../src/protocol/storage-file.js';
import { encodeSetMetadataRequest, encodeGetMetadataRequest } from '../../src/protocol/storage-meta.js';
import { encodeSyncFileHead } from '../../src/protocol/sync.js';
import { encodeHeader } from '../../src/protocol/header.js';
import { encodeJoinRequest } from '../../src/protocol/join.js';
import { allocHost, startTracker, startStorage, stopAll, waitFor, tempDir, type TrackerHandle, type StorageHandle } from '../helpers/cluster.js';
import { fixtures, int, mutate, pick, rng, type Rng } from '../helpers/fuzz.js';

const SEED = Number(process.env.FUZZ_SEED ?? 0x11fe);
const CASES = 500;
const PARALLEL = 20;
/** How long a connection stays open after its last byte when the server neither answers nor closes. */
const IDLE_MS = 250;

let tracker: TrackerHandle;
let storage: StorageHandle;
let client: FdfsClient;
let outer = '';
let known = '';

beforeAll(async () => {
  // The storage lives in <outer>/inner, so anything written next to its store path shows up in <outer>.
  outer = tempDir('fdfs-fuzz-');
  tracker = await startTracker();
  storage = await startStorage({ trackers: [tracker.address], dir: path.join(outer, 'inner') });
  client = new FdfsClient({ trackers: [tracker.address] });
  await waitFor('ACTIVE', async () => (await client.listStorages('group1'))[0]?.status === StorageStatus.Active);
  known = await client.upload(Buffer.from('fuzz survivor'), { ext: 'txt' });
});

afterAll(async () => {
  client?.close();
  await stopAll([storage, tracker]);
  if (outer) rmSync(outer, { recursive: true, force: true });
});

/** Names that climb out of the store path, or are otherwise hostile, at the lengths the codecs accept. */
const EVIL = [
  'M00/../../../../../../../../../../escape-1.txt', 'M00/00/00/../../../../../../../../escape-2.txt',
  'M00/00/00/../../../../../../../../../tmp/x.txt', '../../../../../../../../../../../escape3.txt',
  'M00/00/00/Ck0AA2sB8HuAKOo1AAAAHWMZ9Uk701.txt/../../../../../escape4', 'M00/00/00/\0\0\0/../../../escape5.txt',
  'M00/00/00/./././././././././././././escape6.txt', 'M00/ff/ff/Ck0AA2sB8HuAKOo1AAAAHWMZ9Uk701.txt',
];

/** Hand-made requests carrying the EVIL names into every storage command that takes a name. */
function hostile(r: Rng): Buffer {
  const filename = pick(r, EVIL);
  try {
    return hostileVia(r, filename);
  } catch {
    // our encoders refuse some of these names; send them raw as group[16] + name to 12, 15 or 22
    const g = Buffer.alloc(16); g.write('group1');
    const body = Buffer.concat([g, Buffer.from(filename, 'latin1')]);
    return Buffer.concat([encodeHeader(body.length, pick(r, [12, 15, 22])), body]);
  }
}

function hostileVia(r: Rng, filename: string): Buffer {
  const group = pick(r, ['group1', 'group1\0x', '../..']);
  const g = group.length <= 16 ? group : 'group1';
  const body = Buffer.from('evil bytes\n');
  switch (int(r, 9)) {
    case 0: return encodeDeleteFileRequest({ group: g, filename });
    case 1: return encodeDownloadRequest({ group: g, filename, fileOffset: 0, downloadBytes: 0 });
    case 2: return Buffer.concat([encodeAppendHead({ filename, fileSize: body.length }), body]);
    case 3: return encodeTruncateRequest({ filename, truncatedFileSize: 0 });
    case 4: return encodeSetMetadataRequest({ group: g, filename, op: 'O', metadata: { a: '1' } });
    case 5: return encodeGetMetadataRequest({ group: g, filename });
    case 6: return Buffer.concat([encodeSlaveUploadHead({ masterFilename: filename, fileSize: body.length, prefix: '_x', ext: 'txt' }), body]);
    case 7: return encodeCreateLinkRequest({ masterFilename: '', srcFilename: filename, srcFileSig: Buffer.alloc(0), group: g, prefix: '', ext: 'txt' });
    default: return Buffer.concat([encodeSyncFileHead(16, { fileSize: body.length, timestamp: 1, group: g, filename }), body]);
  }
}

/** One connection: write `bytes` in 1–3 pieces, read until the server closes or stays silent IDLE_MS. */
function send(host: string, port: number, bytes: Buffer, r: Rng, localAddress?: string): Promise<{ closed: boolean; got: number }> {
  const cuts = Array.from({ length: int(r, 3) }, () => int(r, bytes.length + 1)).sort((a, b) => a - b);
  return new Promise((resolve) => {
    const s = net.connect({ host, port, localAddress });
    let got = 0;
    let done = false;
    let idle: NodeJS.Timeout | undefined;
    const finish = (closed: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(idle); clearTimeout(hard);
      s.destroy();
      resolve({ closed, got });
    };
    const arm = () => { clearTimeout(idle); idle = setTimeout(() => finish(false), IDLE_MS); };
    const hard = setTimeout(() => finish(false), 3000);
    s.on('data', (b) => { got += b.length; arm(); });
    s.on('error', () => finish(true));
    s.on('close', () => finish(true));
    s.on('connect', () => {
      let off = 0;
      for (const c of [...cuts, bytes.length]) { if (c > off) s.write(bytes.subarray(off, c)); off = Math.max(off, c); }
      arm();
    });
  });
}

/** Every file under `dir`, relative. */
function walk(dir: string, rel = ''): string[] {
  const out: string[] = [];
  for (const e of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    const p = path.join(rel, e.name);
    if (e.isDirectory()) out.push(...walk(dir, p));
    else out.push(p);
  }
  return out;
}

describe(`live fuzz (seed ${SEED}; FUZZ_SEED=n to change)`, () => {
  it(`${CASES} random and mutated frames to the tracker and the storage, then both still serve`, async () => {
    const r = rng(SEED);
    const base = fixtures();
    // An address of its own: a mutated JOIN's storage port is checked there, where nothing listens.
    const fuzzFrom = allocHost();
    const cases = Array.from({ length: CASES }, (_, i) => {
      const toStorage = i % 2 === 1;
      const bytes = toStorage && r() < 0.2 ? hostile(r) : mutate(r, pick(r, base)).bytes;
      return { i, bytes, host: toStorage ? storage.host : tracker.host, port: toStorage ? storage.port : tracker.port };
    });
    const t0 = Date.now();
    let next = 0;
    let closedCount = 0;
    await Promise.all(Array.from({ length: PARALLEL }, async (_, w) => {
      const wr = rng(SEED + 1000 + w);
      while (next < cases.length) {
        const c = cases[next++]!;
        const res = await send(c.host, c.port, c.bytes, wr, fuzzFrom);
        if (res.closed) closedCount++;
      }
    }));
    const took = Date.now() - t0;
    expect(took).toBeLessThan(30_000);
    expect(closedCount).toBeGreaterThan(0);

    // No crash: both processes run, and a normal client round trip works through the tracker.
    expect(tracker.proc.running, tracker.proc.tail()).toBe(true);
    expect(storage.proc.running, storage.proc.tail()).toBe(true);
    const id = await client.upload(Buffer.from('after the storm'), { ext: 'txt' });
    expect((await client.downloadToBuffer(id)).toString()).toBe('after the storm');
    expect((await client.downloadToBuffer(known)).toString()).toBe('fuzz survivor');
    expect((await client.listStorages('group1'))[0]?.status).toBe(StorageStatus.Active);
    // The fuzzed JOINs (mutated from a real one) left no group and no member behind.
    expect((await client.listGroups()).map((g) => g.groupName)).toEqual(['group1']);
    expect(await client.listStorages('group1')).toHaveLength(1);

    // Nothing escaped the store path, and no half-written temp file stays once the connections are gone.
    expect(readdirSync(outer)).toEqual(['inner']);
    const dataDir = path.join(storage.dir, 'data');
    const temps = () => walk(dataDir).filter((f) => f.includes(path.sep) && path.basename(f).startsWith('.'));
    await waitFor('no temp files', async () => temps().length === 0, 10_000).catch(() => {
      throw new Error(`temp files left: ${temps().join(', ')}\n${walk(storage.dir).join('\n')}`);
    });
    for (const f of walk(dataDir)) {
      const parts = f.split(path.sep);
      if (!/^[0-9A-F]{2}$/.test(parts[0]!)) continue; // sync/ (binlog, marks) and the flag and stat files
      expect(parts, f).toHaveLength(3);
      expect(parts[1]).toMatch(/^[0-9A-F]{2}$/);
      expect(parts[2], f).toMatch(/^[A-Za-z0-9_-]{27}[A-Za-z0-9_.-]*$/);
      expect(statSync(path.join(dataDir, f)).isFile()).toBe(true);
    }
    if (process.env.FUZZ_VERBOSE) console.log(walk(storage.dir).filter((f) => !/^data.[0-9A-F]{2}./.test(f)).join('\n'));
    for (const f of walk(storage.dir).filter((f) => !f.startsWith(`data${path.sep}`))) {
      expect(f, 'a file beside the data directory').toMatch(/^(storage\.conf|logs[\\/].*)$/);
    }
  }, 90_000);

  it('JOINs well formed but from no storage (valid group names, any port) register no group or member', async () => {
    const r = rng(SEED + 7);
    const now = Math.floor(Date.now() / 1000);
    for (let i = 0; i < 10; i++) {
      const group = `fz${int(r, 1e6)}`;
      const bytes = encodeJoinRequest({
        group, storagePort: 1 + int(r, 65535), storePathCount: 1 + int(r, 4), subdirCountPerPath: 1 + int(r, 256), uploadPriority: 10,
        joinTime: now, upTime: now, version: '6.16.1', initFlag: r() < 0.5, status: 0, storageId: '', currentTrackerIp: tracker.host,
        trackers: [tracker.address],
      });
      // From an address of its own, where nothing listens.
      await send(tracker.host, tracker.port, bytes, r, allocHost());
    }
    expect((await client.listGroups()).map((g) => g.groupName)).toEqual(['group1']);
    expect(tracker.proc.output).toMatch(/does not answer on its storage port/);
  });
});
