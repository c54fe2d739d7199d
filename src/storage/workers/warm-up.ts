// A fresh worker runs its hot paths before it takes the storage port. V8 starts every function in the
// interpreter and optimizes it only after many runs, so the first few thousand requests after a start cost two to
// three times the CPU of later ones (and every restart of a busy storage met its peak at that cost). Here the
// worker serves a scratch copy of itself on a loopback port of its own — the same runtime, server and handlers,
// over a store and binlog in a scratch folder — and uploads and downloads small and large files through it, and
// pushes it small replicas as a group's other member would;
// then the scratch server closes and the folder is removed. Nothing of it reaches the real store, binlog,
// counters or metrics (its request counts are dropped). FDFS_WARM_UP=0 skips it; =N sets the small uploads.
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import zlib from 'node:zlib';
import type { StorageConfig } from '../../config/index.js';
import { AllowHosts } from '../../config/allow-hosts.js';
import type { Logger } from '../../log.js';
import type { Connection } from '../../net/connection.js';
import { scratchFolder } from '../../net/scratch-folder.js';
import { runOnScratch, scratchConnections, shareOf, warmUpPlanFrom, type WarmUpTiming } from '../../net/warm-up.js';
import { StorageCmd } from '../../protocol/codes.js';
import { encodeFileName } from '../../protocol/file-id.js';
import { encodeSyncFileHead } from '../../protocol/sync.js';
import { isTrunkName } from '../../protocol/trunk-slot.js';
import { decodeUploadResponse, encodeDownloadRequest, encodeUploadHead } from '../../protocol/storage-file.js';
import { applyTrackerParams, defaultTrackerParams } from '../tracker-side/tracker-params.js';
import { Errno } from '../../errors.js';
import type { FrameServer } from '../../net/server.js';
import type { StorageConnState } from '../runtime.js';
import { buildWorkerRuntime, storagePortServer, type WorkerRuntime } from './worker-runtime.js';
import { workerLane } from './worker-count.js';
import type { SharedState, ToOwner, TrunkReply } from './ipc.js';

export interface WarmUpPlan {
  /** Small uploads (each downloaded once afterwards): the inline paths. */
  small: number;
  smallSize: number;
  /**
   * Uploads just over what is gathered whole and read in one step (each downloaded once): the streamed paths.
   * They run many times per request's bytes fewer than small ones, so they need their own count to be optimized.
   */
  large: number;
  /** Small replicas pushed as a group's other member pushes them: the receiving path. */
  replicas: number;
  /**
   * Small uploads into trunk files (each downloaded once): the trunk path, which a group with use_trunk_file
   * takes for every small file. Run whatever the group's setting: at a worker's start the tracker has not said it.
   */
  trunk: number;
  /** Connections driving it at once. */
  connections: number;
  /** Give up (and serve anyway) after this long. */
  deadlineMs: number;
}

export const DEFAULT_WARM_UP: WarmUpPlan = {
  small: 3000, smallSize: 4096, large: 200, replicas: 1000, trunk: 2000, connections: 4, deadlineMs: 5000,
};

/** The plan from FDFS_WARM_UP (unset: the default; 0: none; N: N small uploads and N/15 large ones). */
export function warmUpPlan(env: NodeJS.ProcessEnv = process.env): WarmUpPlan | null {
  return warmUpPlanFrom(DEFAULT_WARM_UP, (n) => ({
    ...DEFAULT_WARM_UP, small: n, large: Math.min(DEFAULT_WARM_UP.large, Math.ceil(n / 15)), replicas: Math.ceil(n / 3),
    trunk: Math.ceil(n * 2 / 3),
  }), env);
}

/** Just over both the largest body gathered whole (buff_size, at most 256 KiB) and the largest range read whole. */
export function largeWarmUpSize(config: StorageConfig): number {
  return Math.max(config.buffSize, 256 << 10) + (64 << 10);
}

export interface WarmUpResult extends WarmUpTiming {
  uploads: number;
  downloads: number;
  replicas: number;
  trunkUploads: number;
}

/** The scratch folder of this worker (fixed per lane: a crash leaves at most one behind, removed next time). */
export function warmUpFolder(config: StorageConfig): string {
  return scratchFolder(config.basePath, String(workerLane(config)?.index ?? 0));
}

/** Run the plan on a scratch runtime; null when it could not (the reason is logged at debug level). */
export function warmUpWorker(config: StorageConfig, log: Logger, plan: WarmUpPlan, state?: SharedState): Promise<WarmUpResult | null> {
  const folder = warmUpFolder(config);
  return runOnScratch(folder, log, plan.deadlineMs, async ({ quiet, atEnd }) => {
    // The owner's view where it has one (the same parameter shapes), but no trunk space and no peers. Applied
    // after another one: the runtime's fields have held more than one value before V8 optimizes code reading
    // them, as they will when the owner sends news, so that code does not treat them as constants (to be thrown
    // away at the first update).
    // Its own loopback is the one member, so that the warm-up may push replicas to it.
    const view: SharedState = {
      myIp: state?.myIp || '127.0.0.1', identity: state?.identity, memberIps: [LOOPBACK], binlogIndex: 0,
      params: state?.params ?? { ...defaultTrackerParams(), loaded: true }, trunkSpace: false, trunkServer: false,
    };
    const first = { ...view, myIp: '127.0.0.2', memberIps: null, params: { ...defaultTrackerParams(), loaded: true } };
    const lender = new ScratchTrunkLender();
    const { parts, server } = await scratchWorker(config, folder, quiet, atEnd, (m) => lender.answer(m), [first, view]);
    lender.replyTo = (r) => parts.trunkSpace.replied(r);
    const remove = (logical: string) => rmSync(parts.rt.paths.resolve(logical).absPath, { force: true });
    // Last, as the group's trunk server (its leases lent here): what stays in force until the owner's view comes.
    return drive(server.address.port, config.groupName, plan, largeWarmUpSize(config), remove, () => parts.apply(trunkView(view)));
  });
}

/** The view with trunk files on and this storage the trunk server (trunk files of the smallest size, sparse). */
function trunkView(view: SharedState): SharedState {
  const raw = { ...view.params.raw, use_trunk_file: 'true', trunk_file_size: String(SCRATCH_TRUNK_FILE_BYTES) };
  const params = { ...view.params };
  applyTrackerParams(params, raw);
  return { ...view, params, trunkSpace: true, trunkServer: true };
}

const SCRATCH_TRUNK_FILE_BYTES = 4 << 20;

/** The owner's part in the trunk warm-up: leases cut one after another from fresh trunk files, answered a turn later. */
export class ScratchTrunkLender {
  replyTo: ((r: TrunkReply) => void) | null = null;
  private fileId = 1;
  private offset = 0;

  answer(m: ToOwner): boolean {
    if (m.t === 'trunk-lease') {
      if (this.offset + m.leaseSize > SCRATCH_TRUNK_FILE_BYTES) {
        this.fileId++;
        this.offset = 0;
      }
      const slot = { storePathIndex: m.index, subHigh: 0, subLow: 0, fileId: this.fileId, offset: this.offset, size: m.leaseSize };
      this.offset += m.leaseSize;
      this.reply({ t: 'trunk-reply', id: m.id, slot });
      return true;
    }
    if (m.t === 'trunk-reserve' || m.t === 'trunk-commit' || m.t === 'trunk-free') {
      this.reply({ t: 'trunk-reply', id: m.id, error: { errno: Errno.EINVAL, message: 'no trunk server in a warm-up' } });
      return true;
    }
    // Other messages (counters, locks) have no owner here: not sent.
    return false;
  }

  private reply(r: TrunkReply): void {
    setImmediate(() => this.replyTo?.(r));
  }
}

/**
 * A worker's runtime and storage port over `folder`, built as a worker builds its own (bind_addr stays: names
 * made there carry it, and its string is the kind the real names are made from), on a loopback port of its own,
 * given the owner's `views` in turn; both closed at the end of the scratch run. `send` stands for the owner.
 */
export async function scratchWorker(config: StorageConfig, folder: string, quiet: Logger, atEnd: (close: () => unknown) => void,
  send: (m: ToOwner) => boolean, views: SharedState[]): Promise<{ parts: WorkerRuntime; server: FrameServer<StorageConnState> }> {
  mkdirSync(path.join(folder, 'data', 'sync'), { recursive: true });
  const parts = buildWorkerRuntime({
    ...config, basePath: folder, storePaths: [folder], storePathReadonly: [], port: 0, allowHosts: AllowHosts.all(),
  }, quiet, send);
  atEnd(() => parts.close());
  for (const v of views) parts.apply(v);
  parts.binlog.switchTo(0);
  const server = storagePortServer(parts.rt, quiet, { at: { host: LOOPBACK, port: 0 }, exclusive: true });
  atEnd(() => server.close());
  await server.listen();
  return { parts, server };
}

const LOOPBACK = '127.0.0.1';
/** Replicas go as a peer's sender sends small creates: runs of this many requests in one write. */
const REPLICA_RUN = 16;

interface Driven {
  uploads: number;
  downloads: number;
  replicas: number;
  trunkUploads: number;
}

/**
 * `remove` deletes a file once it was downloaded: the scratch store never holds more than a few files' bytes.
 * `toTrunk` switches the scratch runtime to trunk files for the last phase, whose slots stay (the folder goes at
 * the end); `trunkUploads` counts the uploads that got a trunk name.
 */
async function drive(port: number, group: string, plan: WarmUpPlan, largeSize: number, remove: (logical: string) => void,
  toTrunk: () => void): Promise<Driven> {
  const state: Driven = { uploads: 0, downloads: 0, replicas: 0, trunkUploads: 0 };
  const countTrunk = (logical: string) => {
    if (isTrunkName(logical)) state.trunkUploads++;
  };
  const conns = await scratchConnections(port, plan.connections);
  try {
    const n = plan.connections;
    await Promise.all(conns.map((c, i) => driveOne(c, group, shareOf(plan.small, n, i), plan.smallSize, state, remove)));
    await Promise.all(conns.map((c, i) => pushReplicas(c, group, shareOf(plan.replicas, n, i), plan.smallSize, state, remove)));
    await Promise.all(conns.map((c, i) => driveOne(c, group, shareOf(plan.large, n, i), largeSize, state, remove)));
    toTrunk();
    // Its uploads and downloads are not counted with the others': trunkUploads tells them.
    const trunkPhase: Driven = { uploads: 0, downloads: 0, replicas: 0, trunkUploads: 0 };
    await Promise.all(conns.map((c, i) => driveOne(c, group, shareOf(plan.trunk, n, i), plan.smallSize, trunkPhase, countTrunk)));
  } finally {
    for (const c of conns) c.destroy();
  }
  return state;
}

/** `count` uploads of `size` bytes on one connection, then a download of each. */
async function driveOne(conn: Connection, group: string, count: number, size: number, state: Driven, remove: (logical: string) => void): Promise<void> {
  const content = randomBytes(size);
  const head = encodeUploadHead(StorageCmd.UploadFile, { storePathIndex: -1, fileSize: size, ext: 'bin' });
  // Uploads and downloads alternate in runs, as in a real mix; each file goes once it was read back.
  const RUN = 50;
  // Past the deadline the scratch server closes, and the next call here fails: that ends it.
  for (let done = 0; done < count;) {
    const names: string[] = [];
    for (let i = 0; i < RUN && done < count; i++, done++) {
      content.writeUInt32BE(done, 0); // a different CRC each time, as real files have
      // Head and content written apart and the download read as it comes: no large buffer is made per file
      // (their churn would leave the process's memory high after the warm-up).
      await conn.send(head);
      // Every other body after a turn of the loop: the server then reads the head alone and gathers the body
      // from later reads, as it does for clients that write them apart (stock's C client does).
      if (done % 2 === 0) await new Promise<void>((resolve) => setImmediate(resolve));
      await conn.write(content);
      names.push(decodeUploadResponse(await conn.answer()).logical);
      state.uploads++;
    }
    for (const filename of names) {
      await conn.open(encodeDownloadRequest({ group, filename, fileOffset: 0, downloadBytes: 0 }));
      let got = 0;
      for await (const chunk of conn.body()) got += chunk.length;
      conn.done();
      if (got !== size) throw new Error(`warm-up download returned ${got} bytes, not ${size}`);
      state.downloads++;
      remove(filename);
    }
  }
}

/**
 * `count` replicas pushed as a member's sync sender pushes small files to an fdfs peer (16 SYNC_CREATE_FILE, runs
 * of requests in one write and their answers read in order), each removed once answered: the receiving path of
 * a group's other member.
 */
async function pushReplicas(conn: Connection, group: string, count: number, size: number, state: Driven, remove: (logical: string) => void): Promise<void> {
  const content = randomBytes(size);
  const timestamp = Math.floor(Date.now() / 1000);
  for (let done = 0; done < count;) {
    const frames: Buffer[] = [];
    const names: string[] = [];
    for (let i = 0; i < REPLICA_RUN && done < count; i++, done++) {
      content.writeUInt32BE(done, 0);
      const filename = encodeFileName({
        source: { ipv4: LOOPBACK }, timestamp, size, kind: 'normal', crc32: zlib.crc32(content) >>> 0, ext: 'bin',
        storePathIndex: 0, subHigh: done & 3, subLow: 0,
      });
      frames.push(encodeSyncFileHead(StorageCmd.SyncCreateFile, { fileSize: size, timestamp, group, filename }), Buffer.from(content));
      names.push(filename);
    }
    await conn.send(Buffer.concat(frames));
    for (const filename of names) {
      await conn.answer();
      state.replicas++;
      remove(filename);
    }
  }
}
