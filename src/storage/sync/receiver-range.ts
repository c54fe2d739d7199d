// Replication receiver, appender commands (spec §9.5): 25 SYNC_APPEND_FILE, 35 SYNC_MODIFY_FILE and
// 37 SYNC_TRUNCATE_FILE, applied only when the local size says the change fits; otherwise EEXIST (already
// there) or ENOENT (the sender then sends the whole file with 18).
import { open, stat, type FileHandle } from 'node:fs/promises';
import { Errno, StatusError } from '../../errors.js';
import { StorageCmd } from '../../protocol/codes.js';
import { SyncCommands } from '../../protocol/sync.js';
import { readRequestHead } from '../../net/request-head.js';
import { checkGroup, fsStatus, readRequest, type StorageCtx, type StorageRuntime } from '../runtime.js';
import { answerStatus, noteReceived } from './receiver.js';
import { writeWholeAt } from '../store/staged-range.js';

/** 25 (append: only when our size equals start_offset) and 35 (modify: when we have at least start_offset). */
export async function syncRange(rt: StorageRuntime, ctx: StorageCtx): Promise<void> {
  const cmd = ctx.header.cmd as 25 | 35;
  const head = await readRequestHead(ctx, cmd === StorageCmd.SyncAppendFile ? SyncCommands.SyncAppendFile : SyncCommands.SyncModifyFile);
  if (ctx.conn.bodyRemaining !== head.length) {
    throw new StatusError(Errno.EINVAL, `body of ${ctx.conn.bodyRemaining} bytes, length ${head.length}`, cmd);
  }
  checkGroup(rt, head.group, cmd);
  const target = rt.paths.resolve(head.filename);
  const append = cmd === StorageCmd.SyncAppendFile;
  await rt.locks.run(target.absPath, async () => {
    const st = await stat(target.absPath).catch(() => null);
    if (!st?.isFile()) return answerStatus(ctx, Errno.ENOENT);
    const end = head.startOffset + head.length;
    if (append && st.size !== head.startOffset) {
      // Already longer than the append's end: it is there (a create carried the newer content). Otherwise the
      // copy is off: the sender falls back to the whole file.
      return answerStatus(ctx, st.size >= end ? Errno.EEXIST : Errno.ENOENT);
    }
    if (!append && st.size < head.startOffset) return answerStatus(ctx, Errno.ENOENT);
    let fh: FileHandle;
    try {
      fh = await open(target.absPath, 'r+');
    } catch (err) {
      throw fsStatus(err, head.filename);
    }
    try {
      try {
        await writeWholeAt(fh, head.startOffset, target.dir, ctx.conn.bodyChunks(head.length), head.length, { holdUpTo: rt.config.buffSize, counters: rt.stats });
      } catch (err) {
        if (append) await fh.truncate(st.size).catch(() => {});
        if ((err as NodeJS.ErrnoException).syscall) throw fsStatus(err, head.filename);
        throw err;
      }
      await fh.utimes(head.timestamp, head.timestamp).catch(() => {});
    } finally {
      await fh.close().catch(() => {});
    }
    const op = append ? 'a' : 'm';
    rt.binlog.append({ timestamp: head.timestamp, op, filename: head.filename, startOffset: head.startOffset, length: head.length });
    noteReceived(rt, ctx, head.timestamp, head.length);
  });
}

/** 37: truncate only when our size is the old size; anything else is EEXIST (skip). */
export async function syncTruncate(rt: StorageRuntime, ctx: StorageCtx): Promise<void> {
  const cmd = StorageCmd.SyncTruncateFile;
  const req = await readRequest(rt, ctx, SyncCommands.SyncTruncateFile);
  checkGroup(rt, req.group, cmd);
  const target = rt.paths.resolve(req.filename);
  await rt.locks.run(target.absPath, async () => {
    const st = await stat(target.absPath).catch(() => null);
    if (!st?.isFile()) return answerStatus(ctx, Errno.ENOENT);
    if (st.size !== req.oldFileSize) {
      ctx.log.debug({ file: req.filename, size: st.size, old: req.oldFileSize }, 'sync truncate: size differs, skipped');
      noteReceived(rt, ctx, req.timestamp);
      return answerStatus(ctx, Errno.EEXIST);
    }
    let fh: FileHandle;
    try {
      fh = await open(target.absPath, 'r+');
      try {
        await fh.truncate(req.newFileSize);
        await fh.utimes(req.timestamp, req.timestamp).catch(() => {});
      } finally {
        await fh.close().catch(() => {});
      }
    } catch (err) {
      throw fsStatus(err, req.filename);
    }
    rt.binlog.append({ timestamp: req.timestamp, op: 't', filename: req.filename, oldSize: req.oldFileSize, newSize: req.newFileSize });
    noteReceived(rt, ctx, req.timestamp);
  });
}
