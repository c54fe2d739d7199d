// 30–33 from a (stock) trunk server (spec §8.8): it keeps the other members' copy of its trunk binlog, so a
// member that becomes trunk server later starts from the same free space (trunk-allocator.ts reloads it then).
// 33 empties the copy before the trunk server sends it again from the start; 30 appends lines; 31 its size.
import { appendFileSync, mkdirSync, statSync, truncateSync } from 'node:fs';
import path from 'node:path';
import { Errno, StatusError } from '../../errors.js';
import { encodeTrunkFreeMb, TrunkBinlogCommands } from '../../protocol/trunk-commands.js';
import { readRequest, type StorageCtx, type StorageRuntime } from '../runtime.js';

function binlogPath(rt: StorageRuntime): string {
  return path.join(rt.config.basePath, 'data', 'trunk', 'binlog');
}

function notTrunkServer(rt: StorageRuntime, cmd: number): void {
  if (!rt.params.useTrunkFile) throw new StatusError(Errno.EINVAL, 'trunk files are off (use_trunk_file)', cmd);
  // The trunk server writes its own trunk binlog: a copy from elsewhere must not overwrite it.
  if (rt.trunk?.isTrunkServer()) throw new StatusError(Errno.EINVAL, 'this storage is the trunk server', cmd);
}

export async function trunkSyncBinlog(rt: StorageRuntime, ctx: StorageCtx): Promise<void> {
  const lines = await readRequest(rt, ctx, TrunkBinlogCommands.SyncBinlog);
  notTrunkServer(rt, TrunkBinlogCommands.SyncBinlog.cmd);
  mkdirSync(path.dirname(binlogPath(rt)), { recursive: true });
  appendFileSync(binlogPath(rt), lines);
  await ctx.reply();
}

export async function trunkTruncateBinlog(rt: StorageRuntime, ctx: StorageCtx): Promise<void> {
  await readRequest(rt, ctx, TrunkBinlogCommands.TruncateBinlogFile);
  notTrunkServer(rt, TrunkBinlogCommands.TruncateBinlogFile.cmd);
  mkdirSync(path.dirname(binlogPath(rt)), { recursive: true });
  appendFileSync(binlogPath(rt), '');
  truncateSync(binlogPath(rt), 0);
  await ctx.reply();
}

export async function trunkGetBinlogSize(rt: StorageRuntime, ctx: StorageCtx): Promise<void> {
  await readRequest(rt, ctx, TrunkBinlogCommands.GetBinlogSize);
  const size = statSync(binlogPath(rt), { throwIfNoEntry: false })?.size ?? 0;
  // The answer is one i64, the same layout as 74's body.
  await ctx.reply(encodeTrunkFreeMb(size).subarray(10));
}

export async function trunkDeleteBinlogMarks(rt: StorageRuntime, ctx: StorageCtx): Promise<void> {
  await readRequest(rt, ctx, TrunkBinlogCommands.DeleteBinlogMarks);
  await ctx.reply();
}
