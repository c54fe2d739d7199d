// Replication receiver, whole-file commands (spec §9.5): 9 REPORT_SERVER_ID, 16/18 SYNC_CREATE/UPDATE_FILE
// (temp + rename, mtime = the source's timestamp), 17 SYNC_DELETE, 19 SYNC_CREATE_LINK, 40 SYNC_RENAME.
// Idempotent: EEXIST/ENOENT answers let a replaying sender move on; each applied record → a lowercase binlog line.
import { statSync } from 'node:fs';
import { link, lstat, symlink, unlink, utimes } from 'node:fs/promises';
import { Errno, StatusError } from '../../errors.js';
import { StorageCmd } from '../../protocol/codes.js';
import { encodeStatus } from '../../protocol/header.js';
import { SYNC_NO_CONTENT_STATUS, SyncCommands } from '../../protocol/sync.js';
import { readRequestHead } from '../../net/request-head.js';
import { BufferedFile, TempFile, type PendingFile } from '../store/file-writer.js';
import { checkGroup, fsStatus, readRequest, type StorageCtx, type StorageRuntime } from '../runtime.js';
import { isTrunkName } from '../../protocol/trunk-slot.js';
import { deleteTrunkReplica, hasTrunkFile, writeTrunkLinkReplica, writeTrunkReplica } from '../trunk/replica.js';

/** The peer a record came from: its 9 REPORT_SERVER_ID, else the connection's address. */
export function syncSourceOf(ctx: StorageCtx): string {
  return ctx.state.syncSource || ctx.conn.remoteAddress;
}

/** Book a processed record: SYNC_REPORT progress and the last_sync_update counter. */
export function noteReceived(rt: StorageRuntime, ctx: StorageCtx, timestamp: number, bytes = 0): void {
  noteReceivedFrom(rt, syncSourceOf(ctx), timestamp, bytes);
}

/** noteReceived by the peer's id or address (the inline path has no request context). */
export function noteReceivedFrom(rt: StorageRuntime, source: string, timestamp: number, bytes = 0): void {
  rt.progress.noteReceived(source, timestamp);
  rt.stats.stats.lastSyncUpdate = Math.max(rt.stats.stats.lastSyncUpdate, Math.floor(Date.now() / 1000));
  rt.stats.bytes('SyncIn', bytes, bytes);
}

/** Answer an expected non-zero status (EEXIST/ENOENT) without logging it as a failed request. */
export async function answerStatus(ctx: StorageCtx, errno: number): Promise<void> {
  if (ctx.conn.bodyRemaining > 0) await ctx.conn.skipBody();
  await ctx.replyPacket(encodeStatus(errno));
}

export async function exists(p: string): Promise<boolean> {
  return lstat(p).then(() => true, () => false);
}

/** 9: remember who is pushing on this connection. */
export async function reportServerId(rt: StorageRuntime, ctx: StorageCtx): Promise<void> {
  ctx.state.syncSource = await readRequest(rt, ctx, SyncCommands.ReportServerId);
}

/** 123: yes, requests on this connection may be pipelined (answered in order, as the request loop reads them). */
export async function syncPipelining(_rt: StorageRuntime, ctx: StorageCtx): Promise<void> {
  if (ctx.header.pkgLen !== 0) throw new StatusError(Errno.EINVAL, 'SYNC_PIPELINING with a body', ctx.header.cmd);
  await ctx.reply();
}

/** 16 / 18 (and 16 with status 0x11 = "you have it, record it"). */
export async function syncFile(rt: StorageRuntime, ctx: StorageCtx): Promise<void> {
  const cmd = ctx.header.cmd as 16 | 18;
  const head = await readRequestHead(ctx, cmd === StorageCmd.SyncCreateFile ? SyncCommands.SyncCreateFile : SyncCommands.SyncUpdateFile);
  const noContent = ctx.header.status === SYNC_NO_CONTENT_STATUS;
  if (ctx.conn.bodyRemaining !== (noContent ? 0 : head.fileSize)) {
    throw new StatusError(Errno.EINVAL, `body of ${ctx.conn.bodyRemaining} bytes, file_size ${head.fileSize}`, cmd);
  }
  checkGroup(rt, head.group, cmd);
  const target = rt.paths.resolve(head.filename);
  const op = cmd === StorageCmd.SyncCreateFile ? 'c' : 'u';
  if (isTrunkName(head.filename)) return syncTrunkFile(rt, ctx, head, op, noContent, target.absPath);
  // A create of a name this storage does not have needs no lock: nothing else can be changing a file that is
  // not here yet, and the sender never has two records of one file in flight. With worker processes the
  // lock is a round trip through the owner, so most replicated files skip it.
  const first = statSync(target.absPath, { throwIfNoEntry: false });
  const unlocked = cmd === StorageCmd.SyncCreateFile && !noContent && first === undefined;
  const guard = <T>(fn: () => Promise<T>): Promise<T> => (unlocked ? fn() : rt.locks.run(target.absPath, fn));
  await guard(async () => {
    const st = unlocked ? first : statSync(target.absPath, { throwIfNoEntry: false });
    const sameSize = !!st?.isFile() && st.size === head.fileSize;
    if (noContent || (cmd === StorageCmd.SyncCreateFile && sameSize)) {
      if (!st?.isFile()) return answerStatus(ctx, Errno.ENOENT);
      if (!noContent && head.fileSize > 0) ctx.log.debug({ file: head.filename }, 'sync create: file already exists');
      rt.binlog.append({ timestamp: head.timestamp, op, filename: head.filename });
      noteReceived(rt, ctx, head.timestamp);
      return answerStatus(ctx, Errno.EEXIST);
    }
    const opts = { fsyncAfterBytes: rt.config.fsyncAfterWrittenBytes, counters: rt.stats };
    try {
      await rt.paths.ensureDir(target.dir);
    } catch (err) {
      throw fsStatus(err, 'create directory');
    }
    let tmp: PendingFile | null = null;
    try {
      // Small files are held and written at publish (no thread-pool hops), as uploads are.
      if (head.fileSize <= rt.config.buffSize) {
        tmp = await BufferedFile.collect(target.dir, ctx.conn.chunks(head.fileSize), head.fileSize, opts);
      } else {
        // Replication respects reserved space: a file the disk cannot take is refused before its body is read
        // (the sender parks it after a few refusals instead of blocking every later record).
        const grows = head.fileSize - (st?.isFile() ? st.size : 0);
        if (grows > 0) await rt.placement.checkRoom(target.storePathIndex, grows);
        // Holes stay holes: a sparse appender is not written densely on the replica.
        const file = await TempFile.create(target.dir, { ...opts, sparse: true });
        tmp = file;
        await file.writeAll(ctx.conn.bodyChunks(head.fileSize), head.fileSize);
      }
      await tmp.publish(target.absPath, head.timestamp, { replace: true });
    } catch (err) {
      await tmp?.discard();
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') rt.paths.forgetDir(target.dir);
      if ((err as NodeJS.ErrnoException).syscall) throw fsStatus(err, head.filename);
      throw err;
    }
    rt.binlog.append({ timestamp: head.timestamp, op, filename: head.filename });
    noteReceived(rt, ctx, head.timestamp, head.fileSize);
  });
}

/** 16 / 18 of a trunk name: into its slot (same trunk file and offset as the source); EEXIST when it is live here. */
async function syncTrunkFile(rt: StorageRuntime, ctx: StorageCtx, head: { filename: string; fileSize: number; timestamp: number },
  op: 'c' | 'u', noContent: boolean, lockKey: string): Promise<void> {
  await rt.locks.run(lockKey, async () => {
    const have = hasTrunkFile(rt.paths, head.filename);
    if (noContent || have) {
      if (!have) return answerStatus(ctx, Errno.ENOENT);
      rt.binlog.append({ timestamp: head.timestamp, op, filename: head.filename });
      noteReceived(rt, ctx, head.timestamp);
      return answerStatus(ctx, Errno.EEXIST);
    }
    try {
      await writeTrunkReplica(rt, head.filename, head.fileSize, ctx.conn.chunks(head.fileSize));
    } catch (err) {
      if (err instanceof StatusError && err.errno === Errno.EEXIST) {
        // The file here stays; the incoming one is left on its source (stock's receiver answers EEXIST too).
        ctx.log.error({ file: head.filename }, 'sync: trunk slot holds another file here; not overwritten');
        return answerStatus(ctx, Errno.EEXIST);
      }
      if ((err as NodeJS.ErrnoException).syscall) throw fsStatus(err, head.filename);
      throw err;
    }
    rt.binlog.append({ timestamp: head.timestamp, op, filename: head.filename });
    noteReceived(rt, ctx, head.timestamp, head.fileSize);
  });
}

/** 17: ENOENT when the file is not here (the sender treats it as done). */
export async function syncDelete(rt: StorageRuntime, ctx: StorageCtx): Promise<void> {
  const req = await readRequest(rt, ctx, SyncCommands.SyncDeleteFile);
  checkGroup(rt, req.group, StorageCmd.SyncDeleteFile);
  const target = rt.paths.resolve(req.filename);
  await rt.locks.run(target.absPath, async () => {
    try {
      if (!isTrunkName(req.filename)) await unlink(target.absPath);
      else if (!deleteTrunkReplica(rt, req.filename)) throw new StatusError(Errno.ENOENT, `${req.filename}: not found`);
    } catch (err) {
      const s = fsStatus(err, req.filename);
      if (s.errno !== Errno.ENOENT) throw s;
      noteReceived(rt, ctx, req.timestamp);
      return answerStatus(ctx, Errno.ENOENT);
    }
    rt.binlog.append({ timestamp: req.timestamp, op: 'd', filename: req.filename });
    noteReceived(rt, ctx, req.timestamp);
  });
}

/**
 * 19: `dest` becomes a symlink to this storage's copy of `src` — or, a trunk name, its link slot holding `src`'s
 * name; EEXIST / ENOENT as stock.
 */
export async function syncCreateLink(rt: StorageRuntime, ctx: StorageCtx): Promise<void> {
  const cmd = StorageCmd.SyncCreateLink;
  const req = await readRequest(rt, ctx, SyncCommands.SyncCreateLink);
  checkGroup(rt, req.group, cmd);
  const dest = rt.paths.resolve(req.destFilename);
  const src = rt.paths.resolve(req.srcFilename);
  await rt.locks.run(dest.absPath, async () => {
    if (isTrunkName(req.destFilename)) {
      // A link to a trunk file: its link slot, at the place its name says (the trunk binlog has the space).
      if (hasTrunkFile(rt.paths, req.destFilename)) return answerStatus(ctx, Errno.EEXIST);
      const srcHere = isTrunkName(req.srcFilename) ? hasTrunkFile(rt.paths, req.srcFilename) : await exists(src.absPath);
      if (!srcHere) return answerStatus(ctx, Errno.ENOENT);
      try {
        await writeTrunkLinkReplica(rt, req.destFilename, req.srcFilename);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).syscall) throw fsStatus(err, req.destFilename);
        throw err;
      }
    } else {
      if (await exists(dest.absPath)) return answerStatus(ctx, Errno.EEXIST);
      if (!(await exists(src.absPath))) return answerStatus(ctx, Errno.ENOENT);
      try {
        await rt.paths.ensureDir(dest.dir);
        await symlink(src.absPath, dest.absPath);
      } catch (err) {
        throw fsStatus(err, req.destFilename);
      }
    }
    rt.binlog.append({ timestamp: req.timestamp, op: 'l', filename: req.destFilename, srcFilename: req.srcFilename });
    noteReceived(rt, ctx, req.timestamp);
  });
}

/** 40: rename `src` (old) → `dest` (new); success is answered with an empty body (not the 6.16.1 echo). */
export async function syncRename(rt: StorageRuntime, ctx: StorageCtx): Promise<void> {
  const cmd = StorageCmd.SyncRenameFile;
  const req = await readRequest(rt, ctx, SyncCommands.SyncRenameFile);
  checkGroup(rt, req.group, cmd);
  const dest = rt.paths.resolve(req.destFilename);
  const src = rt.paths.resolve(req.srcFilename);
  // Both names locked, in a fixed order, so appends to the old name cannot interleave.
  const [k1, k2] = [src.absPath, dest.absPath].sort();
  await rt.locks.run(k1!, () => rt.locks.run(k2!, async () => {
    if (await exists(dest.absPath)) return answerStatus(ctx, Errno.EEXIST);
    if (!(await exists(src.absPath))) return answerStatus(ctx, Errno.ENOENT);
    try {
      await utimes(src.absPath, req.timestamp, req.timestamp);
      await rt.paths.ensureDir(dest.dir);
      await link(src.absPath, dest.absPath);
      await unlink(src.absPath);
    } catch (err) {
      const s = fsStatus(err, req.destFilename);
      if (s.errno === Errno.EEXIST) return answerStatus(ctx, Errno.EEXIST);
      throw s;
    }
    rt.binlog.append({ timestamp: req.timestamp, op: 'r', filename: req.destFilename, srcFilename: req.srcFilename });
    noteReceived(rt, ctx, req.timestamp);
  }));
}
