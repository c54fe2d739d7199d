// What the tracker's HTTP entry (src/http/tracker-entry.ts, wired in src/cli/serve) asks the tracker: where a
// file can be read, by the same 102 QUERY_FETCH_ONE routing as binary clients get (selection.ts), and health.
import { StorageStatus } from '../protocol/codes.js';
import { UnavailableError } from '../errors.js';
import type { TrackerRuntime } from './runtime.js';
import { chooseFetch } from './selection.js';

/** The shape of src/http's TrackerRoutes, declared here so the tracker does not import src/http. */
export interface TrackerHttpRoutes {
  /**
   * A readable storage of `group` holding `logical` (httpPort 0 = not reported); throws StatusError, or
   * UnavailableError when the group is known but none of its storages is ACTIVE.
   */
  locate(group: string, logical: string): { host: string; httpPort: number };
  /** Extra /healthz fields. */
  health(): Record<string, unknown>;
}

export function trackerRoutes(rt: TrackerRuntime): TrackerHttpRoutes {
  return {
    locate(group, logical) {
      const g = rt.cluster.group(group);
      // Known, with members, none readable now (starting, re-joining a restarted tracker): not "not found".
      if (g && g.storages.size && !g.readable().length) {
        throw new UnavailableError(`no storage of ${group} is ACTIVE right now; try again in a few seconds`, group);
      }
      const s = chooseFetch(rt.cluster, rt.policy, group, logical, false)[0]!;
      return { host: s.ip, httpPort: s.httpPort };
    },
    health() {
      const groups = rt.cluster.sortedGroups();
      return {
        groups: groups.length,
        activeStorages: groups.reduce((n, g) => n + g.sorted().filter((s) => s.status === StorageStatus.Active).length, 0),
      };
    },
  };
}
