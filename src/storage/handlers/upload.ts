// 11 UPLOAD_FILE, 23 UPLOAD_APPENDER_FILE and 21 UPLOAD_SLAVE_FILE (spec §5.1, §5.2): stream the content
// into a hidden temp file, name it per §6 (own IPv4, completion time, size/flags, CRC-32), publish, binlog `C`;
// storeNewFile is that path for any byte source (the HTTP gateway's POST /upload uses it too).
import { lstat, unlink } from 'node:fs/promises';
import { Errno, StatusError } from '../../errors.js';
import type { Logger } from '../../log.js';
import { StorageCmd } from '../../protocol/codes.js';
import { encodeFileName, slaveFileName } from '../../protocol/file-id.js';
import { encodeUploadResponse, StorageFileCommands } from '../../protocol/storage-file.js';
import { readRequestHead } from '../../net/request-head.js';
import { BufferedFile, TempFile, type PendingFile } from '../store/file-writer.js';
import { nameSource } from '../tracker-side/identity.js';
import { makeLink } from './links.js';
import { fsStatus, nowSec, sourceIp, type StorageCtx, type StorageRuntime } from '../runtime.js';
import type { ResolvedName } from '../store/store-paths.js';
import { isTrunkName } from '../../protocol/trunk-slot.js';
import { checkTrunkSlot } from '../trunk/slot-open.js';
import { storeInTrunk } from '../trunk/trunk-upload.js';

/** Attempts at a name that does not exist yet before giving up with EBUSY (stock behaviour). */
export const NAME_ATTEMPTS = 10;

/** Stream `body` (`size` bytes; null = as many as it yields) into a temp file in `dir`. */
export async function receiveToTemp(rt: StorageRuntime, body: AsyncIterable<Buffer>, dir: string, size: number | null): Promise<PendingFile> {
  const opts = { fsyncAfterBytes: rt.config.fsyncAfterWrittenBytes, counters: rt.stats };
  try {
    await rt.paths.ensureDir(dir);
  } catch (err) {
    throw fsStatus(err, 'create directory');
  }
  // Up to buff_size (stock's per-connection buffer) the body is held and written in one go at publish.
  if (size !== null && size <= rt.config.buffSize) return BufferedFile.collect(dir, body, size, opts);
  let tmp: TempFile;
  try {
    tmp = await TempFile.create(dir, opts);
  } catch (err) {
    rt.paths.forgetDir(dir);
    throw fsStatus(err, 'create temp file');
  }
  try {
    await tmp.writeAll(body, size);
    await tmp.close();
    return tmp;
  } catch (err) {
    await tmp.discard();
    // Disk errors become a status; a connection that broke mid-body stays a connection error.
    if ((err as NodeJS.ErrnoException).syscall) throw fsStatus(err, 'write');
    throw err;
  }
}

/** 11 / 23. */
export async function uploadFile(rt: StorageRuntime, ctx: StorageCtx): Promise<void> {
  const appender = ctx.header.cmd === StorageCmd.UploadAppenderFile;
  rt.stats.begin('Upload');
  const d = appender ? StorageFileCommands.UploadAppenderFile : StorageFileCommands.UploadFile;
  const { storePathIndex, fileSize, ext } = await readRequestHead(ctx, d);
  const { logical } = await storeNewFile(rt, {
    ip: sourceIp(rt, ctx), ext, storePathIndex, appender, size: fileSize, body: ctx.conn.bodyChunks(fileSize), log: ctx.log,
  });
  await ctx.replyPacket(encodeUploadResponse(rt.group, logical));
}

export interface NewFile {
  /** Source IPv4 written into the name. */
  ip: string;
  ext: string;
  /** −1 = the storage chooses. */
  storePathIndex: number;
  appender: boolean;
  /** Exact byte count, or null when only the end of `body` tells (the HTTP upload's multipart part). */
  size: number | null;
  /** For the free-space check when `size` is null: an upper bound. */
  sizeHint?: number;
  body: AsyncIterable<Buffer>;
  log: Logger;
  /** Never into a trunk file (the content of a link must be a file of its own). */
  plain?: boolean;
}

/**
 * The upload path shared by 11/23 and the HTTP gateway's POST /upload: choose path and directory, receive into
 * a temp file, name it (§6), publish without replacing, binlog `C`. The caller has counted `begin('Upload')`.
 */
export async function storeNewFile(rt: StorageRuntime, f: NewFile): Promise<{ logical: string; timestamp: number; size: number }> {
  // Such an extension would put ".." into the name, which this storage refuses to serve (store-paths.ts).
  if (f.ext.startsWith('.') || f.ext.includes('..')) throw new StatusError(Errno.EINVAL, `bad file extension "${f.ext}"`);
  if (!f.plain && rt.trunk?.accepts(rt, f.size, f.appender)) return storeInTrunk(rt, f);
  const index = await rt.placement.choosePath(f.storePathIndex, f.size ?? f.sizeHint ?? 0);
  const { subHigh, subLow } = rt.placement.nextSubdirs(f.ip);
  const tmp = await receiveToTemp(rt, f.body, rt.paths.dirOf(index, subHigh, subLow), f.size);
  const fileSize = tmp.bytes;
  rt.stats.bytes('Upload', fileSize, 0);
  let logical = '';
  let timestamp = 0;
  try {
    for (let attempt = 1; ; attempt++) {
      timestamp = nowSec();
      logical = encodeFileName({
        source: nameSource(rt, f.ip), timestamp, size: fileSize, kind: f.appender ? 'appender' : 'normal', crc32: tmp.crc32, ext: f.ext,
        storePathIndex: index, subHigh, subLow,
      });
      try {
        await tmp.publish(rt.paths.resolve(logical).absPath, timestamp);
        break;
      } catch (err) {
        if (err instanceof StatusError && err.errno === Errno.EEXIST && attempt < NAME_ATTEMPTS) continue;
        if (err instanceof StatusError && err.errno === Errno.EEXIST) throw new StatusError(Errno.EBUSY, 'no unique file name');
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') rt.paths.forgetDir(rt.paths.dirOf(index, subHigh, subLow));
        throw fsStatus(err, 'publish');
      }
    }
  } catch (err) {
    await tmp.discard();
    throw err;
  }
  rt.binlog.append({ timestamp, op: 'C', filename: logical });
  rt.stats.bytes('Upload', 0, fileSize);
  rt.stats.success('Upload', timestamp);
  f.log.debug({ file: logical, size: fileSize, appender: f.appender }, 'uploaded');
  return { logical, timestamp, size: fileSize };
}

/**
 * store_slave_file_use_link: the content under a generated name in the master's store path (binlog `C`),
 * the slave name a link to it (binlog `L slave target`).
 */
async function storeSlaveAsLink(rt: StorageRuntime, ctx: StorageCtx, master: ResolvedName, slave: ResolvedName,
  head: { fileSize: number; ext: string }): Promise<string> {
  const stored = await storeNewFile(rt, {
    ip: sourceIp(rt, ctx), ext: head.ext, storePathIndex: master.storePathIndex, appender: false, size: head.fileSize,
    body: ctx.conn.bodyChunks(head.fileSize), log: ctx.log, plain: true,
  });
  const target = rt.paths.resolve(stored.logical);
  rt.stats.begin('CreateLink');
  try {
    await makeLink(rt, slave, target);
  } catch (err) {
    // The slave name was taken meanwhile: the content goes again, leaving nothing behind.
    await unlink(target.absPath).catch(() => {});
    rt.binlog.append({ timestamp: nowSec(), op: 'D', filename: stored.logical });
    throw err;
  }
  const ts = nowSec();
  rt.binlog.append({ timestamp: ts, op: 'L', filename: slave.logical, srcFilename: stored.logical });
  rt.stats.success('CreateLink', ts);
  ctx.log.debug({ slave: slave.logical, target: stored.logical }, 'slave stored as a link');
  return slave.logical;
}

/** 21: the slave goes next to its master, named by §6.7; EEXIST if it exists, ENOENT without a master. */
export async function uploadSlaveFile(rt: StorageRuntime, ctx: StorageCtx): Promise<void> {
  const cmd = StorageCmd.UploadSlaveFile;
  rt.stats.begin('Upload');
  const head = await readRequestHead(ctx, StorageFileCommands.UploadSlaveFile);
  const master = rt.paths.resolve(head.masterFilename);
  const slaveLogical = slaveFileName(head.masterFilename, head.prefix, head.ext);
  const slave = rt.paths.resolve(slaveLogical);
  if (isTrunkName(head.masterFilename)) checkTrunkSlot(rt.paths, head.masterFilename);
  else {
    try {
      const st = await lstat(master.absPath);
      if (!st.isFile() && !st.isSymbolicLink()) throw new StatusError(Errno.ENOENT, 'master is not a regular file');
    } catch (err) {
      throw fsStatus(err, `master ${head.masterFilename}`);
    }
  }
  if (await lstat(slave.absPath).then(() => true, () => false)) {
    throw new StatusError(Errno.EEXIST, `slave ${slaveLogical} already exists`, cmd);
  }
  if (rt.params.storeSlaveFileUseLink) {
    const linked = await storeSlaveAsLink(rt, ctx, master, slave, head);
    return ctx.replyPacket(encodeUploadResponse(rt.group, linked));
  }
  await rt.placement.checkRoom(master.storePathIndex, head.fileSize);
  const tmp = await receiveToTemp(rt, ctx.conn.bodyChunks(head.fileSize), slave.dir, head.fileSize);
  rt.stats.bytes('Upload', head.fileSize, 0);
  const timestamp = nowSec();
  try {
    await tmp.publish(slave.absPath, timestamp);
  } catch (err) {
    await tmp.discard();
    throw fsStatus(err, 'publish');
  }
  rt.binlog.append({ timestamp, op: 'C', filename: slaveLogical });
  rt.stats.bytes('Upload', 0, head.fileSize);
  rt.stats.success('Upload', timestamp);
  await ctx.replyPacket(encodeUploadResponse(rt.group, slaveLogical));
}
