// Tracker handlers for other trackers (spec §8.9): 58 JOIN_LEADER, 65 PING_LEADER, 66/67 NOTIFY/COMMIT_NEXT_LEADER,
// 68 NOTIFY_RESELECT_LEADER and the system-data transfer 61 START / 63 GET_ONE_SYS_FILE / 62 END.
import { open } from 'node:fs/promises';
import { TrackerCmd } from '../protocol/codes.js';
import { Errno, StatusError } from '../errors.js';
import type { RequestContext } from '../net/server.js';
import {
  SIZES, decodeJoinLeaderRequest, decodePingLeaderRequest, encodePingLeaderResponse, decodeNextLeaderRequest,
  decodeGetOneSysFileRequest, encodeGetOneSysFileResponse,
} from '../protocol/tracker-peer.js';
import type { TrackerConnState, TrackerRuntime } from './runtime.js';
import type { TrackerHandler } from './client-service.js';

type Ctx = RequestContext<TrackerConnState>;

function expectEmpty(cmd: number, body: Buffer): void {
  if (body.length) throw new StatusError(Errno.EINVAL, `body of ${body.length} bytes, want 0`, cmd);
}

async function joinLeader(rt: TrackerRuntime, ctx: Ctx, body: Buffer): Promise<void> {
  const req = decodeJoinLeaderRequest(body);
  if (!rt.leader.isLeader()) throw new StatusError(Errno.EOPNOTSUPP, 'not the leader', TrackerCmd.TrackerJoinLeader);
  if (ctx.state.peerTracker) throw new StatusError(Errno.EEXIST, 'already joined', TrackerCmd.TrackerJoinLeader);
  ctx.state.peerTracker = rt.leader.joinLeader(ctx.conn.remoteAddress, req);
  await ctx.reply();
}

async function pingLeader(rt: TrackerRuntime, ctx: Ctx, body: Buffer): Promise<void> {
  const req = decodePingLeaderRequest(body);
  if (!rt.leader.isLeader()) throw new StatusError(Errno.EOPNOTSUPP, 'not the leader', TrackerCmd.TrackerPingLeader);
  if (!ctx.state.peerTracker) throw new StatusError(Errno.EINVAL, 'join the leader first', TrackerCmd.TrackerPingLeader);
  rt.leader.pinged(ctx.state.peerTracker, req);
  // The first ping on a connection learns every group's trunk server (none: use_trunk_file is off).
  const entries = ctx.state.trunkSent ? [] : rt.cluster.sortedGroups().map((g) => ({ group: g.name, trunkServerId: '' }));
  ctx.state.trunkSent = true;
  await ctx.replyPacket(encodePingLeaderResponse(entries));
}

async function notifyNextLeader(rt: TrackerRuntime, ctx: Ctx, body: Buffer): Promise<void> {
  rt.leader.notifyNextLeader(decodeNextLeaderRequest(TrackerCmd.TrackerNotifyNextLeader, body));
  await ctx.reply();
}

async function commitNextLeader(rt: TrackerRuntime, ctx: Ctx, body: Buffer): Promise<void> {
  rt.leader.commitNextLeader(decodeNextLeaderRequest(TrackerCmd.TrackerCommitNextLeader, body));
  await ctx.reply();
}

async function reselectLeader(rt: TrackerRuntime, ctx: Ctx, body: Buffer): Promise<void> {
  expectEmpty(TrackerCmd.TrackerNotifyReselectLeader, body);
  rt.leader.reselect();
  await ctx.reply();
}

async function sysFilesStart(rt: TrackerRuntime, ctx: Ctx, body: Buffer): Promise<void> {
  expectEmpty(TrackerCmd.TrackerGetSysFilesStart, body);
  if (!rt.cluster.groups.size) throw new StatusError(Errno.ENOENT, 'no groups yet', TrackerCmd.TrackerGetSysFilesStart);
  // Marked first: a connection closing while the files are written must still release the lock.
  ctx.state.sysFilesLocked = true;
  if (!(await rt.sysFiles.lock(ctx.state))) {
    ctx.state.sysFilesLocked = false;
    throw new StatusError(Errno.EBUSY, 'another tracker is reading the data files');
  }
  await ctx.reply();
}

async function sysFilesEnd(rt: TrackerRuntime, ctx: Ctx, body: Buffer): Promise<void> {
  expectEmpty(TrackerCmd.TrackerGetSysFilesEnd, body);
  rt.sysFiles.unlock(ctx.state);
  ctx.state.sysFilesLocked = false;
  await ctx.reply();
}

async function getOneSysFile(rt: TrackerRuntime, ctx: Ctx, body: Buffer): Promise<void> {
  const { index, offset } = decodeGetOneSysFileRequest(body);
  let fh;
  try {
    fh = await open(rt.sysFiles.file(index), 'r');
  } catch {
    throw new StatusError(Errno.ENOENT, `data file ${index} missing`, TrackerCmd.TrackerGetOneSysFile);
  }
  try {
    const { size } = await fh.stat();
    const want = Math.max(0, Math.min(SIZES.sysFileChunkMax, size - offset));
    const buf = Buffer.alloc(want);
    const { bytesRead } = want ? await fh.read(buf, 0, want, offset) : { bytesRead: 0 };
    await ctx.replyPacket(encodeGetOneSysFileResponse({ fileSize: size, data: buf.subarray(0, bytesRead) }));
  } finally {
    await fh.close();
  }
}

export const PEER_HANDLERS: Record<number, TrackerHandler> = {
  [TrackerCmd.TrackerJoinLeader]: joinLeader,
  [TrackerCmd.TrackerPingLeader]: pingLeader,
  [TrackerCmd.TrackerNotifyNextLeader]: notifyNextLeader,
  [TrackerCmd.TrackerCommitNextLeader]: commitNextLeader,
  [TrackerCmd.TrackerNotifyReselectLeader]: reselectLeader,
  [TrackerCmd.TrackerGetSysFilesStart]: sysFilesStart,
  [TrackerCmd.TrackerGetSysFilesEnd]: sysFilesEnd,
  [TrackerCmd.TrackerGetOneSysFile]: getOneSysFile,
};
