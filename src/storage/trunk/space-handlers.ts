// 27 TRUNK_ALLOC_SPACE, 28 TRUNK_ALLOC_CONFIRM, 29 TRUNK_FREE_SPACE on the trunk server (spec §8.8): the other
// members' requests for trunk space. Any storage that is not the trunk server answers EINVAL, as stock.
import { Errno, StatusError } from '../../errors.js';
import { encodeTrunkInfo, TrunkCommands } from '../../protocol/trunk-commands.js';
import { SLOT_HEADER_SIZE } from '../../protocol/trunk-slot.js';
import { checkGroup, readRequest, type StorageCtx, type StorageRuntime } from '../runtime.js';
import { slotSizeFor, trunkSettings } from './settings.js';

function trunkServerOnly(rt: StorageRuntime, cmd: number): NonNullable<StorageRuntime['trunk']> {
  // Only the trunk server's own allocator may answer: a member must not forward another member's request.
  if (!rt.params.useTrunkFile || !rt.trunk || !rt.trunk.isTrunkServer()) {
    throw new StatusError(Errno.EINVAL, 'this storage is not the trunk server', cmd);
  }
  return rt.trunk;
}

export async function trunkAllocSpace(rt: StorageRuntime, ctx: StorageCtx): Promise<void> {
  const req = await readRequest(rt, ctx, TrunkCommands.AllocSpace);
  checkGroup(rt, req.group, TrunkCommands.AllocSpace.cmd);
  const trunk = trunkServerOnly(rt, TrunkCommands.AllocSpace.cmd);
  const s = trunkSettings(rt.params.raw);
  if (req.size > s.slotMaxSize) throw new StatusError(Errno.EINVAL, `${req.size} bytes is over slot_max_size`, TrunkCommands.AllocSpace.cmd);
  // The request's size counts the slot header (file size + 24).
  const slot = await trunk.space.reserve(req.storePathIndex, rt.myIp, slotSizeFor(Math.max(0, req.size - SLOT_HEADER_SIZE), s));
  await ctx.reply(encodeTrunkInfo(slot));
}

export async function trunkAllocConfirm(rt: StorageRuntime, ctx: StorageCtx): Promise<void> {
  const req = await readRequest(rt, ctx, TrunkCommands.AllocConfirm);
  checkGroup(rt, req.group, TrunkCommands.AllocConfirm.cmd);
  await trunkServerOnly(rt, TrunkCommands.AllocConfirm.cmd).space.commit(req.slot);
  await ctx.reply();
}

export async function trunkFreeSpace(rt: StorageRuntime, ctx: StorageCtx): Promise<void> {
  const req = await readRequest(rt, ctx, TrunkCommands.FreeSpace);
  checkGroup(rt, req.group, TrunkCommands.FreeSpace.cmd);
  await trunkServerOnly(rt, TrunkCommands.FreeSpace.cmd).space.free(req.slot);
  await ctx.reply();
}
