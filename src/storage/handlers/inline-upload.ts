// 11 UPLOAD_FILE of a small file answered in one synchronous step, the request gathered whole by its
// connection (net/frame-socket.ts): the same checks, names, files, binlog records and counters as upload.ts,
// with blocking calls only, and no promise, generator or thread-pool hop per upload. Null, having changed
// nothing a client could see, whenever the full path is needed: free space not known this second, trunk
// space to be leased, a refusal or an error — the full path then does it again and reports properly.
import { StorageCmd } from '../../protocol/codes.js';
import { encodeFileName, sourceWord } from '../../protocol/file-id.js';
import { decodeUploadHead, encodeUploadResponse } from '../../protocol/storage-file.js';
import { Errno, StatusError } from '../../errors.js';
import { BufferedFile } from '../store/file-writer.js';
import { diskPace } from '../store/disk-pace.js';
import { fastPath, type FastPath } from '../../native/fastpath.js';
import { NAME_ATTEMPTS } from './upload.js';
import { nameSource } from '../tracker-side/identity.js';
import { nowSec, sourceIp, type StorageRuntime } from '../runtime.js';

/** Upload bodies up to this size (and buff_size) are gathered whole and stored inline. */
export const INLINE_UPLOAD_MAX = 256 << 10;
/** store_path_index u8, file_size i64, ext[6]. */
export const UPLOAD_HEAD = 15;

/** Whether a request is a small upload worth gathering whole (then inlineUpload answers it). */
export function gathersUpload(rt: StorageRuntime, cmd: number, bodyLength: number): boolean {
  return cmd === StorageCmd.UploadFile && bodyLength >= UPLOAD_HEAD && bodyLength - UPLOAD_HEAD <= Math.min(INLINE_UPLOAD_MAX, rt.config.buffSize);
}

/** `conn`: the connection's own side (names carry its address when the storage knows no other). */
export function inlineUpload(rt: StorageRuntime, conn: { readonly localAddress: string }, body: Buffer): Buffer | null {
  let head;
  let ip: string;
  try {
    head = decodeUploadHead(StorageCmd.UploadFile, body, body.length)!.head;
    ip = sourceIp(rt, { conn });
  } catch {
    return null;
  }
  const { ext, storePathIndex } = head;
  if (head.fileSize !== body.length - UPLOAD_HEAD || ext.startsWith('.') || ext.includes('..')) return null;
  const content = body.subarray(UPLOAD_HEAD);
  const stored = rt.trunk?.accepts(rt, content.length, false)
    ? rt.trunk.storeNow(rt, { ip, ext, storePathIndex, content })
    : storePlainNow(rt, ip, ext, storePathIndex, content);
  if (!stored) return null;
  rt.stats.begin('Upload');
  rt.binlog.append({ timestamp: stored.timestamp, op: 'C', filename: stored.logical });
  rt.stats.bytes('Upload', content.length, content.length);
  rt.stats.success('Upload', stored.timestamp);
  // As the full path logs it (no object built per upload unless asked for).
  if (rt.log.isLevelEnabled('debug')) rt.log.debug({ file: stored.logical, size: content.length, appender: false }, 'uploaded');
  return encodeUploadResponse(rt.group, stored.logical);
}

function storePlainNow(rt: StorageRuntime, ip: string, ext: string, storePathIndex: number, content: Buffer): { logical: string; timestamp: number } | null {
  // The disk stalls: the full path stores through the thread pool meanwhile (disk-pace.ts).
  if (diskPace().slow) return null;
  const began = performance.now();
  try {
    return storePlainBlocking(rt, ip, ext, storePathIndex, content);
  } finally {
    diskPace().took(performance.now() - began);
  }
}

function storePlainBlocking(rt: StorageRuntime, ip: string, ext: string, storePathIndex: number, content: Buffer): { logical: string; timestamp: number } | null {
  const index = rt.placement.choosePathNow(storePathIndex, content.length);
  if (index === null) return null;
  const { subHigh, subLow } = rt.placement.nextSubdirs(ip);
  const dir = rt.paths.dirOf(index, subHigh, subLow);
  try {
    rt.paths.ensureDirNow(dir);
    const native = fastPath();
    if (native) return storeNatively(rt, native, dir, ip, ext, index, subHigh, subLow, content);
    const file = new BufferedFile(dir, [content], { fsyncAfterBytes: rt.config.fsyncAfterWrittenBytes, counters: rt.stats });
    for (let attempt = 1; attempt <= NAME_ATTEMPTS; attempt++) {
      const timestamp = nowSec();
      const logical = encodeFileName({
        source: nameSource(rt, ip), timestamp, size: content.length, kind: 'normal', crc32: file.crc32, ext,
        storePathIndex: index, subHigh, subLow,
      });
      try {
        file.publishNow(rt.paths.resolve(logical).absPath, timestamp);
        return { logical, timestamp };
      } catch (err) {
        if (!(err instanceof StatusError && err.errno === Errno.EEXIST)) throw err;
      }
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') rt.paths.forgetDir(dir);
  }
  return null;
}

/** source, timestamp, store path index, sub high, sub low, fsync, attempts (native/fastpath.c). */
const nativeParams = new Int32Array(7);

function storeNatively(
  rt: StorageRuntime, native: FastPath, dir: string, ip: string, ext: string, index: number, subHigh: number, subLow: number,
  content: Buffer,
): { logical: string; timestamp: number } | null {
  const timestamp = nowSec();
  const p = nativeParams;
  p[0] = sourceWord(nameSource(rt, ip));
  p[1] = timestamp;
  p[2] = index;
  p[3] = subHigh;
  p[4] = subLow;
  p[5] = rt.config.fsyncAfterWrittenBytes > 0 ? 1 : 0;
  p[6] = NAME_ATTEMPTS;
  const logical = native.storeSmall(content, dir, ext, p);
  if (typeof logical === 'number') {
    // The full path does it again and reports; a missing directory is made again there.
    if (logical === -Errno.ENOENT) rt.paths.forgetDir(dir);
    return null;
  }
  rt.stats.fileOpen(true);
  rt.stats.fileWrite(true);
  return { logical, timestamp };
}
