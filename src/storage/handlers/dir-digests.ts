// 122 DIR_DIGESTS (fdfs extension, src/protocol/dir-digests.ts): digests of the leaf directories under one
// top-level directory of this storage, for a peer's anti-entropy comparison.
import { FdfsStorageCmd } from '../../protocol/codes.js';
import { DirDigestsCommands, encodeDirDigestsResponse } from '../../protocol/dir-digests.js';
import { leafDigests } from '../repair/dir-digest.js';
import { checkGroup, readRequest, type StorageCtx, type StorageRuntime } from '../runtime.js';

export async function dirDigests(rt: StorageRuntime, ctx: StorageCtx): Promise<void> {
  const req = await readRequest(rt, ctx, DirDigestsCommands.DirDigests);
  checkGroup(rt, req.group, FdfsStorageCmd.DirDigests);
  const index = Number.parseInt(req.dir.slice(1, 3), 16);
  const dataDir = rt.paths.dataDirs[index];
  // A store path this storage does not have holds nothing.
  await ctx.reply(encodeDirDigestsResponse(dataDir ? await leafDigests(dataDir, req.dir.slice(4)) : []));
}
