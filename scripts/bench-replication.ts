// Replication lag benchmark: a tracker and two storages as real `fdfs serve` processes; N uploads of SIZE
// bytes at concurrency C through the tracker; lag = client's acknowledgement → the file answers
// QUERY_FILE_INFO on the other member (polled in upload order, the order senders push in; a file that
// arrives early is counted when its predecessors are there). Prints p50/p90/p99/max; bounded in count and time.
//   npm run build && npx tsx scripts/bench-replication.ts [-n 2000] [-c 4] [-s 4096] [-t auto|N (sync_max_threads)]
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { FdfsClient } from '../src/client/index.js';
import { Errno, StatusError } from '../src/errors.js';
import { Connection } from '../src/net/connection.js';
import { StorageCmd, StorageStatus } from '../src/protocol/codes.js';
import { splitFileId } from '../src/protocol/file-id.js';
import { encodeQueryFileInfoRequest } from '../src/protocol/storage-file.js';
import { startStorage, startTracker, stopAll, waitFor, type StorageHandle } from '../test/helpers/cluster.js';

const { values } = parseArgs({
  options: {
    n: { type: 'string', short: 'n', default: '2000' },
    c: { type: 'string', short: 'c', default: '4' },
    s: { type: 'string', short: 's', default: '4096' },
    threads: { type: 'string', short: 't', default: 'auto' },
    'time-limit': { type: 'string', default: '120' },
  },
});
const COUNT = Number(values.n);
const CONCURRENCY = Number(values.c);
const SIZE = Number(values.s);
const DEADLINE = Date.now() + Number(values['time-limit']) * 1000;

interface Pending { id: string; peer: string; acked: number }

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function present(c: Connection, fileId: string): Promise<boolean> {
  const { group, logical } = splitFileId(fileId);
  try {
    await c.call(encodeQueryFileInfoRequest({ group, filename: logical, notCalcCrc32: true }), { cmd: StorageCmd.QueryFileInfo });
    return true;
  } catch (err) {
    if (err instanceof StatusError && err.errno === Errno.ENOENT) return false;
    throw err;
  }
}

async function main(): Promise<void> {
  const tracker = await startTracker({ conf: { check_active_interval: 3 } });
  const storages: StorageHandle[] = [];
  const conf = { sync_max_threads: values.threads!, ...(process.env.WORK_THREADS ? { work_threads: process.env.WORK_THREADS } : {}) };
  storages.push(await startStorage({ trackers: [tracker.address], conf }));
  storages.push(await startStorage({ trackers: [tracker.address], conf }));
  const client = new FdfsClient({ trackers: [tracker.address] });
  try {
    const statusOf = async (s: StorageHandle) => (await client.listStorages('group1')).find((r) => r.ipAddr === s.host)?.status;
    await waitFor('storages ACTIVE', async () => (await statusOf(storages[0]!)) === StorageStatus.Active && (await statusOf(storages[1]!)) === StorageStatus.Active, 30_000);
    // One polling connection per member; a file is checked on the member that is not its source.
    const probes = new Map<string, Connection>();
    // A short timeout: a stuck probe must fail the run, not pass for replication lag.
    for (const s of storages) probes.set(s.host, await Connection.connect(s.host, s.port, { networkTimeout: 5 }));
    const other = (src: string) => storages.find((s) => s.host !== src)!.host;
    // Senders push in binlog order, so per peer only the oldest unconfirmed upload needs checking.
    const queues = new Map<string, Pending[]>(storages.map((s) => [s.host, []]));
    const lags: number[] = [];
    let uploading = true;
    const waiting = () => [...queues.values()].reduce((n, q) => n + q.length, 0);
    const poller = (async () => {
      while ((uploading || waiting()) && Date.now() < DEADLINE) {
        let progress = false;
        for (const [peer, q] of queues) {
          const head = q[0];
          if (head && (await present(probes.get(peer)!, head.id))) {
            lags.push(performance.now() - head.acked);
            q.shift();
            progress = true;
          }
        }
        if (!progress) await new Promise((r) => setTimeout(r, 1));
      }
    })();
    let next = 0;
    const t0 = performance.now();
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
      while (next < COUNT && Date.now() < DEADLINE) {
        next++;
        const id = await client.upload(randomBytes(SIZE), { ext: 'bin' });
        const src = client.decodeFileId(id).source;
        const peer = other('ipv4' in src ? src.ipv4 : '');
        queues.get(peer)!.push({ id, peer, acked: performance.now() });
      }
    }));
    const uploadMs = performance.now() - t0;
    uploading = false;
    await poller;
    for (const c of probes.values()) c.destroy();
    const sorted = lags.sort((a, b) => a - b);
    const f = (x: number) => x.toFixed(1);
    console.log(`sync_max_threads ${values.threads}; uploads: ${next} × ${SIZE} B at concurrency ${CONCURRENCY} in ${(uploadMs / 1000).toFixed(2)} s (${Math.round(next / (uploadMs / 1000))}/s)`);
    console.log(`replicated: ${sorted.length}, not seen on the peer by the deadline: ${waiting()}`);
    if (sorted.length) {
      console.log(`lag ms (ack → on peer): p50 ${f(pct(sorted, 50))}  p90 ${f(pct(sorted, 90))}  p99 ${f(pct(sorted, 99))}  max ${f(sorted.at(-1)!)}`);
    }
  } finally {
    client.close();
    await stopAll([...storages, tracker]);
  }
}

await main();
