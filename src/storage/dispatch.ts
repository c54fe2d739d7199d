// The storage's command table (spec §5, §9.5) and its dispatcher, shared by the single process and the workers.
import { Errno, StatusError } from '../errors.js';
import { CommonCmd, FdfsStorageCmd, HEADER_SIZE, StorageCmd } from '../protocol/codes.js';
import { appendFile, modifyFile, regenerateAppenderFilename, truncateFile } from './handlers/appender.js';
import { deleteFile } from './handlers/delete.js';
import { downloadFile, smallDownloadAnswer } from './handlers/download.js';
import { queryFileInfo } from './handlers/file-info.js';
import { createLink } from './handlers/links.js';
import { getMetadata, setMetadata } from './handlers/metadata.js';
import { uploadFile, uploadSlaveFile } from './handlers/upload.js';
import { gathersUpload, inlineUpload, INLINE_UPLOAD_MAX, UPLOAD_HEAD } from './handlers/inline-upload.js';
import type { FrameSocket } from '../net/frame-socket.js';
import type { InlinePort } from '../net/server.js';
import { reportServerId, syncCreateLink, syncDelete, syncFile, syncPipelining, syncRename } from './sync/receiver.js';
import { gathersSyncCreate, inlineSyncCreate, SYNC_HEAD_MAX } from './sync/inline-sync.js';
import { syncRange, syncTruncate } from './sync/receiver-range.js';
import { fetchOnePathBinlog } from './sync/fetch-binlog.js';
import { listFiles } from './handlers/list-files.js';
import { repairFiles } from './handlers/repair-files.js';
import { dirDigests } from './handlers/dir-digests.js';
import type { StorageConnState, StorageCtx, StorageRuntime } from './runtime.js';
import { decodeDownloadRequest } from '../protocol/storage-file.js';
import { encodeStatus } from '../protocol/header.js';
import { trunkAllocConfirm, trunkAllocSpace, trunkFreeSpace } from './trunk/space-handlers.js';
import { trunkDeleteBinlogMarks, trunkGetBinlogSize, trunkSyncBinlog, trunkTruncateBinlog } from './trunk/binlog-handlers.js';

type Handler = (rt: StorageRuntime, ctx: StorageCtx) => Promise<void>;

/** The client ↔ storage commands this storage serves (82 QUIT is handled by the FrameServer). */
export const STORAGE_HANDLERS: Readonly<Record<number, Handler>> = {
  [StorageCmd.UploadFile]: uploadFile,
  [StorageCmd.UploadAppenderFile]: uploadFile,
  [StorageCmd.UploadSlaveFile]: uploadSlaveFile,
  [StorageCmd.CreateLink]: createLink,
  [StorageCmd.DownloadFile]: downloadFile,
  [StorageCmd.DeleteFile]: deleteFile,
  [StorageCmd.SetMetadata]: setMetadata,
  [StorageCmd.GetMetadata]: getMetadata,
  [StorageCmd.QueryFileInfo]: queryFileInfo,
  [StorageCmd.AppendFile]: appendFile,
  [StorageCmd.ModifyFile]: modifyFile,
  [StorageCmd.TruncateFile]: truncateFile,
  [StorageCmd.RegenerateAppenderFilename]: regenerateAppenderFilename,
  // Replication from the group's other storages (§9.5).
  [StorageCmd.ReportServerId]: reportServerId,
  [StorageCmd.SyncCreateFile]: syncFile,
  [StorageCmd.SyncUpdateFile]: syncFile,
  [StorageCmd.SyncDeleteFile]: syncDelete,
  [StorageCmd.SyncCreateLink]: syncCreateLink,
  [StorageCmd.SyncAppendFile]: syncRange,
  [StorageCmd.SyncModifyFile]: syncRange,
  [StorageCmd.SyncTruncateFile]: syncTruncate,
  [StorageCmd.SyncRenameFile]: syncRename,
  [StorageCmd.FetchOnePathBinlog]: fetchOnePathBinlog,
  // Trunk space, on the trunk server (§8.8).
  [StorageCmd.TrunkAllocSpace]: trunkAllocSpace,
  [StorageCmd.TrunkAllocConfirm]: trunkAllocConfirm,
  [StorageCmd.TrunkFreeSpace]: trunkFreeSpace,
  [StorageCmd.TrunkSyncBinlog]: trunkSyncBinlog,
  [StorageCmd.TrunkGetBinlogSize]: trunkGetBinlogSize,
  [StorageCmd.TrunkDeleteBinlogMarks]: trunkDeleteBinlogMarks,
  [StorageCmd.TrunkTruncateBinlogFile]: trunkTruncateBinlog,
  // fdfs extensions
  [FdfsStorageCmd.ListFiles]: listFiles,
  [FdfsStorageCmd.RepairFiles]: repairFiles,
  [FdfsStorageCmd.DirDigests]: dirDigests,
  [FdfsStorageCmd.SyncPipelining]: syncPipelining,
};

/** One request: 111 ACTIVE_TEST here, the rest through the table; unknown commands are EINVAL. */
export async function dispatchStorage(rt: StorageRuntime, ctx: StorageCtx): Promise<void> {
  const cmd = ctx.header.cmd;
  if (cmd === CommonCmd.ActiveTest) {
    if (ctx.header.pkgLen !== 0) throw new StatusError(Errno.EINVAL, 'ACTIVE_TEST with a body', cmd);
    return ctx.reply();
  }
  const handler = STORAGE_HANDLERS[cmd];
  if (!handler) throw new StatusError(Errno.EINVAL, `unknown command ${cmd}`, cmd);
  if (PEER_ONLY.has(cmd) && !fromMember(rt, ctx) && !(await fromNewMember(rt, ctx))) {
    throw new StatusError(Errno.EACCES, `command ${cmd} is for the group's storages only; ${ctx.conn.remoteAddress} is not one of them`, cmd);
  }
  await handler(rt, ctx);
}

const ACTIVE_TEST_OK = encodeStatus(0);

/** The two ends of a connection, as the inline answers need them (a FrameSocket, or one served in C). */
type ConnEnds = { readonly localAddress: string; readonly remoteAddress: string };

/**
 * The storage's inline answers (net/server.ts InlinePort), on a JavaScript socket or in the C loop: ACTIVE_TEST,
 * small uploads and replicated creates, and small downloads whose copy checks out. Everything else, errors
 * included, takes dispatchStorage.
 */
export function inlineStorage(rt: StorageRuntime, state: StorageConnState, conn: ConnEnds, cmd: number, body: Buffer): Buffer | null {
  if (cmd === StorageCmd.DownloadFile) {
    const req = decodeDownloadRequest(body);
    return req.group === rt.group ? smallDownloadAnswer(rt, req) : null;
  }
  if (cmd === CommonCmd.ActiveTest && body.length === 0) return ACTIVE_TEST_OK;
  // The C loop hands over anything up to its limit: only what a socket here would have gathered is taken.
  if (cmd === StorageCmd.UploadFile && gathersUpload(rt, cmd, body.length)) return inlineUpload(rt, conn, body);
  if (cmd === StorageCmd.SyncCreateFile && gathersSyncCreate(rt, cmd, body.length)) return inlineSyncCreate(rt, state, conn, body);
  return null;
}

/** Requests held until whole for inlineStorage: small uploads and small replicated creates. */
export function gatherStorage(rt: StorageRuntime, cmd: number, bodyLength: number): boolean {
  return gathersUpload(rt, cmd, bodyLength) || gathersSyncCreate(rt, cmd, bodyLength);
}

/** The storage port's inline answers over `of.runtime` (read each time: a server may replace its runtime). */
export class StorageInlinePort implements InlinePort<StorageConnState> {
  constructor(private readonly of: { readonly runtime: StorageRuntime }) {}

  answer(state: StorageConnState, conn: FrameSocket, cmd: number, body: Buffer): Buffer | null {
    return inlineStorage(this.of.runtime, state, conn, cmd, body);
  }

  gathers(cmd: number, bodyLength: number): boolean {
    return gatherStorage(this.of.runtime, cmd, bodyLength);
  }

  /** The same answers for a connection served in C, its state kept with it (a replication peer's id). */
  detachedAnswer(cmd: number, body: Buffer, conn: ConnEnds, state: StorageConnState): Buffer | null {
    return inlineStorage(this.of.runtime, state, conn, cmd, body);
  }

  /** A whole small upload or replica: header, its head, content up to 256 KiB (and buff_size). */
  get detachedRequestMax(): number {
    return HEADER_SIZE + Math.max(UPLOAD_HEAD, SYNC_HEAD_MAX) + Math.min(INLINE_UPLOAD_MAX, this.of.runtime.config.buffSize);
  }

  /** A client that mixes small and large files stays here a while after a large one. */
  readonly redetachAfter = 8;
}

/** The storage port takes requests of any length (streamed bodies are counted, not buffered). */
export function anyPkgLen(): number {
  return Number.MAX_SAFE_INTEGER;
}

/** Replication, recovery and repair traffic: only the group's other storages may send it. */
const PEER_ONLY: ReadonlySet<number> = new Set([
  StorageCmd.ReportServerId, StorageCmd.SyncCreateFile, StorageCmd.SyncUpdateFile, StorageCmd.SyncDeleteFile,
  StorageCmd.SyncCreateLink, StorageCmd.SyncAppendFile, StorageCmd.SyncModifyFile, StorageCmd.SyncTruncateFile,
  StorageCmd.SyncRenameFile, StorageCmd.FetchOnePathBinlog,
  StorageCmd.TrunkSyncBinlog, StorageCmd.TrunkTruncateBinlogFile,
]);
// 27/28/29 (trunk space) are not limited to members: stock storages send them without binding their address.

/** A member the trackers list for this group (before any list arrived, allow_hosts alone decides, as stock). */
function fromMember(rt: StorageRuntime, ctx: StorageCtx): boolean {
  const members = rt.memberIps;
  if (members === null) return true;
  const ip = ctx.conn.remoteAddress.replace(/^::ffff:/, '');
  return members.includes(ip);
}

/** Not in the last list: maybe a member that joined since (the trackers are asked, at most once a second). */
async function fromNewMember(rt: StorageRuntime, ctx: StorageCtx): Promise<boolean> {
  const fresh = await rt.freshMemberIps?.().catch(() => null);
  if (!fresh) return false;
  rt.memberIps = fresh;
  return fromMember(rt, ctx);
}
