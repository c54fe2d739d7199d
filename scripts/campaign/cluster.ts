// The campaign's cluster: two trackers and a group of two storages as real `fdfs serve` processes (the test
// helpers' cluster, on distinct 127.x addresses), a client on both trackers, and a cleanup that leaves nothing
// running (stopped processes are continued first so that they can exit).
import { FdfsClient } from '../../src/client/index.js';
import { Connection } from '../../src/net/connection.js';
import { TrackerCmd } from '../../src/protocol/codes.js';
import { decodeGetLeaderResponse, encodeGetLeaderRequest } from '../../src/protocol/tracker-list.js';
import {
  startStorage, startTracker, stopAll, waitAllActive, waitFor, type StorageHandle, type TrackerHandle,
} from '../../test/helpers/cluster.js';
import { ServerProcess } from '../../test/helpers/proc.js';

export interface Cluster {
  trackers: TrackerHandle[];
  storages: StorageHandle[];
  client: FdfsClient;
  /** Every server ever started, for cleanup (the disk-full cluster included). */
  all: Array<TrackerHandle | StorageHandle>;
}

/** Short client timeouts: a stalled server must cost the load seconds, not the default 30. */
export const clientFor = (trackers: TrackerHandle[]): FdfsClient =>
  new FdfsClient({ trackers: trackers.map((t) => t.address), connectTimeout: 2, networkTimeout: 5, trackerTimeout: 2 });

/** Servers being started: a cleanup waits for them, so one started during Ctrl-C is stopped too. */
const starting = new Set<Promise<unknown>>();
/** Set by cleanup: from then on nothing is started or restarted (the campaign's code may still be running). */
let closing = false;
const refuse = () => Promise.reject(new Error('the cluster is being stopped'));

/** Start a server and add it to `all` as soon as it is up. */
export function launch<T extends TrackerHandle | StorageHandle>(all: Cluster['all'], start: () => Promise<T>): Promise<T> {
  if (closing) return refuse();
  const p = start().then((h) => {
    all.push(h);
    return h;
  });
  starting.add(p);
  void p.finally(() => starting.delete(p)).catch(() => undefined);
  return p;
}

export async function startCluster(all: Cluster['all'], scrubInterval: number): Promise<Cluster> {
  const trackers: TrackerHandle[] = [];
  for (let i = 0; i < 2; i++) trackers.push(await launch(all, () => startTracker()));
  const storages: StorageHandle[] = [];
  for (let i = 0; i < 2; i++) {
    storages.push(await launch(all, () => startStorage({
      trackers: trackers.map((t) => t.address),
      conf: { scrub_interval: scrubInterval, scrub_max_bytes_per_second: '64MB' },
    })));
  }
  const client = clientFor(trackers);
  for (const t of trackers) {
    const c = clientFor([t]);
    try {
      await waitAllActive(c, storages, 30_000);
    } finally {
      c.close();
    }
  }
  await waitFor('a leader both trackers agree on', async () => {
    const [a, b] = await Promise.all(trackers.map((t) => leaderOf(t).catch(() => null)));
    return a !== null && a === b;
  }, 30_000, 200);
  return { trackers, storages, client, all };
}

/** The leader tracker `t` names (host:port). */
export async function leaderOf(t: TrackerHandle): Promise<string> {
  const c = await Connection.connect(t.host, t.port, { connectTimeout: 2, networkTimeout: 3 });
  try {
    const l = decodeGetLeaderResponse(await c.call(encodeGetLeaderRequest(), { cmd: TrackerCmd.ServerGetLeader }));
    return `${l.ip}:${l.port}`;
  } finally {
    c.destroy();
  }
}

/** Start a killed server again on the same config and data. */
export async function restart(h: TrackerHandle | StorageHandle): Promise<void> {
  if (closing) return refuse();
  h.proc = new ServerProcess(h.proc.name, h.proc.args);
  await h.proc.start();
}

/** Continue anything stopped, then stop every server and remove its data. */
export async function cleanup(all: Cluster['all']): Promise<void> {
  closing = true;
  await Promise.allSettled([...starting]);
  for (const h of all) if (h.proc.running) h.proc.child!.kill('SIGCONT');
  await stopAll(all);
}
