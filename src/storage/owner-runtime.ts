// The owner process's runtime, built one way for the real store and for the sync sender's warm-up
// (sync/warm-up.ts): one object literal, so the code the warm-up optimizes sees the shape it will meet.
import type { StorageConfig } from '../config/index.js';
import type { Logger } from '../log.js';
import type { BinlogWriter } from './binlog/writer.js';
import { VerifiedCopies } from './repair/content-check.js';
import { MissingFiles } from './repair/missing-files.js';
import { Repairer } from './repair/repairer.js';
import type { OwnerRuntime } from './runtime.js';
import { HotFiles } from './store/hot-files.js';
import { KeyedLock } from './store/locks.js';
import { Placement } from './store/placement.js';
import type { StatsKeeper } from './store/stats.js';
import type { StorePaths } from './store/store-paths.js';
import { MemberList } from './tracker-side/member-list.js';
import { defaultTrackerParams } from './tracker-side/tracker-params.js';

export interface OwnerParts {
  config: StorageConfig;
  log: Logger;
  paths: StorePaths;
  binlog: BinlogWriter;
  stats: StatsKeeper;
  progress: OwnerRuntime['progress'];
  /** The address the last run learned (.data_init_flag), '' when none. */
  myIp: string;
  trunk: OwnerRuntime['trunk'];
}

export function buildOwnerRuntime(p: OwnerParts): OwnerRuntime {
  const c = p.config;
  const params = defaultTrackerParams();
  const members = new MemberList(c, c.groupName);
  const rt: OwnerRuntime = {
    config: c,
    group: c.groupName,
    log: p.log,
    paths: p.paths,
    binlog: p.binlog,
    stats: p.stats,
    locks: new KeyedLock(),
    params,
    placement: new Placement({
      paths: p.paths, stats: p.stats, params, readonly: c.storePathReadonly,
      distributeMode: c.fileDistributePathMode, rotateCount: c.fileDistributeRotateCount,
    }),
    myIp: p.myIp,
    progress: p.progress,
    content: { verified: new VerifiedCopies(), repairer: new Repairer(() => rt), missing: new MissingFiles(() => rt), hot: new HotFiles() },
    memberIps: null,
    freshMemberIps: () => members.fresh(),
    trunk: p.trunk,
  };
  return rt;
}
