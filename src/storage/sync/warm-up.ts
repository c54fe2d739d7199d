// The owner process pushes replicas to the group's other members, and in a fresh process that code runs cold:
// in a group of two, the owners spent about twice the CPU per replica over the first 8,000 uploads after a start
// as later, a third of it in TurboFan compiling the sender. Before the real sender starts, the owner runs one on
// a scratch copy of itself — a runtime built as the real one is (owner-runtime.ts), a binlog the way workers
// append to it, the small files it names — pushing to a scratch receiver of a worker's shape on a loopback port.
// The real store, binlog, marks and counters never see it. FDFS_WARM_UP=0 skips it; =N sizes it (N/3 records).
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import zlib from 'node:zlib';
import type { StorageConfig } from '../../config/index.js';
import type { Logger } from '../../log.js';
import { scratchFolder } from '../../net/scratch-folder.js';
import { runOnScratch, shareOf, warmUpPlanFrom, type WarmUpTiming } from '../../net/warm-up.js';
import { StorageStatus } from '../../protocol/codes.js';
import { encodeFileName } from '../../protocol/file-id.js';
import { BinlogWriter } from '../binlog/writer.js';
import { buildOwnerRuntime, type OwnerParts } from '../owner-runtime.js';
import { StatsKeeper } from '../store/stats.js';
import { StorePaths } from '../store/store-paths.js';
import type { TrackerCalls } from '../tracker-side/tracker-calls.js';
import { defaultTrackerParams } from '../tracker-side/tracker-params.js';
import { WorkerBinlog } from '../workers/worker-binlog.js';
import type { ToOwner } from '../workers/ipc.js';
import { scratchWorker } from '../workers/warm-up.js';
import { SyncSender } from './sync-sender.js';
import { syncWindow } from './sync-window.js';

export interface SenderWarmUpPlan {
  /** Binlog records: half this storage's own small uploads (pushed), half replicas it received (skipped). */
  records: number;
  fileSize: number;
  deadlineMs: number;
}

export const DEFAULT_SENDER_WARM_UP: SenderWarmUpPlan = { records: 3000, fileSize: 4096, deadlineMs: 5000 };

/** The plan from FDFS_WARM_UP (unset: the default; 0: none; N: N/3 records). */
export function senderWarmUpPlan(env: NodeJS.ProcessEnv = process.env): SenderWarmUpPlan | null {
  return warmUpPlanFrom(DEFAULT_SENDER_WARM_UP, (n) => ({ ...DEFAULT_SENDER_WARM_UP, records: Math.max(2, Math.ceil(n / 3)) }), env);
}

export interface SenderWarmUpResult extends WarmUpTiming {
  pushed: number;
}

const LOOPBACK = '127.0.0.1';
/** The peer's address: in the names of the replicas the sender passes over, and the receiver's own (the sender's is LOOPBACK). */
const PEER_IP = '127.0.0.2';

/** The owner's parts the scratch runtime shares (never written through by a sender). */
export type SharedOwnerParts = Pick<OwnerParts, 'progress' | 'trunk'>;

/** Run the plan; null when it could not (logged at debug level): the owner is then only as fast as before. */
export function warmUpSender(config: StorageConfig, shared: SharedOwnerParts, log: Logger, plan: SenderWarmUpPlan): Promise<SenderWarmUpResult | null> {
  // A daily replication window may be closed now: the scratch sender would only wait.
  if (syncWindow(config.syncStartTime, config.syncEndTime)) return Promise.resolve(null);
  const folder = scratchFolder(config.basePath, 'owner');
  return runOnScratch(folder, log, plan.deadlineMs, async ({ quiet, atEnd }) => {
    const receiver = await scratchReceiver(config, path.join(folder, 'to'), quiet, atEnd);
    const from = path.join(folder, 'from');
    // Only values of the kinds the real configuration holds: a field given an object of another shape would
    // change the configuration's hidden class, and throw away what the warm-up optimized.
    const scratch: StorageConfig = {
      ...config, basePath: from, storePaths: [from], storePathCount: 1, storePathReadonly: [], bindAddr: LOOPBACK, port: 0, syncInterval: 0,
    };
    const binlog = new BinlogWriter({ dir: path.join(from, 'data', 'sync'), flushInterval: config.syncBinlogBuffInterval, log: quiet });
    await binlog.open();
    atEnd(() => binlog.close());
    // Records arrive as in a storage with workers: appended by another writer, noticed by watching the file.
    binlog.shareAppends(async () => {});
    const paths = new StorePaths([from], config.subdirCountPerPath);
    const rt = buildOwnerRuntime({ ...shared, config: scratch, log: quiet, paths, binlog, stats: new StatsKeeper(null, quiet), myIp: LOOPBACK });
    const writer = new WorkerBinlog(binlog.dir, quiet);
    writer.switchTo(binlog.currentIndex);
    atEnd(() => writer.close());
    const calls = { syncSrc: async () => null, reportStatus: async () => 0 } as unknown as TrackerCalls;
    const peer = { id: LOOPBACK, ip: LOOPBACK, port: receiver.port, status: StorageStatus.Active };
    // Several senders one after the other, each resuming from the last one's mark: every new session starts with
    // fresh arrays and connections, and code optimized for the first session alone would be thrown away by the
    // second — as it would be by the real sender's first session.
    // Each sender stops only once the receiver has every file so far: one stopped with records in flight would
    // leave them to the next, whose second copy of a file the receiver's full path (no owner here) cannot take.
    let own = 0;
    let appended = 0;
    for (let round = 0; round < SENDER_ROUNDS; round++) {
      const sender = new SyncSender({ rt, calls, selfId: () => LOOPBACK, log: quiet }, peer);
      sender.start();
      const stop = () => sender.stop();
      atEnd(stop);
      const count = shareOf(plan.records, SENDER_ROUNDS, round);
      own += await appendRecords(paths, writer, appended, count, plan.fileSize);
      appended += count;
      const expected = own * plan.fileSize;
      if (!(await waitFor(() => receiver.bytes() >= expected, plan.deadlineMs))) {
        throw new Error(`the scratch receiver got ${receiver.bytes()} of ${expected} bytes`);
      }
      await stop();
    }
    return { pushed: own };
  });
}

/** Senders run one after another over the scratch binlog. */
const SENDER_ROUNDS = 3;

/** A receiver built as a worker is, on a loopback port of its own: its port, and the content bytes it took. */
async function scratchReceiver(config: StorageConfig, folder: string, quiet: Logger, atEnd: (close: () => unknown) => void):
  Promise<{ port: number; bytes: () => number }> {
  // File locks granted at once, as an owner with no other worker would: a record a stopped sender left
  // unanswered comes again, and its second copy takes the receiver's full path, which locks the name.
  const ownerOfLocks = (m: ToOwner): boolean => {
    if (m.t === 'lock') queueMicrotask(() => parts.locks.granted(m.id));
    return m.t === 'lock' || m.t === 'unlock';
  };
  const { parts, server } = await scratchWorker(config, folder, quiet, atEnd, ownerOfLocks, [{
    myIp: PEER_IP, identity: undefined, memberIps: [LOOPBACK], binlogIndex: 0,
    params: { ...defaultTrackerParams(), loaded: true }, trunkSpace: false, trunkServer: false,
  }]);
  return { port: server.address.port, bytes: () => parts.stats.stats.successSyncInBytes };
}

/**
 * `count` small files and their records (numbered from `first`), written in runs as uploads land: every other
 * record a replica from the peer, which the sender passes over. Returns how many records are this storage's own.
 */
async function appendRecords(paths: StorePaths, writer: WorkerBinlog, first: number, count: number, fileSize: number): Promise<number> {
  const content = randomBytes(fileSize);
  const timestamp = Math.floor(Date.now() / 1000);
  const RUN = 50;
  let own = 0;
  for (let i = first; i < first + count; i++) {
    content.writeUInt32BE(i, 0);
    const mine = i % 2 === 0;
    const logical = encodeFileName({
      source: { ipv4: mine ? LOOPBACK : PEER_IP }, timestamp, size: fileSize, kind: 'normal', crc32: zlib.crc32(content) >>> 0,
      ext: 'bin', storePathIndex: 0, subHigh: 0, subLow: i % 4,
    });
    if (mine) {
      const target = paths.resolve(logical);
      mkdirSync(target.dir, { recursive: true });
      writeFileSync(target.absPath, content);
      own++;
    }
    writer.append({ timestamp, op: mine ? 'C' : 'c', filename: logical });
    if (i % RUN === RUN - 1) await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return own;
}

async function waitFor(done: () => boolean, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (!done()) {
    if (Date.now() > until) return false;
    await new Promise<void>((resolve) => setTimeout(resolve, 10));
  }
  return true;
}
