// The owner side of a storage's worker processes: forks them (they listen on the storage port; the cluster
// module hands out connections round-robin), and is the one place for what must be single: it grants file
// locks, merges counters and sync progress, moves workers to a new binlog file before rotating, pushes what
// it learns from the trackers, and replaces a worker that dies.
import { fastPathState } from '../../native/fastpath.js';
import { queryLoopState } from '../../net/native-queries.js';
import cluster, { type Worker } from 'node:cluster';
import type { RepairCounts } from '../repair/repairer.js';
import type { Logger } from '../../log.js';
import { metrics } from '../../metrics.js';
import { UsageError } from '../../errors.js';
import type { ConnectionStats } from '../../net/server.js';
import type { BinlogWriter } from '../binlog/writer.js';
import type { FileLocks } from '../runtime.js';
import type { StatsKeeper } from '../store/stats.js';
import { workerNodeOptions } from './worker-heap.js';
import { TIME_FIELDS, type SharedState, type ToOwner, type ToWorker, type TrunkRequest } from './ipc.js';
import { Errno, StatusError } from '../../errors.js';
import type { TrunkLender } from '../trunk/trunk-space.js';
import type { Block } from '../trunk/free-space.js';

export interface PoolHost {
  log: Logger;
  state(): SharedState;
  locks: FileLocks;
  stats: StatsKeeper;
  binlog: BinlogWriter;
  /** The owner's trunk space, lent to workers (trunk files). */
  trunk?: TrunkLender;
  noteReceived(source: string, timestamp: number): void;
}

interface Member {
  worker: Worker;
  conn: ConnectionStats;
  held: Map<number, () => void>;
  gone: boolean;
  listening: boolean;
  /**
   * The last two trunk leases lent to this worker per store path: the one it carves from and the one before,
   * which may still have a slot being written (older ones are long used up or given back).
   */
  leases: Map<number, Block[]>;
}


/** How often the owner checks whether what workers must know changed. */
const STATE_MS = 250;
const STOP_GRACE_MS = 5000;

export class WorkerPool {
  private readonly members = new Set<Member>();
  private stopping = false;
  private address: { host: string; port: number } | null = null;
  /** Where the workers serve the HTTP gateway (null: no gateway). */
  httpAddress: { host: string; port: number } | null = null;
  private lastState = '';
  private timer: NodeJS.Timeout | null = null;
  private readonly rotations = new Map<number, { waiting: Set<Member>; done: () => void }>();
  /** A trunk binlog compaction holds the workers (trunk/compactor.ts): leases asked meanwhile wait. */
  private trunkPause: { id: number; waiting: Set<Member>; done: () => void } | null = null;
  private trunkHeld = false;
  private readonly deferredTrunk: Array<{ m: Member; msg: TrunkRequest }> = [];
  private trunkPauseIds = 0;

  constructor(private readonly count: number, private readonly host: PoolHost) {}

  /** Connections of all workers (one object, updated in place), for the tracker's stat block. */
  readonly connections: ConnectionStats = { alloc: 0, current: 0, max: 0, native: 0 };
  /** Connections counted by workers that have exited. */
  private readonly retired: ConnectionStats = { alloc: 0, current: 0, max: 0, native: 0 };

  private sumConnections(): void {
    const c = this.connections;
    c.alloc = this.retired.alloc;
    c.current = 0;
    c.native = 0;
    c.max = this.retired.max;
    for (const m of this.members) {
      c.alloc += m.conn.alloc;
      c.current += m.conn.current;
      c.native += m.conn.native;
      c.max = Math.max(c.max, m.conn.max);
    }
    c.max = Math.max(c.max, c.current);
  }

  get size(): number {
    return this.members.size;
  }

  /** Fork the workers; resolves with the address once every one listens. */
  async start(): Promise<{ host: string; port: number }> {
    this.host.binlog.shareAppends((index) => this.switchBinlog(index));
    metrics()?.addConnectionSource('storage', this.connections);
    const started = Array.from({ length: this.count }, () => this.fork());
    await Promise.all(started);
    this.timer = setInterval(() => this.pushState(false), STATE_MS);
    this.timer.unref();
    this.host.log.info({ workers: this.count, fastPath: fastPathState(), queryLoop: queryLoopState() }, 'storage workers listening');
    return this.address!;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    await Promise.all([...this.members].map((m) => new Promise<void>((resolve) => {
      if (m.gone) return resolve();
      const kill = setTimeout(() => m.worker.process.kill('SIGKILL'), STOP_GRACE_MS);
      m.worker.once('exit', () => { clearTimeout(kill); resolve(); });
      this.send(m, { t: 'stop' });
    })));
  }

  private fork(): Promise<void> {
    const worker = cluster.fork({ NODE_OPTIONS: workerNodeOptions(process.env.NODE_OPTIONS) });
    const m: Member = { worker, conn: { alloc: 0, current: 0, max: 0, native: 0 }, held: new Map(), gone: false, listening: false, leases: new Map() };
    this.members.add(m);
    return new Promise<void>((resolve, reject) => {
      const greet = () => {
        this.send(m, { t: 'state', state: this.host.state() });
        // Started during a rotation: it must reach the next file before the owner moves on.
        for (const [index, r] of this.rotations) {
          r.waiting.add(m);
          this.send(m, { t: 'rotate', index });
        }
      };
      worker.on('message', (msg: ToOwner) => {
        if (msg.t === 'hello') {
          greet();
        } else if (msg.t === 'listening') {
          m.listening = true;
          this.address ??= { host: msg.host, port: msg.port };
          if (msg.http) this.httpAddress ??= msg.http;
          resolve();
        } else if (msg.t === 'fatal') {
          reject(msg.usage ? new UsageError(msg.message) : new Error(`storage worker: ${msg.message}`));
        } else {
          this.onMessage(m, msg);
        }
      });
      worker.on('exit', (code, signal) => {
        m.gone = true;
        this.members.delete(m);
        this.retired.alloc += m.conn.alloc;
        this.retired.max = Math.max(this.retired.max, m.conn.max);
        this.sumConnections();
        for (const release of m.held.values()) release();
        m.held.clear();
        this.reclaimLeases(m);
        for (const r of this.rotations.values()) if (r.waiting.delete(m) && r.waiting.size === 0) r.done();
        if (this.trunkPause?.waiting.delete(m) && this.trunkPause.waiting.size === 0) this.trunkPause.done();
        if (!m.listening) reject(new Error(`storage worker exited (${signal ?? code}) before listening`));
        if (this.stopping) return;
        this.host.log.warn({ pid: worker.process.pid, code, signal }, 'storage worker died; starting another');
        setTimeout(() => {
          if (!this.stopping) this.fork().catch((err) => this.host.log.error({ err }, 'cannot restart a storage worker'));
        }, 200).unref();
      });
    });
  }

  private onMessage(m: Member, msg: ToOwner): void {
    switch (msg.t) {
      case 'lock':
        void this.host.locks.run(msg.key, () => new Promise<void>((release) => {
          if (m.gone) return release();
          m.held.set(msg.id, release);
          this.send(m, { t: 'granted', id: msg.id });
        }));
        return;
      case 'unlock': {
        const release = m.held.get(msg.id);
        m.held.delete(msg.id);
        release?.();
        return;
      }
      case 'trunk-reserve':
      case 'trunk-commit':
      case 'trunk-free':
      case 'trunk-lease':
        this.onTrunk(m, msg);
        return;
      case 'trunk-return':
        this.host.trunk?.giveBack(msg.slot);
        return;
      case 'report':
        if (Object.keys(msg.stats).length) this.host.stats.merge(msg.stats, TIME_FIELDS);
        for (const [source, ts] of Object.entries(msg.received)) this.host.noteReceived(source, ts);
        m.conn = msg.conn;
        this.sumConnections();
        if (msg.requests) metrics()?.setRemoteRequests(`worker ${m.worker.process.pid}`, msg.requests);
        if (msg.http) metrics()?.setRemoteHttp(`worker ${m.worker.process.pid}`, msg.http);
        if (msg.repairs) this.repairs.set(m.worker.process.pid ?? 0, msg.repairs);
        return;
      case 'metrics': {
        const render = metrics()?.render();
        if (!render) return this.send(m, { t: 'metrics', id: msg.id, ok: false, contentType: '', body: '' });
        render.then(({ contentType, body }) => this.send(m, { t: 'metrics', id: msg.id, ok: true, contentType, body }),
          () => this.send(m, { t: 'metrics', id: msg.id, ok: false, contentType: '', body: '' }));
        return;
      }
      case 'trunk-paused': {
        const p = this.trunkPause;
        if (p && p.id === msg.id && p.waiting.delete(m) && p.waiting.size === 0) p.done();
        return;
      }
      case 'rotated': {
        const r = this.rotations.get(msg.index);
        if (r && r.waiting.delete(m) && r.waiting.size === 0) r.done();
        return;
      }
      default:
    }
  }

  /**
   * Stop every worker writing the trunk binlog (each writes what it has first) and lend no space until the
   * returned resume is called; null when a worker does not answer in time (then nothing is held).
   */
  async holdTrunkWriters(timeoutMs = 5000): Promise<(() => void) | null> {
    if (this.trunkHeld) return null;
    this.trunkHeld = true;
    const resume = () => {
      this.trunkHeld = false;
      this.trunkPause = null;
      for (const m of this.members) this.send(m, { t: 'trunk-resume' });
      for (const d of this.deferredTrunk.splice(0)) this.onTrunk(d.m, d.msg);
    };
    const live = [...this.members].filter((m) => !m.gone);
    if (!live.length) return resume;
    const id = ++this.trunkPauseIds;
    const all = await new Promise<boolean>((done) => {
      const timer = setTimeout(() => done(false), timeoutMs);
      this.trunkPause = { id, waiting: new Set(live), done: () => { clearTimeout(timer); done(true); } };
      for (const m of live) this.send(m, { t: 'trunk-pause', id });
    });
    if (all) return resume;
    resume();
    return null;
  }

  private onTrunk(m: Member, msg: TrunkRequest): void {
    if (this.trunkHeld && msg.t === 'trunk-lease') {
      this.deferredTrunk.push({ m, msg });
      return;
    }
    const space = this.host.trunk;
    const fail = (id: number, err: unknown) => this.send(m, { t: 'trunk-reply', id, error: {
      errno: err instanceof StatusError ? err.errno : Errno.EIO, message: (err as Error).message } });
    const done = (p: Promise<Block | void>) => p.then((slot) => this.send(m, { t: 'trunk-reply', id: msg.id, slot: slot ?? undefined }),
      (err: unknown) => fail(msg.id, err));
    // A reservation whose worker died stays taken until a restart: space may leak then, never be used twice.
    if (!space) fail(msg.id, new StatusError(Errno.EINVAL, 'no trunk space in this storage'));
    else if (msg.t === 'trunk-reserve') done(space.reserve(msg.index, msg.ip, msg.slotSize));
    else if (msg.t === 'trunk-commit') done(space.commit(msg.slot));
    else if (msg.t === 'trunk-lease') {
      done(space.lease(msg.index, msg.ip, msg.slotSize, msg.leaseSize).then((lease) => {
        m.leases.set(msg.index, [...(m.leases.get(msg.index) ?? []).slice(-1), lease]);
        // A worker that died while the lease was on its way never gets it: it is its own to reclaim.
        if (m.gone) this.reclaimLeases(m);
        return lease;
      }));
    }
    else done(space.free(msg.slot));
  }

  /** The trunk leases lent lately to the workers alive now. */
  liveLeases(): Block[] {
    return [...this.members].filter((m) => !m.gone).flatMap((m) => [...m.leases.values()].flat());
  }

  /** A worker died: the trunk space it held and did not commit is free again (trunk-allocator.ts reclaim). */
  private reclaimLeases(m: Member): void {
    const leases = [...m.leases.values()].flat();
    m.leases.clear();
    try {
      this.host.trunk?.reclaim?.(leases, this.liveLeases());
    } catch (err) {
      // Left taken until a restart, as before: space may leak for a while, never be used twice.
      this.host.log.warn({ err: (err as Error).message }, 'trunk space of a dead worker not reclaimed');
    }
  }

  /** Every live worker appends to binlog.<index> once this resolves. */
  private switchBinlog(index: number): Promise<void> {
    const live = [...this.members].filter((m) => !m.gone);
    if (!live.length) return Promise.resolve();
    return new Promise<void>((done) => {
      this.rotations.set(index, { waiting: new Set(live), done: () => { this.rotations.delete(index); done(); } });
      for (const m of live) this.send(m, { t: 'rotate', index });
    });
  }

  /** Repairs done by the workers (their last cumulative report each, by pid: a re-forked worker starts again). */
  readonly repairs = new Map<number, RepairCounts>();

  /** Send the shared state now if it changed (tracker parameters just learned must reach workers before JOIN). */
  refreshState(): void {
    this.pushState(false);
  }

  private pushState(force: boolean): void {
    const state = this.host.state();
    const text = JSON.stringify(state);
    if (!force && text === this.lastState) return;
    this.lastState = text;
    for (const m of this.members) this.send(m, { t: 'state', state });
  }

  private send(m: Member, msg: ToWorker): void {
    if (m.gone || !m.worker.isConnected()) return;
    m.worker.send(msg);
  }
}
