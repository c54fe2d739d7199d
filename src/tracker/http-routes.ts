// What the tracker's HTTP entry (src/http/tracker-entry.ts) asks the tracker: where a file can be read,
// by the same 102 QUERY_FETCH_ONE routing as binary clients get (selection.ts), and a health summary.
import type { TrackerRoutes } from '../http/tracker-entry.js';
import { StorageStatus } from '../protocol/codes.js';
import type { TrackerRuntime } from './runtime.js';
import { chooseFetch } from './selection.js';

export function trackerRoutes(rt: TrackerRuntime): TrackerRoutes {
  return {
    locate: (group, logical) => chooseFetch(rt.cluster, rt.policy, group, logical, false)[0]!.ip,
    health() {
      const groups = rt.cluster.sortedGroups();
      return {
        groups: groups.length,
        activeStorages: groups.reduce((n, g) => n + g.sorted().filter((s) => s.status === StorageStatus.Active).length, 0),
      };
    },
  };
}
