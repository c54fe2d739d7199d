// Appender-file commands (spec §5.3, §5.4): 24 APPEND_FILE, 34 MODIFY_FILE, 36 TRUNCATE_FILE and
// 38 REGENERATE_APPENDER_FILENAME; only names carrying the appender flag (else EINVAL); binlog A/M/T/R.
import { randomInt } from 'node:crypto';
import { link, open, unlink, utimes, type FileHandle } from 'node:fs/promises';
import { Errno, StatusError } from '../../errors.js';
import { StorageCmd } from '../../protocol/codes.js';
import { decodeFileName, encodeFileFacts, sizeFieldFor } from '../../protocol/file-id.js';
import { encodeUploadResponse, StorageFileCommands } from '../../protocol/storage-file.js';
import { readRequestHead } from '../../net/request-head.js';
import { fileCrc32 } from './file-info.js';
import type { ResolvedName } from '../store/store-paths.js';
import { writeWholeAt } from '../store/staged-range.js';
import { fsStatus, nowSec, readRequest, type StorageCtx, type StorageRuntime } from '../runtime.js';

/** Resolve a name that must be an existing appender file's (EINVAL for any other kind). */
function appenderTarget(rt: StorageRuntime, cmd: number, logical: string): ResolvedName {
  const target = rt.paths.resolve(logical);
  if (decodeFileName(logical).kind !== 'appender') throw new StatusError(Errno.EINVAL, `${logical} is not an appender file`, cmd);
  return target;
}

async function openExisting(rt: StorageRuntime, t: ResolvedName): Promise<FileHandle> {
  try {
    const fh = await open(t.absPath, 'r+');
    rt.stats.fileOpen(true);
    return fh;
  } catch (err) {
    rt.stats.fileOpen(false);
    throw fsStatus(err, t.logical);
  }
}

/** 24: append the body to the end once it is all here; a failed write is cut back to the old size. */
export async function appendFile(rt: StorageRuntime, ctx: StorageCtx): Promise<void> {
  const cmd = StorageCmd.AppendFile;
  const head = await readRequestHead(ctx, StorageFileCommands.AppendFile);
  rt.stats.begin('Append');
  const t = appenderTarget(rt, cmd, head.filename);
  await rt.locks.run(t.absPath, async () => {
    const fh = await openExisting(rt, t);
    try {
      const start = (await fh.stat()).size;
      if (head.fileSize > 0) {
        try {
          await writeWholeAt(fh, start, t.dir, ctx.conn.bodyChunks(head.fileSize), head.fileSize, { holdUpTo: rt.config.buffSize, counters: rt.stats });
        } catch (err) {
          await fh.truncate(start).catch(() => {});
          if ((err as NodeJS.ErrnoException).syscall) throw fsStatus(err, t.logical);
          throw err;
        }
        const ts = nowSec();
        await fh.utimes(ts, ts).catch(() => {});
        rt.binlog.append({ timestamp: ts, op: 'A', filename: t.logical, startOffset: start, length: head.fileSize });
        rt.stats.success('Append', ts);
      } else {
        rt.stats.success('Append');
      }
      rt.stats.bytes('Append', head.fileSize, head.fileSize);
    } finally {
      await fh.close().catch(() => {});
    }
  });
}

/** 34: overwrite from file_offset (0 ≤ offset ≤ size, else EINVAL); may extend the file. */
export async function modifyFile(rt: StorageRuntime, ctx: StorageCtx): Promise<void> {
  const cmd = StorageCmd.ModifyFile;
  const head = await readRequestHead(ctx, StorageFileCommands.ModifyFile);
  rt.stats.begin('Modify');
  const t = appenderTarget(rt, cmd, head.filename);
  await rt.locks.run(t.absPath, async () => {
    const fh = await openExisting(rt, t);
    try {
      const size = (await fh.stat()).size;
      if (head.fileOffset > size) throw new StatusError(Errno.EINVAL, `offset ${head.fileOffset} > file size ${size}`, cmd);
      if (head.fileSize > 0) {
        try {
          await writeWholeAt(fh, head.fileOffset, t.dir, ctx.conn.bodyChunks(head.fileSize), head.fileSize, { holdUpTo: rt.config.buffSize, counters: rt.stats });
        } catch (err) {
          if ((err as NodeJS.ErrnoException).syscall) throw fsStatus(err, t.logical);
          throw err;
        }
        const ts = nowSec();
        await fh.utimes(ts, ts).catch(() => {});
        rt.binlog.append({ timestamp: ts, op: 'M', filename: t.logical, startOffset: head.fileOffset, length: head.fileSize });
        rt.stats.success('Modify', ts);
      } else {
        rt.stats.success('Modify');
      }
      rt.stats.bytes('Modify', head.fileSize, head.fileSize);
    } finally {
      await fh.close().catch(() => {});
    }
  });
}

/** 36: set the size (shrink or extend); the same size is a no-op success. */
export async function truncateFile(rt: StorageRuntime, ctx: StorageCtx): Promise<void> {
  const cmd = StorageCmd.TruncateFile;
  const req = await readRequest(rt, ctx, StorageFileCommands.TruncateFile);
  rt.stats.begin('Truncate');
  const t = appenderTarget(rt, cmd, req.filename);
  await rt.locks.run(t.absPath, async () => {
    const fh = await openExisting(rt, t);
    try {
      const old = (await fh.stat()).size;
      if (old === req.truncatedFileSize) {
        rt.stats.success('Truncate');
        return;
      }
      await fh.truncate(req.truncatedFileSize).catch((err) => { throw fsStatus(err, t.logical); });
      const ts = nowSec();
      await fh.utimes(ts, ts).catch(() => {});
      rt.binlog.append({ timestamp: ts, op: 'T', filename: t.logical, oldSize: old, newSize: req.truncatedFileSize });
      rt.stats.success('Truncate', ts);
    } finally {
      await fh.close().catch(() => {});
    }
  });
}

/** 38: rename an appender file to a normal name (timestamp now, current size, computed CRC, same X7). */
export async function regenerateAppenderFilename(rt: StorageRuntime, ctx: StorageCtx): Promise<void> {
  const cmd = StorageCmd.RegenerateAppenderFilename;
  const { filename } = await readRequest(rt, ctx, StorageFileCommands.RegenerateAppenderFilename);
  const t = appenderTarget(rt, cmd, filename);
  const old = decodeFileName(filename);
  const newLogical = await rt.locks.run(t.absPath, async () => {
    const fh = await openExisting(rt, t);
    let size: number;
    try {
      size = (await fh.stat()).size;
    } finally {
      await fh.close().catch(() => {});
    }
    const crc32 = await fileCrc32(t.absPath, (ok) => rt.stats.fileRead(ok)).catch((err) => { throw fsStatus(err, filename); });
    const prefix = filename.slice(0, 10);
    const x7 = filename.slice(-7);
    for (let attempt = 1; ; attempt++) {
      const ts = nowSec();
      const b27 = encodeFileFacts({ source: old.source, timestamp: ts, sizeField: sizeFieldFor('normal', size, randomInt(0x800000)), crc32 });
      const name = `${prefix}${b27}${x7}`;
      const dest = rt.paths.resolve(name);
      try {
        await utimes(t.absPath, ts, ts);
        await link(t.absPath, dest.absPath);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST' && attempt < 10) continue;
        throw fsStatus(err, filename);
      }
      await unlink(t.absPath).catch(() => {});
      rt.binlog.append({ timestamp: ts, op: 'R', filename: name, srcFilename: filename });
      rt.stats.sourceUpdate(ts);
      return name;
    }
  });
  await ctx.replyPacket(encodeUploadResponse(rt.group, newLogical));
}
