// Pushing one binlog record to a peer (spec §9.5): the request each op letter maps to, the current local
// content streamed from disk, and the answers treated as done (EEXIST on creates, ENOENT on deletes) or
// answered with a whole-file fallback (append/modify/truncate → 18, rename → 16) so appender copies converge.
import { closeSync, fstatSync, lstatSync, openSync, readSync } from 'node:fs';
import { lstat, open, stat, type FileHandle } from 'node:fs/promises';
import { Errno, SyncFailure } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { Connection } from '../../net/connection.js';
import { streamRequest } from '../../net/exchange.js';
import type { BinlogRecord } from '../../protocol/binlog-format.js';
import { StorageCmd } from '../../protocol/codes.js';
import { decodeQueryFileInfoResponse, encodeQueryFileInfoRequest } from '../../protocol/storage-file.js';
import {
  encodeSyncDeleteRequest, encodeSyncFileHead, encodeSyncLinkRequest, encodeSyncRangeHead, encodeSyncTruncateRequest,
} from '../../protocol/sync.js';
import type { StorageRuntime } from '../runtime.js';
import { isTrunkName } from '../../protocol/trunk-slot.js';
import { hasTrunkLink, openSlotHandle } from '../trunk/replica.js';
import { checkTrunkSlot } from '../trunk/slot-open.js';

export interface PushEnv {
  rt: StorageRuntime;
  conn: Connection;
  log: Logger;
  /** The peer answered EEXIST to a create on this connection: check with 22 before later creates. */
  peerHasFiles: boolean;
  /**
   * Names whose create/update/append/modify/truncate was skipped because the file was gone here (renamed
   * since): the peer may hold an older state under that name, so a rename of it is followed by the whole file.
   */
  vanished: Set<string>;
}

const VANISHED_MAX = 10_000;

export function noteVanished(env: PushEnv, name: string): 'skipped' {
  if (env.vanished.size >= VANISHED_MAX) env.vanished.clear();
  env.vanished.add(name);
  return 'skipped';
}

export type PushResult = 'sent' | 'skipped';

/** Answers are a status, or a small body (22's file info, a 6.16.1 rename echo). */
export const MAX_ANSWER = 1 << 16;

/** A request whose non-zero status is an answer (EEXIST/ENOENT mean done); the connection stays usable. */
async function call(env: PushEnv, packet: Buffer, cmd: number): Promise<number> {
  return (await env.conn.call(packet, { cmd, maxBody: MAX_ANSWER, onError: 'return' })).status;
}

/** A streamed request with `length` bytes of `fh` from `start`; a file that shrank meanwhile breaks the connection. */
async function callRange(env: PushEnv, head: Buffer, fh: FileHandle, start: number, length: number, cmd: number): Promise<number> {
  const r = await streamRequest(env.conn, head, { fh, start }, length, { cmd, maxBody: MAX_ANSWER, onError: 'return' });
  env.rt.stats.bytes('SyncOut', length, length);
  return r.status;
}

export function localPath(env: PushEnv, logical: string): string | null {
  try {
    return env.rt.paths.resolve(logical).absPath;
  } catch {
    env.log.warn({ file: logical }, 'binlog names a file outside the store paths; skipped');
    return null;
  }
}

async function openLocal(p: string | null): Promise<{ fh: FileHandle; size: number } | null> {
  if (!p) return null;
  let fh: FileHandle;
  try {
    fh = await open(p, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'EISDIR') return null;
    throw err;
  }
  const st = await fh.stat();
  if (!st.isFile()) {
    await fh.close();
    return null;
  }
  return { fh, size: st.size };
}

/** Files up to this size are read whole in place and leave with their head in one write. */
export const SMALL_FILE = 256 << 10;

/**
 * Read the whole of the file at `p` into `buf` at `at`, with blocking calls: its size, 'missing' when it is gone
 * (or not a file), null when it holds more than `max` bytes. No fstat: a read past the end tells the size, and a
 * read that stops at `expected` (the size a normal file's name carries, when known) is taken as the end.
 */
export function readSmallFileInto(p: string, buf: Buffer, at: number, max: number, expected = -1): number | 'missing' | null {
  let fd: number;
  try {
    fd = openSync(p, 'r');
  } catch (err) {
    if (isGone(err)) return 'missing';
    throw err;
  }
  try {
    let got = 0;
    for (;;) {
      const n = readSync(fd, buf, at + got, max + 1 - got, got);
      if (n === 0) return got;
      got += n;
      if (got > max) return null;
      if (got === expected) return got;
    }
  } catch (err) {
    if (isGone(err)) return 'missing';
    throw err;
  } finally {
    closeSync(fd);
  }
}

function isGone(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR';
}

/**
 * The whole request for a small file, head and content in one buffer, read with blocking calls (one
 * event-loop turn instead of four thread-pool hops); 'missing' when gone, null when too large for this.
 */
export function smallFilePacket(p: string, head: (size: number) => Buffer): { packet: Buffer; size: number } | 'missing' | null {
  let fd: number;
  try {
    fd = openSync(p, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR') return 'missing';
    throw err;
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return 'missing';
    if (st.size > SMALL_FILE) return null;
    const h = head(st.size);
    const packet = Buffer.allocUnsafe(h.length + st.size);
    h.copy(packet, 0);
    let got = 0;
    while (got < st.size) {
      const n = readSync(fd, packet, h.length + got, st.size - got, got);
      if (n === 0) break;
      got += n;
    }
    // Shrank between fstat and read: the next round sends what is there then.
    if (got < st.size) return smallFilePacket(p, head);
    return { packet, size: st.size };
  } finally {
    closeSync(fd);
  }
}

/** 16 / 18 with the file's current content; 'missing' when it no longer exists here. */
async function pushWhole(env: PushEnv, cmd: 16 | 18, ts: number, filename: string): Promise<number | 'missing'> {
  if (isTrunkName(filename)) {
    const slot = await openSlotHandle(env.rt.paths, filename);
    if (!slot) return 'missing';
    try {
      return await callRange(env, encodeSyncFileHead(cmd, { fileSize: slot.size, timestamp: ts, group: env.rt.group, filename }), slot.fh, slot.start, slot.size, cmd);
    } finally {
      await slot.fh.close().catch(() => {});
    }
  }
  const p = localPath(env, filename);
  if (!p) return 'missing';
  const small = smallFilePacket(p, (fileSize) => encodeSyncFileHead(cmd, { fileSize, timestamp: ts, group: env.rt.group, filename }));
  if (small === 'missing') return 'missing';
  if (small) {
    const st = await call(env, small.packet, cmd);
    env.rt.stats.bytes('SyncOut', small.size, small.size);
    return st;
  }
  const local = await openLocal(p);
  if (!local) return 'missing';
  try {
    const head = encodeSyncFileHead(cmd, { fileSize: local.size, timestamp: ts, group: env.rt.group, filename });
    return await callRange(env, head, local.fh, 0, local.size, cmd);
  } finally {
    await local.fh.close().catch(() => {});
  }
}

/** 22 with flag 1 (no CRC): the peer's size of the file, null when it has none. */
async function peerSize(env: PushEnv, filename: string): Promise<number | null> {
  const cmd = StorageCmd.QueryFileInfo;
  const req = encodeQueryFileInfoRequest({ group: env.rt.group, filename, notCalcCrc32: true });
  const r = await env.conn.call(req, { cmd, maxBody: MAX_ANSWER, onError: 'return' });
  if (r.status === Errno.ENOENT) return null;
  if (r.status !== 0) throw new SyncFailure(`QUERY_FILE_INFO ${filename}: status ${r.status}`, r.status);
  return decodeQueryFileInfoResponse(r.body).fileSize;
}

function fail(what: string, rec: BinlogRecord, status: number): never {
  throw new SyncFailure(`${what} ${rec.filename}: peer answered status ${status}`, status);
}

/** The size of a file here (a trunk name: its live slot's content), null when it is gone. */
async function localSize(env: PushEnv, filename: string): Promise<number | null> {
  if (isTrunkName(filename)) {
    try {
      return checkTrunkSlot(env.rt.paths, filename).size;
    } catch {
      return null;
    }
  }
  const p = localPath(env, filename);
  const local = p ? await stat(p).catch(() => null) : null;
  return local?.isFile() ? local.size : null;
}

async function pushCreate(env: PushEnv, rec: BinlogRecord, filename = rec.filename): Promise<PushResult> {
  if (env.peerHasFiles) {
    const size = await localSize(env, filename);
    if (size === null) return noteVanished(env, filename);
    const theirs = await peerSize(env, filename);
    if (theirs === size) {
      const marker = encodeSyncFileHead(StorageCmd.SyncCreateFile, { fileSize: size, timestamp: rec.timestamp, group: env.rt.group, filename }, { noContent: true });
      const st = await call(env, marker, StorageCmd.SyncCreateFile);
      if (st === 0 || st === Errno.EEXIST) return 'sent';
      if (st !== Errno.ENOENT) fail('create (marker)', rec, st);
    } else if (theirs !== null) {
      const st = await pushWhole(env, StorageCmd.SyncUpdateFile, rec.timestamp, filename);
      if (st === 'missing') return 'skipped';
      if (st !== 0) fail('create (as update)', rec, st);
      return 'sent';
    }
  }
  const st = await pushWhole(env, StorageCmd.SyncCreateFile, rec.timestamp, filename);
  if (st === 'missing') return noteVanished(env, filename);
  return judgeCreate(env, rec, st);
}

/** The peer's answer to a 16 with content: 0 or EEXIST (it holds files: later creates ask 22 first) is done. */
export function judgeCreate(env: PushEnv, rec: BinlogRecord, status: number): 'sent' {
  if (status === Errno.EEXIST) env.peerHasFiles = true;
  else if (status !== 0) fail('create', rec, status);
  return 'sent';
}

/** The 17 for a delete record, or null when the name is back here (created again since: a later C carries it). */
export function deleteRequest(env: PushEnv, rec: BinlogRecord): Buffer | null {
  const p = localPath(env, rec.filename);
  if (!p || lstatSync(p, { throwIfNoEntry: false }) !== undefined) return null;
  return encodeSyncDeleteRequest({ timestamp: rec.timestamp, group: env.rt.group, filename: rec.filename });
}

/** The peer's answer to a 17: 0 or ENOENT (already gone there) is done. */
export function judgeDelete(rec: BinlogRecord, status: number): 'sent' {
  if (status !== 0 && status !== Errno.ENOENT) fail('delete', rec, status);
  return 'sent';
}

async function pushRange(env: PushEnv, rec: BinlogRecord & { startOffset: number; length: number }): Promise<PushResult> {
  const cmd = rec.op === 'A' || rec.op === 'a' ? StorageCmd.SyncAppendFile : StorageCmd.SyncModifyFile;
  const local = await openLocal(localPath(env, rec.filename));
  if (!local) return noteVanished(env, rec.filename);
  let st: number;
  try {
    // The file got shorter since (a later truncate). Stock skips the record, but the truncate that follows
    // is then refused by a peer of another size and the copies stay different: send the whole file.
    if (local.size < rec.startOffset + rec.length) return await pushWholeAsUpdate(env, rec);
    const head = { startOffset: rec.startOffset, length: rec.length, timestamp: rec.timestamp, group: env.rt.group, filename: rec.filename };
    st = await callRange(env, encodeSyncRangeHead(cmd, head), local.fh, rec.startOffset, rec.length, cmd);
  } finally {
    await local.fh.close().catch(() => {});
  }
  if (st === 0) return 'sent';
  if (st === Errno.EEXIST && cmd === StorageCmd.SyncAppendFile) return sameSizeOrWhole(env, rec);
  if (st !== Errno.ENOENT) fail(cmd === StorageCmd.SyncAppendFile ? 'append' : 'modify', rec, st);
  return pushWholeAsUpdate(env, rec);
}

/** The peer refused an append/truncate as "already there": fine if its size is ours, else send the file. */
async function sameSizeOrWhole(env: PushEnv, rec: BinlogRecord): Promise<PushResult> {
  const p = localPath(env, rec.filename);
  const local = p ? await stat(p).catch(() => null) : null;
  if (!local?.isFile()) return 'skipped';
  if ((await peerSize(env, rec.filename)) === local.size) return 'sent';
  return pushWholeAsUpdate(env, rec);
}

/** The peer's copy cannot take the change: send the whole current file (18). */
async function pushWholeAsUpdate(env: PushEnv, rec: BinlogRecord): Promise<PushResult> {
  const st = await pushWhole(env, StorageCmd.SyncUpdateFile, rec.timestamp, rec.filename);
  if (st === 'missing') return noteVanished(env, rec.filename);
  if (st !== 0) fail('update fallback', rec, st);
  return 'sent';
}

/** Push one record; throws SyncFailure (or a connection error) when it must be retried later. */
export async function pushRecord(env: PushEnv, rec: BinlogRecord): Promise<PushResult> {
  const group = env.rt.group;
  switch (rec.op) {
    case 'C': case 'c':
      return pushCreate(env, rec);
    case 'U': case 'u': {
      const st = await pushWhole(env, StorageCmd.SyncUpdateFile, rec.timestamp, rec.filename);
      if (st === 'missing') return noteVanished(env, rec.filename);
      if (st !== 0) fail('update', rec, st);
      return 'sent';
    }
    case 'D': case 'd': {
      const req = deleteRequest(env, rec);
      return req ? judgeDelete(rec, await call(env, req, StorageCmd.SyncDeleteFile)) : 'skipped';
    }
    case 'A': case 'a': case 'M': case 'm':
      return pushRange(env, rec);
    case 'T': case 't': {
      const p = localPath(env, rec.filename);
      if (!p || !(await stat(p).then((s) => s.isFile(), () => false))) return noteVanished(env, rec.filename);
      const req = { oldFileSize: rec.oldSize, newFileSize: rec.newSize, timestamp: rec.timestamp, group, filename: rec.filename };
      const st = await call(env, encodeSyncTruncateRequest(req), StorageCmd.SyncTruncateFile);
      if (st === 0) return 'sent';
      if (st === Errno.EEXIST) return sameSizeOrWhole(env, rec);
      // Stock retries forever here; the whole file converges instead.
      if (st === Errno.ENOENT) return pushWholeAsUpdate(env, rec);
      return fail('truncate', rec, st);
    }
    case 'L': case 'l': {
      // A link to a trunk file is a link slot; gone (deleted since), the record is skipped as stock does.
      if (isTrunkName(rec.filename)) {
        if (!hasTrunkLink(env.rt.paths, rec.filename)) return 'skipped';
      } else {
        const p = localPath(env, rec.filename);
        if (!p || !(await lstat(p).then((s) => s.isSymbolicLink(), () => false))) return 'skipped';
      }
      const req = { timestamp: rec.timestamp, group, destFilename: rec.filename, srcFilename: rec.srcFilename };
      const st = await call(env, encodeSyncLinkRequest(StorageCmd.SyncCreateLink, req), StorageCmd.SyncCreateLink);
      if (st !== 0 && st !== Errno.ENOENT && st !== Errno.EEXIST) fail('link', rec, st);
      return 'sent';
    }
    case 'R': case 'r': {
      const p = localPath(env, rec.filename);
      if (!p || !(await stat(p).then(() => true, () => false))) return 'skipped';
      const req = { timestamp: rec.timestamp, group, destFilename: rec.filename, srcFilename: rec.srcFilename };
      // A 6.16.1 receiver echoes the request on success: any body with status 0 is fine.
      const st = await call(env, encodeSyncLinkRequest(StorageCmd.SyncRenameFile, req), StorageCmd.SyncRenameFile);
      if (st === 0 || st === Errno.EEXIST) {
        if (!env.vanished.delete(rec.srcFilename)) return 'sent';
        // Changes to the old name were skipped: the peer renamed an older state. The new name is final.
        return pushWholeAsUpdate(env, rec);
      }
      if (st !== Errno.ENOENT) fail('rename', rec, st);
      env.vanished.delete(rec.srcFilename);
      return pushCreate(env, rec);
    }
  }
}
