// 22 QUERY_FILE_INFO (spec §5.8): size and mtime from disk, CRC-32 from the name for normal files, computed
// from the content for appender and slave files unless header flag 1 (NOT_CALC_CRC32), source IP from the name.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import zlib from 'node:zlib';
import { Errno, StatusError } from '../../errors.js';
import { StorageCmd } from '../../protocol/codes.js';
import { peekFileName } from '../../protocol/file-id.js';
import { encodeQueryFileInfoResponse, StorageFileCommands } from '../../protocol/storage-file.js';
import { sourceAddress } from '../tracker-side/identity.js';
import { checkGroup, fsStatus, readRequest, type StorageCtx, type StorageRuntime } from '../runtime.js';

/** CRC-32 of a whole file, streamed. */
export async function fileCrc32(p: string, onRead?: (ok: boolean) => void): Promise<number> {
  let crc = 0;
  const stream = createReadStream(p, { highWaterMark: 256 << 10 });
  try {
    for await (const chunk of stream) {
      crc = zlib.crc32(chunk as Buffer, crc);
      onRead?.(true);
    }
  } catch (err) {
    onRead?.(false);
    throw err;
  }
  return crc;
}

export async function queryFileInfo(rt: StorageRuntime, ctx: StorageCtx): Promise<void> {
  const req = await readRequest(rt, ctx, StorageFileCommands.QueryFileInfo);
  checkGroup(rt, req.group, StorageCmd.QueryFileInfo);
  const target = rt.paths.resolve(req.filename);
  const name = peekFileName(req.filename);
  if (!name) throw new StatusError(Errno.EINVAL, `file name too short: ${req.filename.length}`, StorageCmd.QueryFileInfo);
  let size: number;
  let mtime: number;
  try {
    const st = await stat(target.absPath);
    if (!st.isFile()) throw new StatusError(Errno.ENOENT, `${req.filename} is not a regular file`);
    size = st.size;
    mtime = Math.floor(st.mtimeMs / 1000);
  } catch (err) {
    const s = fsStatus(err, req.filename);
    if (s.errno === Errno.ENOENT && req.keepSilence) ctx.log.debug({ file: req.filename }, 'no such file');
    throw s;
  }
  let crc32 = name.crc32;
  if (name.kind === 'appender' || name.kind === 'slave') {
    crc32 = req.notCalcCrc32 ? 0 : await fileCrc32(target.absPath, (ok) => rt.stats.fileRead(ok)).catch((err) => {
      throw fsStatus(err, req.filename);
    });
  }
  const sourceIp = sourceAddress(rt, name.source);
  await ctx.replyPacket(encodeQueryFileInfoResponse({ fileSize: size, createTimestamp: mtime, crc32, sourceIp }, rt.params.ipSize));
}
