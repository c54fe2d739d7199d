// A fresh tracker runs its hot queries before it takes its port, for the reason storage workers do
// (storage/workers/warm-up.ts): V8 optimizes a function only after many runs, and the first thousands of
// queries after a start otherwise pay for it. A scratch tracker of the same class, on a loopback port and a
// scratch folder, holds one ACTIVE member; clients ask it 101 (store) and 102 (fetch) over real connections;
// then it stops and the folder is removed. The real tracker's model, files and counters never see it.
import type { TrackerConfig } from '../config/index.js';
import { AllowHosts } from '../config/allow-hosts.js';
import type { Logger } from '../log.js';
import type { Connection } from '../net/connection.js';
import { scratchFolder } from '../net/scratch-folder.js';
import { runOnScratch, scratchConnections, shareOf, warmUpPlanFrom, type WarmUpTiming } from '../net/warm-up.js';
import { StorageStatus, TrackerCmd } from '../protocol/codes.js';
import { encodeFileName } from '../protocol/file-id.js';
import { encodeHeader } from '../protocol/header.js';
import { decodeQueryFetchResponse, decodeQueryStoreResponse, encodeQueryFetchRequest, encodeQueryStoreRequest } from '../protocol/tracker-query.js';
import { TrackerServer } from './tracker-server.js';

export interface TrackerWarmUpPlan {
  /** Store queries and as many fetch queries. */
  queries: number;
  connections: number;
  deadlineMs: number;
}

export const DEFAULT_TRACKER_WARM_UP: TrackerWarmUpPlan = { queries: 4000, connections: 4, deadlineMs: 5000 };

/** FDFS_WARM_UP as storage workers read it: unset the default, 0 none, N (their small uploads) N queries. */
export function trackerWarmUpPlan(env: NodeJS.ProcessEnv = process.env): TrackerWarmUpPlan | null {
  return warmUpPlanFrom(DEFAULT_TRACKER_WARM_UP, (n) => ({ ...DEFAULT_TRACKER_WARM_UP, queries: n }), env);
}

export interface TrackerWarmUpResult extends WarmUpTiming {
  queries: number;
}

/** The scratch folder (fixed: a crash leaves at most one behind, removed next time). */
export function trackerWarmUpFolder(config: TrackerConfig): string {
  return scratchFolder(config.basePath, null);
}

const GROUP = 'group1';
const LIST_GROUPS = encodeHeader(0, TrackerCmd.ServerListAllGroups);
const MEMBER_IP = '127.0.0.1';

/** Run the plan on a scratch tracker; null when it could not (the reason is logged at debug level). */
export function warmUpTracker(config: TrackerConfig, log: Logger, plan: TrackerWarmUpPlan): Promise<TrackerWarmUpResult | null> {
  const folder = trackerWarmUpFolder(config);
  return runOnScratch(folder, log, plan.deadlineMs, async ({ quiet, atEnd }) => {
    const scratch = new TrackerServer({
      ...config, basePath: folder, bindAddr: '127.0.0.1', port: 0, allowHosts: AllowHosts.all(),
      // A plain port for the warm-up's own clients: no keys, no cluster secret, no TLS.
      authPolicy: 'off', clusterSecretFile: '', tlsPort: 0, httpTlsPort: 0, clusterTls: false,
    }, { log: quiet });
    atEnd(() => scratch.stop());
    await scratch.start();
    addActiveMember(scratch);
    return { queries: await drive(scratch.address.port, plan) };
  });
}

/** One member, ACTIVE with free space, as a storage's join and first beats would leave it. */
function addActiveMember(t: TrackerServer): void {
  const now = Math.floor(Date.now() / 1000);
  const node = t.cluster.join({
    group: GROUP, id: MEMBER_IP, ip: MEMBER_IP, storagePort: 23000, storePathCount: 1, subdirCountPerPath: 256,
    uploadPriority: 10, joinTime: now, upTime: now, version: '6.16.1', initFlag: true, status: 0,
  });
  node.paths = [{ totalMb: 1 << 20, freeMb: 1 << 19 }];
  node.lastHeartBeatTime = now;
  t.cluster.setStatus(node, StorageStatus.Online, 'warm-up');
  t.cluster.setStatus(node, StorageStatus.Active, 'warm-up');
}

async function drive(port: number, plan: TrackerWarmUpPlan): Promise<number> {
  const conns = await scratchConnections(port, plan.connections);
  let done = 0;
  const now = Math.floor(Date.now() / 1000);
  const one = async (conn: Connection, count: number) => {
    for (let i = 0; i < count; i++) {
      const target = decodeQueryStoreResponse(await conn.call(encodeQueryStoreRequest()));
      if (target.ip !== MEMBER_IP) throw new Error(`warm-up store query answered ${target.ip}`);
      const logical = encodeFileName({
        source: { ipv4: MEMBER_IP }, timestamp: now - (i % 3600), size: 4096 + i, kind: 'normal', crc32: i, ext: 'jpg',
        storePathIndex: 0, subHigh: i & 255, subLow: (i >> 8) & 255,
      });
      decodeQueryFetchResponse(await conn.call(encodeQueryFetchRequest(TrackerCmd.QueryFetchOne, GROUP, logical)));
      // Now and then a request that takes the async path, as storages' beats and joins will: the connection
      // code then knows both paths before it is optimized, not only after the first storage connects.
      if (i % 50 === 0) await conn.call(LIST_GROUPS);
      done++;
    }
  };
  try {
    await Promise.all(conns.map((c, i) => one(c, shareOf(plan.queries, plan.connections, i))));
  } finally {
    for (const c of conns) c.destroy();
  }
  return done;
}
