// One replication sender per peer (spec §9.4, §9.6, §9.7): decides with 86 whether it bootstraps the peer,
// then pushes binlog records over sync_max_threads connections (9 REPORT_SERVER_ID first) through a PushWindow,
// keeping the position in the peer's mark file; pauses while the peer is unavailable, retries a failed record.
// Its states (sender-state.ts) change only through setState(), checked against SENDER_TRANSITIONS.
import path from 'node:path';
import type { Logger } from '../../log.js';
import { Connection } from '../../net/connection.js';
import { isSourceOp, type BinlogRecord, type SyncMark } from '../../protocol/binlog-format.js';
import { FdfsStorageCmd, StorageStatus } from '../../protocol/codes.js';
import { encodeReportServerIdRequest } from '../../protocol/sync.js';
import type { OwnerRuntime } from '../runtime.js';
import { localAddressFor } from '../tracker-side/tracker-client.js';
import { BinlogReader, type BinlogItem, type BinlogPos } from '../binlog/reader.js';
import { freshMark, MarkFile } from '../binlog/marks.js';
import { PushWindow } from './push-window.js';
import { ParkedRecords } from './parked.js';
import { pushRecord, type PushEnv } from './sync-ops.js';
import { BATCH_MAX, isBatchable, pushBatch, type BatchOutcome, type PipelineCounts } from './push-batch.js';
import { encodeHeader } from '../../protocol/header.js';
import type { TrackerCalls } from '../tracker-side/tracker-calls.js';
import { syncWindow, type SyncWindow } from './sync-window.js';
import {
  isBeingBootstrapped, markBootstraps, needsPlan, peerTakesPushes, SenderStates, type SenderState,
} from './sender-state.js';

export interface PeerState {
  id: string;
  ip: string;
  port: number;
  status: number;
}

export interface SenderDeps {
  rt: OwnerRuntime;
  calls: TrackerCalls;
  selfId(): string;
  log: Logger;
}

const S = StorageStatus;
/** Pause after a failed record or connection before trying again (stock: 5 s). */
export const RETRY_PAUSE_MS = 5000;
/** The pause after a session ended by one record failing (not the peer going away): it is parked after PARK_AFTER. */
const REFUSED_RETRY_MS = 1000;
/** A non-source peer starts this many seconds before the new member's cut-off (covers replication lag). */
export const NON_SOURCE_REWIND = 60;

const PIPELINING_REQUEST = encodeHeader(0, FdfsStorageCmd.SyncPipelining);
/** How long records go one by one after a batch lost its connection (see soloUntil). */
const SOLO_AFTER_BATCH_FAILURE_MS = 60_000;

export class SyncSender {
  private readonly states: SenderStates;
  private conns: Connection[] = [];
  private mark: SyncMark | null = null;
  private reader: BinlogReader | null = null;
  private readonly markFile: MarkFile;
  /** Records the peer kept refusing, set aside so later ones go on (parked.ts). */
  readonly parked: ParkedRecords;
  /** The last session ended by a record's own failure: retry after REFUSED_RETRY_MS. */
  private retrySoon = false;
  private savedRows = 0;
  private savedPos = '';
  private lastDoneReport = 0;
  private wakeUp: (() => void) | null = null;
  private loop: Promise<void> | null = null;
  private failures = 0;
  /** See PushEnv.vanished; kept across sessions (a retry replays the records before the rename). */
  private readonly vanished = new Set<string>();
  private readonly log: Logger;
  /** sync_start_time–sync_end_time; null = the whole day. */
  private readonly window: SyncWindow | null;
  private windowClosedLogged = false;
  /** The peer answered 123 (pipelining) with 0 / refused it; undefined: not asked yet. A refusal is not asked again. */
  private pipelines: boolean | undefined;
  /**
   * Until then (ms), records go one by one: a batch lost its connection, and a record that breaks the connection
   * every time must be found and parked as a lone one would be, not take a whole batch down again and again.
   */
  private soloUntil = 0;
  /** Records sent pipelined to this peer and the writes that carried them, since start (metrics). */
  readonly pipelined: PipelineCounts = { records: 0, writes: 0 };

  constructor(private readonly d: SenderDeps, private peer: PeerState) {
    this.log = d.log.child({ peer: `${peer.ip}:${peer.port}` });
    this.states = new SenderStates(this.log);
    this.window = syncWindow(d.rt.config.syncStartTime, d.rt.config.syncEndTime);
    this.markFile = MarkFile.forPeer(path.join(d.rt.config.basePath, 'data', 'sync'), peer, !!d.rt.identity, this.log);
    this.parked = new ParkedRecords(this.markFile.path.replace(/\.mark$/, '') + '.parked', this.log);
  }

  get state(): SenderState {
    return this.states.state;
  }

  /** Some connection to the peer is open (metrics). */
  get connected(): boolean {
    return this.conns.some((c) => !c.closed);
  }

  private get stopped(): boolean {
    return this.states.state === 'stopped';
  }

  private setState(next: SenderState, reason: string): boolean {
    return this.states.set(next, reason);
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** New status from the tracker's member list: close at once when the peer became unavailable. */
  update(peer: PeerState): void {
    const was = this.peer.status;
    this.peer = peer;
    if (was !== peer.status) this.log.debug({ from: was, to: peer.status }, 'peer status');
    if (!this.canPush()) this.dropConn();
    this.wake();
  }

  /** Stop pushing; the mark file keeps the position. */
  async stop(): Promise<void> {
    this.setState('stopped', 'stop requested');
    this.dropConn();
    this.wake();
    await this.loop;
  }

  /** The peer was deleted: stop and keep its mark as `<name>.mark.<YYYYMMDDhhmmss>`. */
  async retire(): Promise<void> {
    await this.stop();
    await this.markFile.retire().catch((err) => this.log.warn({ err }, 'cannot retire the sync mark'));
  }

  private wake(): void {
    const w = this.wakeUp;
    this.wakeUp = null;
    w?.();
  }

  /** Sleep up to `ms`, ended early by wake() (status change, stop) and, with `onBinlog`, by new records. */
  private sleep(ms: number, onBinlog = false): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const unsubscribe = onBinlog ? this.d.rt.binlog.subscribe(done) : null;
      this.wakeUp = done;
      function done(): void {
        clearTimeout(timer);
        unsubscribe?.();
        resolve();
      }
    });
  }

  private dropConn(): void {
    for (const c of this.conns) c.destroy();
    this.conns = [];
  }

  /** Replaying the old files to the peer: known from the state once planned, from the mark file before. */
  private get bootstrapping(): boolean {
    const st = this.states.state;
    return st === 'bootstrapping' || ((st === 'resumed' || st === 'salvaged') && markBootstraps(this.mark));
  }

  private windowOpen(): boolean {
    return !this.window || this.window.isOpen(new Date());
  }

  private canPush(): boolean {
    return peerTakesPushes(this.peer.status, this.bootstrapping);
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        if (!(await this.prepare())) {
          await this.sleep(RETRY_PAUSE_MS);
          continue;
        }
        if (this.mark!.needSyncOld && this.mark!.syncOldDone && isBeingBootstrapped(this.peer.status)) await this.reportDone(true);
        if (!this.canPush()) {
          await this.sleep(RETRY_PAUSE_MS);
          continue;
        }
        if (!this.windowOpen()) {
          if (!this.windowClosedLogged) this.log.info({ window: this.window!.text }, 'replication waits for its daily window (sync_start_time–sync_end_time)');
          this.windowClosedLogged = true;
          await this.sleep(Math.min(this.window!.msUntilOpen(new Date()) + 50, 60_000));
          continue;
        }
        this.windowClosedLogged = false;
        await this.session();
      } catch (err) {
        if (this.stopped) break;
        this.failures++;
        const msg = (err as Error).message;
        // Connections closed because the peer went away are expected; anything else is worth a warning.
        if (!this.canPush()) this.log.info({ err: msg }, 'replication to peer paused (peer unavailable)');
        else if (this.failures === 1) this.log.warn({ err: msg }, 'replication to peer failed; retrying');
        else this.log.debug({ err: msg, failures: this.failures }, 'replication to peer still failing');
        this.dropConn();
        if (this.mark) this.reader?.seek(this.markPos());
        await this.sleep(this.retrySoon ? REFUSED_RETRY_MS : RETRY_PAUSE_MS);
        this.retrySoon = false;
      }
    }
    this.dropConn();
    await this.saveMark().catch((err) => this.log.warn({ err }, 'cannot save the sync mark'));
    await this.reader?.close();
  }

  private markPos(): BinlogPos {
    return { index: this.mark!.binlogIndex, offset: this.mark!.binlogOffset };
  }

  private newReader(pos: BinlogPos): BinlogReader {
    const binlog = this.d.rt.binlog;
    return new BinlogReader({ dir: binlog.dir, currentIndex: () => binlog.currentIndex, log: this.log }, pos);
  }

  /**
   * Have a mark: the stored one, else a new one from the 86 answer (designated source → replay from the start;
   * another source → from the cut-off; none → from the start, pushing own records only). A peer in
   * WAIT_SYNC/SYNCING is asked about once per run, so a re-added peer that names us gets its bootstrap.
   */
  private async prepare(): Promise<boolean> {
    if (this.state === 'new') {
      const loaded = await this.markFile.load();
      if (loaded) {
        this.mark = loaded.mark;
        this.reader = this.newReader(this.markPos());
        if (loaded.salvaged) await this.reader.alignToLine();
        if (this.stopped) return false;
        this.setState(loaded.salvaged ? 'salvaged' : 'resumed', loaded.salvaged ? 'damaged mark file' : 'mark file');
      } else {
        if (this.stopped) return false;
        this.setState('unplanned', 'no mark file');
      }
    }
    const state = this.state;
    if (!needsPlan(state, this.peer.status)) return true;
    const st = this.peer.status;
    if (st === S.Init || st === S.Deleted || st === S.IpChanged || st === S.None) return state === 'resumed';
    let plan;
    try {
      plan = await this.d.calls.syncSrc(this.d.rt.group, this.peer.id);
    } catch (err) {
      this.log.debug({ err: (err as Error).message }, 'SYNC_SRC_REQ: no plan yet');
      return state === 'resumed';
    }
    const isSource = !!plan && plan.srcId === this.d.selfId();
    const until = plan?.untilTimestamp ?? 0;
    if (state === 'resumed') {
      const m = this.mark!;
      if (isSource && (!m.needSyncOld || m.untilTimestamp !== until)) this.startOver(true, until);
    } else if (state === 'salvaged') {
      // Keep the position, take the plan from the tracker.
      if (isSource && this.mark!.untilTimestamp !== until) this.startOver(true, until);
      else Object.assign(this.mark!, { needSyncOld: isSource, untilTimestamp: until });
    } else {
      this.startOver(isSource, until);
      if (plan && !isSource) {
        const skipped = await this.reader!.seekTimestamp(Math.max(0, until - NON_SOURCE_REWIND));
        const p = this.reader!.position;
        Object.assign(this.mark!, { binlogIndex: p.index, binlogOffset: p.offset });
        this.log.info({ until, skipped }, 'positioned at the new member\'s cut-off');
      }
    }
    const src = plan?.srcId || '(none)';
    if (this.stopped) return false;
    if (!this.setState(markBootstraps(this.mark) ? 'bootstrapping' : 'replicating', `86 names ${src}`)) return false;
    this.log.info({ src, until, bootstrap: this.bootstrapping, at: this.markPos() }, 'sync plan for peer');
    await this.saveMark(true);
    return true;
  }

  private startOver(needSyncOld: boolean, until: number): void {
    this.mark = freshMark({ needSyncOld, untilTimestamp: until });
    this.savedRows = 0;
    this.reader = this.newReader(this.markPos());
  }

  /** Rewrite the mark file when the position moved (or always with `force`). */
  private async saveMark(force = false): Promise<void> {
    if (!this.mark) return;
    const key = `${this.mark.binlogIndex}:${this.mark.binlogOffset}:${this.mark.syncOldDone}`;
    if (!force && key === this.savedPos) return;
    await this.markFile.save(this.mark);
    this.savedPos = key;
    this.savedRows = this.mark.syncRowCount;
  }

  private async reportDone(rateLimited: boolean): Promise<void> {
    if (rateLimited && Date.now() - this.lastDoneReport < RETRY_PAUSE_MS) return;
    this.lastDoneReport = Date.now();
    const n = await this.d.calls.reportStatus(this.d.rt.group, { status: S.Offline, port: 0, id: this.peer.id, ipAddr: this.peer.ip });
    this.log.info({ trackers: n }, 'bootstrap of the peer done: reported it OFFLINE');
  }

  /**
   * Connections per peer, one record in flight on each: sync_max_threads (auto = 2 × store paths, as stock). More
   * were tried: with 8 the receivers' concurrent creates halved the upload rate of a two-member group on 2 cores.
   */
  private get slots(): number {
    const c = this.d.rt.config;
    return Math.max(1, c.syncMaxThreads === 'auto' ? 2 * c.storePathCount : c.syncMaxThreads);
  }

  private async connect(): Promise<Connection> {
    const c = this.d.rt.config;
    const conn = await Connection.connect(this.peer.ip, this.peer.port, {
      connectTimeout: c.connectTimeout, networkTimeout: c.networkTimeout, localAddress: localAddressFor(c),
    });
    this.conns.push(conn);
    await conn.call(encodeReportServerIdRequest(this.d.selfId()), { cmd: 9, maxBody: 0 });
    return conn;
  }

  private async session(): Promise<void> {
    const { rt } = this.d;
    const c = rt.config;
    const conns = await Promise.all(Array.from({ length: this.slots }, () => this.connect()));
    if (this.stopped || !this.canPush()) return this.dropConn();
    const pipelined = await this.askPipelining(conns);
    if (this.failures) this.log.info({ failures: this.failures }, 'replication to peer resumed');
    this.failures = 0;
    if (this.bootstrapping && this.peer.status === S.WaitSync) {
      const n = await this.d.calls.reportStatus(rt.group, { status: S.Syncing, port: 0, id: this.peer.id, ipAddr: this.peer.ip });
      this.log.info({ trackers: n, until: this.mark!.untilTimestamp }, 'bootstrapping the peer: reported it SYNCING');
    }
    const shared = { peerHasFiles: false };
    const push = async (conn: Connection, rec: BinlogRecord) => {
      const env: PushEnv = { rt, conn, log: this.log, peerHasFiles: shared.peerHasFiles, vanished: this.vanished };
      try {
        return await pushRecord(env, rec);
      } finally {
        shared.peerHasFiles ||= env.peerHasFiles;
      }
    };
    // The same record failing again and again (the peer answers ENOSPC, or cuts the connection) must not hold
    // up the rest. Only the first failure of a session counts: the others are records caught in its fall.
    const refused = async (item: BinlogItem, err: unknown): Promise<'skipped' | null> => {
      if (win.failure || this.stopped) return null;
      // Try that record again soon: it is parked after a few refusals, and nothing later moves meanwhile.
      // Once parked, the rest goes on soon too (the refusal may have cost the connection).
      this.retrySoon = true;
      if (!this.parked.refused(item)) return null;
      await this.parked.park(item, (err as Error).message);
      return 'skipped';
    };
    const win = new PushWindow(conns, async (conn, item) => {
      try {
        return await push(conn, item.rec!);
      } catch (err) {
        if ((await refused(item, err)) === null) throw err;
        return 'skipped';
      }
    }, async (conn, items) => {
      const env: PushEnv = { rt, conn, log: this.log, peerHasFiles: shared.peerHasFiles, vanished: this.vanished };
      let outcomes: BatchOutcome[];
      try {
        outcomes = await pushBatch(env, items.map((i) => i.rec!), this.pipelined);
      } catch (err) {
        if (!this.stopped && this.canPush()) this.soloUntil = Date.now() + SOLO_AFTER_BATCH_FAILURE_MS;
        throw err;
      } finally {
        shared.peerHasFiles ||= env.peerHasFiles;
      }
      // A refused record of a batch is parked as a lone one would be (the first refusal only).
      const i = outcomes.findIndex((o) => 'error' in o);
      if (i >= 0 && (await refused(items[i]!, (outcomes[i] as { error: unknown }).error)) !== null) outcomes[i] = { result: 'skipped' };
      return outcomes;
    });
    let held: BinlogItem | null = null;
    let lastTraffic = Date.now();
    try {
      while (!this.stopped && this.canPush() && this.windowOpen()) {
        if (conns.some((x) => x.closed)) throw new Error('the peer closed a sync connection');
        await this.finished(win);
        if (win.failure) throw win.failure;
        const item: BinlogItem | null = held ?? (await this.reader!.next());
        held = null;
        if (!item) {
          if (win.size) {
            await win.changed(c.syncWaitMsec);
          } else if (this.bootstrapping) {
            await this.finishBootstrap();
          } else {
            await this.saveMark();
            await this.retryParked();
            if (Date.now() - lastTraffic >= c.heartBeatInterval * 1000) {
              for (const x of conns) if (!(await x.activeTest())) throw new Error('ACTIVE_TEST to the peer failed');
              lastTraffic = Date.now();
            }
            await this.sleep(c.syncWaitMsec, true);
          }
          continue;
        }
        lastTraffic = Date.now();
        if (this.skipWithoutPeer(item)) {
          win.addDone(item, 'skipped');
          continue;
        }
        if (!win.canTake(item)) {
          held = item;
          await win.changed(c.networkTimeout * 1000);
          continue;
        }
        if (pipelined && isBatchable(item.rec!, shared.peerHasFiles) && Date.now() >= this.soloUntil) {
          held = await this.fillBatch(win, item, shared.peerHasFiles);
          continue;
        }
        win.dispatch(item);
        if (c.syncInterval > 0) await this.sleep(c.syncInterval);
      }
    } finally {
      // Whatever is still out finishes (or fails on the closed sockets); the mark covers the finished prefix.
      if (win.failure || this.stopped || !this.canPush()) this.dropConn();
      await win.settle();
      await this.finished(win);
      this.reader!.seek(this.markPos());
    }
    if (win.failure) throw win.failure;
    this.dropConn();
    await this.saveMark();
  }

  /**
   * Send `first` and the batchable records right after it (replica records skipped between them) as one batch;
   * returns the record that ended the batch, to go next.
   */
  private async fillBatch(win: PushWindow, first: BinlogItem, peerHasFiles: boolean): Promise<BinlogItem | null> {
    win.beginBatch();
    win.addToBatch(first);
    let size = 1;
    let next: BinlogItem | null = null;
    while (size < BATCH_MAX && !this.stopped) {
      next = await this.reader!.next();
      if (!next) break;
      if (this.skipWithoutPeer(next)) {
        win.addDone(next, 'skipped');
        next = null;
        continue;
      }
      if (!isBatchable(next.rec!, peerHasFiles) || !win.canTake(next, true)) break;
      win.addToBatch(next);
      size++;
      next = null;
    }
    win.endBatch();
    return next;
  }

  /**
   * Whether the peer takes pipelined requests (123 answered 0). Stock answers EINVAL and closes: that connection is
   * replaced, and the peer is not asked again by this sender. FDFS_SYNC_PIPELINE=0 never asks.
   */
  private async askPipelining(conns: Connection[]): Promise<boolean> {
    if (this.pipelines === false || process.env.FDFS_SYNC_PIPELINE === '0') return false;
    const conn = conns[0]!;
    const cmd = FdfsStorageCmd.SyncPipelining;
    // A connection failure here fails the session as any other would; only an answer decides.
    const { status } = await conn.call(PIPELINING_REQUEST, { cmd, maxBody: 0, onError: 'return' });
    const first = this.pipelines === undefined;
    this.pipelines = status === 0;
    if (status === 0) {
      if (first) this.log.info('the peer takes pipelined replication: small creates and deletes go in batches');
      return true;
    }
    this.log.info({ status }, 'the peer does not take pipelined replication (not fdfs): one record per request');
    conn.destroy();
    this.conns = this.conns.filter((c) => c !== conn);
    conns[0] = await this.connect();
    return false;
  }

  /** Offer parked records again when due, on a connection of their own: a refusal there ends nothing else. */
  private async retryParked(): Promise<void> {
    if (!(await this.parked.due())) return;
    let conn: Connection;
    try {
      conn = await this.connect();
    } catch {
      return;
    }
    try {
      await this.parked.retry((rec) => pushRecord({ rt: this.d.rt, conn, log: this.log, peerHasFiles: true, vanished: this.vanished }, rec));
    } finally {
      conn.destroy();
      this.conns = this.conns.filter((c) => c !== conn);
    }
  }

  /** Move the mark over the records that left the window; rewrite the file every write_mark_file_freq rows. */
  private async finished(win: PushWindow): Promise<void> {
    const m = this.mark!;
    for (const { item, result } of win.takeFinished()) {
      m.binlogIndex = item.end.index;
      m.binlogOffset = item.end.offset;
      m.scanRowCount++;
      if (result === 'sent') m.syncRowCount++;
    }
    if (m.syncRowCount - this.savedRows >= this.d.rt.config.writeMarkFileFreq) await this.saveMark();
  }

  /** Records the peer never needs: malformed lines, replica records outside a bootstrap (and a/m/t always). */
  private skipWithoutPeer(item: BinlogItem): boolean {
    const rec = item.rec;
    if (!rec) {
      this.log.warn({ line: item.line.slice(0, 120), at: item.start }, 'malformed binlog line skipped');
      return true;
    }
    if (isSourceOp(rec.op)) return false;
    if (!this.bootstrapping || rec.op === 'a' || rec.op === 'm' || rec.op === 't') return true;
    return rec.timestamp > this.mark!.untilTimestamp;
  }

  /** The replay reached the end of the binlog: the peer holds everything up to now (§9.6 step 5). */
  private async finishBootstrap(): Promise<void> {
    await this.d.rt.binlog.flush().catch(() => {});
    const more = await this.reader!.next();
    if (more) {
      this.reader!.unread(more);
      return;
    }
    this.mark!.syncOldDone = true;
    if (this.state === 'bootstrapping') this.setState('replicating', 'bootstrap done: reached the end of the binlog');
    await this.saveMark(true);
    await this.reportDone(false);
  }
}
