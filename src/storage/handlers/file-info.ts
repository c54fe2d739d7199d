// 22 QUERY_FILE_INFO (spec §5.8): size and mtime from disk, CRC-32 from the name for normal files, computed
// from the content for appender and slave files unless header flag 1 (NOT_CALC_CRC32) — once per version of
// the file (store/crc-cache.ts) — source IP from the name.
import { createReadStream, type Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import zlib from 'node:zlib';
import { Errno, StatusError } from '../../errors.js';
import { StorageCmd } from '../../protocol/codes.js';
import { peekFileName } from '../../protocol/file-id.js';
import { encodeQueryFileInfoResponse, StorageFileCommands } from '../../protocol/storage-file.js';
import { sourceAddress } from '../tracker-side/identity.js';
import { checkGroup, fsStatus, readRequest, type StorageCtx, type StorageRuntime } from '../runtime.js';
import { CrcCache } from '../store/crc-cache.js';
import { isTrunkName } from '../../protocol/trunk-slot.js';
import { trunkFileInfo } from '../trunk/read-handlers.js';

/** Per process: a file's CRC is computed once per version, however often it is asked for. */
const crcs = new CrcCache();

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
  if (isTrunkName(req.filename)) return trunkFileInfo(rt, ctx, req);
  const name = peekFileName(req.filename);
  if (!name) throw new StatusError(Errno.EINVAL, `file name too short: ${req.filename.length}`, StorageCmd.QueryFileInfo);
  let st: Stats;
  try {
    st = await stat(target.absPath);
    if (!st.isFile()) throw new StatusError(Errno.ENOENT, `${req.filename} is not a regular file`);
  } catch (err) {
    const s = fsStatus(err, req.filename);
    if (s.errno === Errno.ENOENT && req.keepSilence) ctx.log.debug({ file: req.filename }, 'no such file');
    throw s;
  }
  let crc32 = name.crc32;
  if (name.kind === 'appender' || name.kind === 'slave') {
    crc32 = req.notCalcCrc32 ? 0 : await crcs.get(target.absPath, st, () => fileCrc32(target.absPath, (ok) => rt.stats.fileRead(ok)))
      .catch((err) => {
        throw fsStatus(err, req.filename);
      });
  }
  const sourceIp = sourceAddress(rt, name.source);
  const info = { fileSize: st.size, createTimestamp: Math.floor(st.mtimeMs / 1000), crc32, sourceIp };
  await ctx.replyPacket(encodeQueryFileInfoResponse(info, rt.params.ipSize));
}
