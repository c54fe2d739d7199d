// 121 REPAIR_FILES (fdfs extension, src/protocol/repair-files.ts): fetch the named files this storage lacks or
// holds damaged from its peers (repair/repairer.ts), leaving alone what its own binlog says it deleted.
import path from 'node:path';
import { FdfsStorageCmd } from '../../protocol/codes.js';
import { encodeRepairFilesResponse, RepairFilesCommands, type RepairFileOutcome } from '../../protocol/repair-files.js';
import { deletedNames } from '../repair/deleted-names.js';
import { checkGroup, readRequest, type StorageCtx, type StorageRuntime } from '../runtime.js';

export async function repairFiles(rt: StorageRuntime, ctx: StorageCtx): Promise<void> {
  const req = await readRequest(rt, ctx, RepairFilesCommands.RepairFiles);
  checkGroup(rt, req.group, FdfsStorageCmd.RepairFiles);
  for (const name of req.names) rt.paths.resolve(name); // EINVAL for a name that is not one of this storage's
  const deleted = await deletedNames(path.join(rt.config.basePath, 'data', 'sync'), new Set(req.names));
  const results: Array<{ name: string; outcome: RepairFileOutcome }> = [];
  for (const name of req.names) {
    results.push({ name, outcome: deleted.has(name) ? 'deleted' : await rt.content.repairer.restore(name) });
  }
  ctx.log.info({ names: req.names.length, repaired: results.filter((r) => r.outcome === 'repaired').length }, 'repair request');
  await ctx.reply(encodeRepairFilesResponse(results));
}
