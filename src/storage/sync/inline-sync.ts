// 16 SYNC_CREATE_FILE of a small file this storage does not have yet, answered in one synchronous step once its
// connection has gathered it whole (as inline uploads are, handlers/inline-upload.ts): the same checks, file,
// binlog record and progress as receiver.ts syncFile, with blocking calls only. Null, having changed nothing,
// whenever the full path is needed (a name already here, a trunk name, a sender not known as a member, an
// error): it then does the work again and answers properly.
import { StorageCmd } from '../../protocol/codes.js';
import { encodeStatus } from '../../protocol/header.js';
import { decodeSyncFileHead } from '../../protocol/sync.js';
import { isTrunkName } from '../../protocol/trunk-slot.js';
import { BufferedFile } from '../store/file-writer.js';
import type { StorageConnState, StorageRuntime } from '../runtime.js';
import { noteReceivedFrom } from './receiver.js';
import { fastPath } from '../../native/fastpath.js';
import { Errno } from '../../errors.js';

/** Content up to this size (and buff_size) is gathered whole and written inline. */
const INLINE_SYNC_MAX = 256 << 10;
/** filename_len i64, file_size i64, timestamp i32, group[16], then the name (< 128 bytes). */
export const SYNC_HEAD_MAX = 8 + 8 + 4 + 16 + 128;
const OK = encodeStatus(0);

/** Whether a request is a small SYNC_CREATE_FILE worth gathering whole (then inlineSyncCreate answers it). */
export function gathersSyncCreate(rt: StorageRuntime, cmd: number, bodyLength: number): boolean {
  return cmd === StorageCmd.SyncCreateFile && bodyLength <= SYNC_HEAD_MAX + Math.min(INLINE_SYNC_MAX, rt.config.buffSize);
}

/** `conn`: the connection's peer (a member of the group, or the full path judges). */
export function inlineSyncCreate(rt: StorageRuntime, state: StorageConnState, conn: { readonly remoteAddress: string }, body: Buffer): Buffer | null {
  // Only the group's members may push (dispatch.ts PEER_ONLY); one not in the last list is the full path's to judge.
  if (rt.memberIps !== null && !rt.memberIps.includes(conn.remoteAddress)) return null;
  let decoded;
  try {
    decoded = decodeSyncFileHead(StorageCmd.SyncCreateFile, body);
  } catch {
    return null;
  }
  if (!decoded) return null;
  const { head, consumed } = decoded;
  if (head.group !== rt.group || isTrunkName(head.filename) || body.length - consumed !== head.fileSize) return null;
  let target;
  try {
    target = rt.paths.resolve(head.filename);
  } catch {
    return null;
  }
  // A name already here (rare: a record sent again) fails the link without replacing it; the full path then takes
  // the lock and answers EEXIST. No stat first: it would cost every new replica a syscall.
  try {
    rt.paths.ensureDirNow(target.dir);
    const content = body.subarray(consumed);
    const native = fastPath();
    if (native) {
      // One directory entry (an unnamed file linked once whole) instead of a temp name, the name and an unlink.
      const rc = native.storeNamed(content, target.dir, target.fileName, head.timestamp, rt.config.fsyncAfterWrittenBytes > 0 ? 1 : 0);
      if (rc < 0) {
        if (rc === -Errno.ENOENT) rt.paths.forgetDir(target.dir);
        return null;
      }
      rt.stats.fileOpen(true);
      rt.stats.fileWrite(true);
    } else {
      const file = new BufferedFile(target.dir, [content], { fsyncAfterBytes: rt.config.fsyncAfterWrittenBytes, counters: rt.stats });
      file.publishNow(target.absPath, head.timestamp);
    }
  } catch (err) {
    // Nothing is left behind (publishNow removes its temp file); EEXIST means another connection won the race.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') rt.paths.forgetDir(target.dir);
    return null;
  }
  rt.binlog.append({ timestamp: head.timestamp, op: 'c', filename: head.filename });
  noteReceivedFrom(rt, state.syncSource || conn.remoteAddress, head.timestamp, head.fileSize);
  return OK;
}
