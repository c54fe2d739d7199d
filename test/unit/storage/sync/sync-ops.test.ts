// pushRecord (sync-ops.ts) with a scripted peer: once the peer has answered EEXIST to a create on a connection
// (peerHasFiles), a later create of a trunk file is checked with 22 and a no-content 16 like any file — never
// taken for a file that vanished because its name is not a path on disk. An `L` of a link to a trunk file is sent
// (19) while its link slot is live here, skipped once it is gone.
import { describe, it, expect, afterAll } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Errno } from '../../../../src/errors.js';
import { createLogger } from '../../../../src/log.js';
import type { Connection } from '../../../../src/net/connection.js';
import { HEADER_SIZE, IPV4_ADDRESS_SIZE, StorageCmd } from '../../../../src/protocol/codes.js';
import { decodeFileName, encodeFileName } from '../../../../src/protocol/file-id.js';
import { SlotType } from '../../../../src/protocol/trunk-slot.js';
import { writeSlot } from '../../../../src/storage/trunk/replica.js';
import { zeroTrunkSlot } from '../../../../src/storage/trunk/slot-open.js';
import { encodeQueryFileInfoResponse } from '../../../../src/protocol/storage-file.js';
import type { StorageRuntime } from '../../../../src/storage/runtime.js';
import { StorePaths } from '../../../../src/storage/store/store-paths.js';
import { pushRecord, type PushEnv } from '../../../../src/storage/sync/sync-ops.js';
import { forgeTrunkId, installStockTrunk, logicalOf, stockTrunk } from '../../../helpers/trunk-fixture.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'fdfs-sync-ops-'));
installStockTrunk(root);
const paths = new StorePaths([root], 4);
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A peer that holds every file at `size` (22) and answers creates EEXIST; the commands it got, in order. */
function peer(size: number): { env: PushEnv; cmds: number[] } {
  const cmds: number[] = [];
  const conn = {
    async call(_packet: Buffer, opts: { cmd: number }) {
      cmds.push(opts.cmd);
      if (opts.cmd === StorageCmd.QueryFileInfo) {
        return { status: 0, body: encodeQueryFileInfoResponse({ fileSize: size, createTimestamp: 1, crc32: 0, sourceIp: '10.0.0.1' }, IPV4_ADDRESS_SIZE).subarray(HEADER_SIZE) };
      }
      return { status: Errno.EEXIST, body: Buffer.alloc(0) };
    },
  } as unknown as Connection;
  const rt = { group: 'group1', paths, stats: { bytes: () => {} } } as unknown as StorageRuntime;
  return { env: { rt, conn, log: createLogger({ level: 'silent' }), peerHasFiles: true, vanished: new Set() }, cmds };
}

describe('pushRecord: a create of a trunk file once the peer has files', () => {
  const live = stockTrunk.files.find((f) => f.state === 'live' && f.size > 0)!;

  it('asks the peer its size (22) and sends the no-content 16, as for a plain file', async () => {
    const { env, cmds } = peer(live.size);
    expect(await pushRecord(env, { timestamp: 1, op: 'C', filename: logicalOf(live.id) })).toBe('sent');
    expect(cmds).toEqual([StorageCmd.QueryFileInfo, StorageCmd.SyncCreateFile]);
    expect(env.vanished.size).toBe(0);
  });

  it('a trunk file whose slot is not live here is skipped as vanished, nothing sent', async () => {
    const { env, cmds } = peer(live.size);
    const other = stockTrunk.files.find((f) => f.state === 'live' && f.id !== live.id)!;
    const forged = logicalOf(forgeTrunkId(live.id, decodeFileName(logicalOf(other.id)).trunk!));
    expect(await pushRecord(env, { timestamp: 1, op: 'C', filename: forged })).toBe('skipped');
    expect(cmds).toEqual([]);
    expect(env.vanished.has(forged)).toBe(true);
  });
});

describe('pushRecord: the link to a trunk file', () => {
  const src = logicalOf(stockTrunk.files.find((f) => f.state === 'live')!.id);
  // A link slot past the fixture's files, in the same trunk file.
  const link = encodeFileName({
    source: { ipv4: '10.0.0.1' }, timestamp: 1_700_000_000, size: src.length, kind: 'trunk', crc32: 12345, ext: 'bin',
    storePathIndex: 0, subHigh: 0, subLow: 0, trunk: { fileId: 1, offset: 8192, size: 256 },
  });

  it('is sent with 19 while its link slot is live, and skipped (nothing sent) once it is freed', async () => {
    await writeSlot(paths, 0, link, src.length, (async function* () { yield Buffer.from(src, 'latin1'); })(), SlotType.Link);
    const rec = { timestamp: 1, op: 'L' as const, filename: link, srcFilename: src };
    const a = peer(0);
    expect(await pushRecord(a.env, rec)).toBe('sent');
    expect(a.cmds).toEqual([StorageCmd.SyncCreateLink]);
    zeroTrunkSlot(paths, link);
    const b = peer(0);
    expect(await pushRecord(b.env, rec)).toBe('skipped');
    expect(b.cmds).toEqual([]);
  });
});
