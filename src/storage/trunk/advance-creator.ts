// trunk_create_file_advance (spec §11.5; stock's trunk_create_trunk_file_advance): while this storage is the
// trunk server, a schedule (trunk_create_file_time_base + k × trunk_create_file_interval) creates trunk files
// until the free trunk space reaches trunk_create_file_space_threshold, so uploads at busy hours do not wait
// for a new trunk file. The reserved space (reserved_storage_space) is checked first, over all store paths.
import type { Logger } from '../../log.js';
import { Errno, StatusError } from '../../errors.js';
import type { StorageRuntime } from '../runtime.js';
import { allPathUsage, pathHasRoom, type PathUsage } from '../store/disk.js';
import { trunkSettings, trunkUpkeep } from './settings.js';

export interface AdvanceDeps {
  rt(): StorageRuntime;
  log: Logger;
  isTrunkServer(): boolean;
  /** Free trunk bytes, all store paths. */
  freeBytes(): number;
  /** One more trunk file in store path `index`, its space journaled free. */
  addTrunkFile(index: number, ip: string): Promise<void>;
  /** Disk usage of the store paths (tests). */
  usage?: (dirs: readonly string[]) => Promise<PathUsage[]>;
}

/** Stock's count: whole trunk files that fit in what is missing up to the threshold (none when nothing is). */
export function advanceCount(threshold: number, free: number, trunkFileSize: number): number {
  const missing = threshold - free;
  return missing > 0 ? Math.floor(missing / trunkFileSize) : 0;
}

/** One scheduled run; resolves with the number of trunk files made. ENOSPC when the reserved space forbids. */
export async function createTrunkFilesAhead(d: AdvanceDeps): Promise<number> {
  const rt = d.rt();
  const upkeep = trunkUpkeep(rt.params.raw);
  if (!upkeep.createAdvance || !d.isTrunkServer()) return 0;
  const size = trunkSettings(rt.params.raw).trunkFileSize;
  const free = d.freeBytes();
  const count = advanceCount(upkeep.createThreshold, free, size);
  if (count === 0) return 0;
  const usage = await (d.usage ?? allPathUsage)(rt.paths.dataDirs);
  const sum = usage.reduce((a, u) => ({ totalMb: a.totalMb + u.totalMb, freeMb: a.freeMb + u.freeMb }), { totalMb: 0, freeMb: 0 });
  if (!pathHasRoom(sum, rt.params.reserved, 1, upkeep.createThreshold - free)) {
    throw new StatusError(Errno.ENOSPC, `no room for ${count} trunk files of ${size} bytes above the reserved space`);
  }
  let made = 0;
  for (; made < count && d.isTrunkServer(); made++) {
    const index = await rt.placement.choosePath(-1, size);
    await d.addTrunkFile(index, rt.myIp);
  }
  d.log.info({ made, free: d.freeBytes(), threshold: upkeep.createThreshold }, 'trunk files created in advance');
  return made;
}
