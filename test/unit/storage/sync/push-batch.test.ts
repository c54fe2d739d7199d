// pushBatch (push-batch.ts): small creates pipelined on one connection — all requests in one send, the answers
// read in order and judged one by one (0 and EEXIST sent, EEXIST also marks the peer as holding files, any other
// status that record's failure), a file gone here skipped as vanished without a request.
import { describe, it, expect, afterAll } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Errno, SyncFailure } from '../../../../src/errors.js';
import { createLogger } from '../../../../src/log.js';
import type { Connection } from '../../../../src/net/connection.js';
import { HEADER_SIZE, StorageCmd } from '../../../../src/protocol/codes.js';
import type { StorageRuntime } from '../../../../src/storage/runtime.js';
import { StorePaths } from '../../../../src/storage/store/store-paths.js';
import { encodeFileName } from '../../../../src/protocol/file-id.js';
import { isBatchable, pushBatch } from '../../../../src/storage/sync/push-batch.js';
import { readSmallFileInto, type PushEnv } from '../../../../src/storage/sync/sync-ops.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'fdfs-push-batch-'));
const paths = new StorePaths([root], 4);
afterAll(() => rmSync(root, { recursive: true, force: true }));

function store(name: string, content: string): string {
  const logical = `M00/00/00/${name}`;
  const abs = paths.resolve(logical).absPath;
  mkdirSync(path.dirname(abs), { recursive: true });
  writeFileSync(abs, content);
  return logical;
}

/** A peer answering the statuses given, in order; what it was sent (one entry per send). */
function peer(statuses: number[]): { env: PushEnv; sends: Buffer[]; answered: () => number } {
  const sends: Buffer[] = [];
  let next = 0;
  const conn = {
    async send(buf: Buffer) {
      sends.push(Buffer.from(buf));
    },
    async answer() {
      return { status: statuses[next++]!, body: Buffer.alloc(0) };
    },
    done() {},
  } as unknown as Connection;
  const rt = { group: 'group1', paths, stats: { bytes: () => {} } } as unknown as StorageRuntime;
  return { env: { rt, conn, log: createLogger({ level: 'silent' }), peerHasFiles: false, vanished: new Set() }, sends, answered: () => next };
}

/** The SYNC_CREATE_FILE frames in a send: [filename tail, content]; a delete's frame is [filename tail, 'DELETE']. */
function frames(buf: Buffer): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (let at = 0; at < buf.length;) {
    const len = Number(buf.readBigUInt64BE(at));
    if (buf[at + 8] === StorageCmd.SyncDeleteFile) {
      const name = buf.subarray(at + HEADER_SIZE + 4 + 16, at + HEADER_SIZE + len).toString();
      out.push([name.slice(name.lastIndexOf('/') + 1), 'DELETE']);
      at += HEADER_SIZE + len;
      continue;
    }
    expect(buf[at + 8]).toBe(StorageCmd.SyncCreateFile);
    const body = buf.subarray(at + HEADER_SIZE, at + HEADER_SIZE + len);
    const nameLen = Number(body.readBigUInt64BE(0));
    const size = Number(body.readBigUInt64BE(8));
    const name = body.subarray(36, 36 + nameLen).toString();
    out.push([name.slice(name.lastIndexOf('/') + 1), body.subarray(body.length - size).toString()]);
    at += HEADER_SIZE + len;
  }
  return out;
}

describe('pushBatch', () => {
  it('sends every request in one write and judges each answer in order', async () => {
    const names = ['a.txt', 'b.txt', 'c.txt'].map((n, i) => store(n, `content ${i}`));
    const { env, sends } = peer([0, Errno.EEXIST, Errno.ENOSPC]);
    const out = await pushBatch(env, names.map((filename) => ({ timestamp: 100, op: 'C' as const, filename })));
    expect(sends.length).toBe(1);
    expect(frames(sends[0]!)).toEqual([['a.txt', 'content 0'], ['b.txt', 'content 1'], ['c.txt', 'content 2']]);
    expect(out[0]).toEqual({ result: 'sent' });
    expect(out[1]).toEqual({ result: 'sent' });
    expect((out[2] as { error: unknown }).error).toBeInstanceOf(SyncFailure);
    expect(((out[2] as { error: SyncFailure }).error).status).toBe(Errno.ENOSPC);
    expect(env.peerHasFiles).toBe(true);
  });

  it('a file gone here is skipped as vanished and costs no request', async () => {
    const kept = store('kept.txt', 'kept');
    const { env, sends, answered } = peer([0]);
    const gone = 'M00/00/00/gone.txt';
    const out = await pushBatch(env, [{ timestamp: 1, op: 'C', filename: gone }, { timestamp: 1, op: 'c', filename: kept }]);
    expect(out).toEqual([{ result: 'skipped' }, { result: 'sent' }]);
    expect(env.vanished.has(gone)).toBe(true);
    expect(frames(sends[0]!).map((f) => f[0])).toEqual(['kept.txt']);
    expect(answered()).toBe(1);
  });

  it('deletes go in the batch too: one gone here is sent (ENOENT there is fine), one back here is skipped', async () => {
    const made = store('made.txt', 'made');
    const back = store('back.txt', 'created again');
    const { env, sends } = peer([0, Errno.ENOENT, Errno.EIO]);
    const out = await pushBatch(env, [
      { timestamp: 5, op: 'C', filename: made },
      { timestamp: 6, op: 'D', filename: 'M00/00/00/deleted.txt' },
      { timestamp: 6, op: 'D', filename: back },
      { timestamp: 7, op: 'd', filename: 'M00/00/00/refused.txt' },
    ]);
    expect(sends.length).toBe(1);
    expect(frames(sends[0]!)).toEqual([['made.txt', 'made'], ['deleted.txt', 'DELETE'], ['refused.txt', 'DELETE']]);
    expect(out.slice(0, 3)).toEqual([{ result: 'sent' }, { result: 'sent' }, { result: 'skipped' }]);
    expect(((out[3] as { error: SyncFailure }).error).status).toBe(Errno.EIO);
  });

  it('creates of plain files go in a batch only while the peer is not known to hold files; deletes always; updates never', () => {
    expect(isBatchable({ timestamp: 1, op: 'C', filename: 'M00/00/00/a.txt' }, false)).toBe(true);
    expect(isBatchable({ timestamp: 1, op: 'C', filename: 'M00/00/00/a.txt' }, true)).toBe(false);
    expect(isBatchable({ timestamp: 1, op: 'D', filename: 'M00/00/00/a.txt' }, true)).toBe(true);
    expect(isBatchable({ timestamp: 1, op: 'U', filename: 'M00/00/00/a.txt' }, false)).toBe(false);
  });

  it('a batch over 256 KiB leaves in several writes, every request whole and every byte its file\'s', async () => {
    // 13 files of 60,000 bytes: about four per write, the last write the rest.
    const names = Array.from({ length: 13 }, (_, i) => store(`big${i}.bin`, String.fromCharCode(65 + i).repeat(60_000)));
    const { env, sends } = peer(names.map(() => 0));
    const out = await pushBatch(env, names.map((filename) => ({ timestamp: 9, op: 'C' as const, filename })));
    expect(out.every((o) => 'result' in o && o.result === 'sent')).toBe(true);
    expect(sends.length).toBeGreaterThan(2);
    for (const s of sends.slice(0, -1)) expect(s.length).toBeGreaterThanOrEqual(256 << 10);
    const got = sends.flatMap((s) => frames(s));
    expect(got.map((f) => f[0])).toEqual(names.map((n) => n.slice(n.lastIndexOf('/') + 1)));
    got.forEach(([, content], i) => expect(content).toBe(String.fromCharCode(65 + i).repeat(60_000)));
  });
});

describe('readSmallFileInto', () => {
  const named = (size: number) => encodeFileName({
    source: { ipv4: '10.0.0.1' }, timestamp: 1_700_000_000, size, kind: 'normal', crc32: 1, ext: 'bin', storePathIndex: 0, subHigh: 0, subLow: 0,
  });

  it('reads a file whole at the offset asked, whatever size its name says', () => {
    const buf = Buffer.alloc(10_000, 0xee);
    for (const [nameSays, actual] of [[4096, 4096], [4096, 5000], [4096, 100], [0, 0]] as const) {
      const logical = store(named(nameSays).slice('M00/00/00/'.length), 'x'.repeat(actual));
      const abs = paths.resolve(logical).absPath;
      expect(readSmallFileInto(abs, buf, 7, 8192, nameSays)).toBe(actual);
      expect(buf.subarray(7, 7 + actual).toString()).toBe('x'.repeat(actual));
      expect(readSmallFileInto(abs, buf, 0, 8192)).toBe(actual);
    }
  });

  it('null for a file over the limit; missing for a name that is gone or is a directory', () => {
    const buf = Buffer.alloc(300);
    const big = paths.resolve(store('over.bin', 'y'.repeat(257))).absPath;
    expect(readSmallFileInto(big, buf, 0, 256)).toBeNull();
    expect(readSmallFileInto(big, buf, 0, 257)).toBe(257);
    expect(readSmallFileInto(path.join(root, 'data', 'no-such-file'), buf, 0, 256)).toBe('missing');
    expect(readSmallFileInto(path.join(root, 'data', '00'), buf, 0, 256)).toBe('missing');
  });
});
