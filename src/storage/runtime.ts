// What every storage request handler shares: config, store paths, binlog, counters, locks, the tracker's
// parameters and own address, plus small request helpers (buffer limit, group check, clock).
import { isIPv4 } from 'node:net';
import { rememberLast } from '../remember-last.js';
import type { StorageConfig, StorageIdEntry } from '../config/index.js';
import { isWildcardAddress } from '../config/values.js';
import { Errno, StatusError } from '../errors.js';
import type { Logger } from '../log.js';
import type { RequestContext } from '../net/server.js';
import { readRequestHead } from '../net/request-head.js';
import type { CommandDescriptor } from '../protocol/command.js';
import { HEADER_SIZE } from '../protocol/codes.js';
import type { BinlogRecord } from '../protocol/binlog-format.js';
import type { BinlogWriter } from './binlog/writer.js';
import type { Placement } from './store/placement.js';
import type { HotFiles } from './store/hot-files.js';
import type { CopyStamp, ExpectedContent } from './repair/content-check.js';
import type { StatsKeeper } from './store/stats.js';
import type { StorePaths } from './store/store-paths.js';
import type { TrackerParams } from './tracker-side/tracker-params.js';
import type { TrunkSpace } from './trunk/trunk-space.js';
import type { TrunkSlotRef } from '../protocol/trunk-slot.js';

/** Per-connection state of the storage's FrameServer. */
export interface StorageConnState {
  /** The peer storage id a replication connection announced with 9 REPORT_SERVER_ID. */
  syncSource?: string;
}
export type StorageCtx = RequestContext<StorageConnState>;

export interface StorageRuntime {
  config: StorageConfig;
  group: string;
  log: Logger;
  paths: StorePaths;
  binlog: BinlogAppender;
  stats: StatsKeeper;
  locks: FileLocks;
  params: TrackerParams;
  placement: Placement;
  /** This storage's IPv4 as the tracker sees it ('' until known). */
  myIp: string;
  /** With use_storage_id (§10.3): own id, whether names carry it, and storage_ids.conf from the tracker. */
  identity?: StorageIdentity;
  /** Where the receiver notes what it applied from each peer: the storage's SyncProgress (sync/progress.ts). */
  progress: { noteReceived(sourceId: string, timestamp: number): void };
  /** Copies found to match their names, and the repair of damaged ones from peers (repair/). */
  content: ContentGuard;
  /** Trunk files (trunk/trunk-store.ts): set in the owner process; workers store plain files. */
  trunk?: TrunkFiles;
  /** IPs of the group's members as the trackers list them; null until a tracker has sent the list. */
  memberIps: readonly string[] | null;
  /** Ask the trackers for the members now (tracker-side/member-list.ts); null when not asked. */
  freshMemberIps?: () => Promise<readonly string[] | null>;
}

/** trunk/trunk-store.ts as handlers use it: small uploads into trunk slots, deleted slots returned. */
export interface TrunkFiles {
  readonly space: TrunkSpace;
  /** This storage's own allocator hands out the space (it answers 27/28/29). */
  isTrunkServer(): boolean;
  accepts(rt: StorageRuntime, size: number | null, appender: boolean): boolean;
  store(rt: StorageRuntime, f: { ip: string; ext: string; storePathIndex: number; size: number; body: AsyncIterable<Buffer> }):
    Promise<{ logical: string; timestamp: number; size: number }>;
  /** A link slot ('L') whose content is `target`'s logical name (20 CREATE_LINK to a trunk file). */
  storeLink(rt: StorageRuntime, f: { ip: string; ext: string; storePathIndex: number; target: string }): Promise<{ logical: string; timestamp: number }>;
  /** store in one synchronous step, or null (nothing changed) when the async store is needed. */
  storeNow(rt: StorageRuntime, f: { ip: string; ext: string; storePathIndex: number; content: Buffer }):
    { logical: string; timestamp: number; size: number } | null;
  release(rt: StorageRuntime, ref: TrunkSlotRef): void;
}

/** repair/'s VerifiedCopies and Repairer, as handlers use them. */
export interface ContentGuard {
  verified: { has(absPath: string, stamp: CopyStamp): boolean; add(absPath: string, stamp: CopyStamp): void; readonly size: number };
  repairer: {
    repair(logical: string, expected: ExpectedContent, why: string): Promise<'repaired' | 'unavailable'>;
    restore(logical: string): Promise<'present' | 'repaired' | 'unavailable'>;
    readonly counts: { damaged: number; repaired: number; unrepaired: number };
  };
  /** Names a download found missing here: reported to the trackers and fetched from a peer (repair/missing-files.ts). */
  missing?: { noted(logical: string): void };
  /** Small files read often, held in memory while their copy is unchanged (store/hot-files.ts). */
  hot?: HotFiles;
}

/** Where handlers record changes: the owner's BinlogWriter, or a worker's appender to the same file. */
export interface BinlogAppender {
  append(record: BinlogRecord): void;
}

/** Per-file serialisation of read-modify-write operations (in-process, or through the owner for workers). */
export interface FileLocks {
  run<T>(key: string, fn: () => Promise<T>): Promise<T>;
}

/** The runtime of the process that owns the binlog (single process, or the primary of a worker pool). */
export interface OwnerRuntime extends StorageRuntime {
  binlog: BinlogWriter;
}

export interface StorageIdentity {
  id: string;
  /** id_type_in_filename = id: new names carry the id (LE u32) instead of the IPv4 address (§6.3). */
  idInFilename: boolean;
  entries: StorageIdEntry[];
}

/** The IPv4 put into new file names: bind_addr, else what GET_MY_IP said, else the connection's local address. */
export function sourceIp(rt: StorageRuntime, ctx?: { readonly conn: { readonly localAddress: string } }): string {
  const bind = advertisedBindAddress(rt.config.bindAddr);
  if (bind && isIPv4Cached(bind)) return bind;
  if (rt.myIp && isIPv4Cached(rt.myIp)) return rt.myIp;
  const local = ctx?.conn.localAddress ?? '';
  if (isIPv4(local)) return local;
  throw new StatusError(Errno.EAGAIN, 'own IPv4 address not known yet');
}

// Every upload asks about the same one or two strings (bind_addr, the address GET_MY_IP gave).
const isIPv4Cached = rememberLast(isIPv4);

/** The first address of a `bind_addr` list ("ipv4,ipv6"). */
export function firstAddress(list: string): string {
  return list.split(',')[0]!.trim();
}

/**
 * The bind address when it is one others can use; '' for none or a wildcard (0.0.0.0, ::): the storage then
 * goes by the address its tracker sees it come from (60 GET_MY_IP), as stock does.
 */
export function advertisedBindAddress(list: string): string {
  return advertisedOf(list);
}

const advertisedOf = rememberLast((list) => {
  const bind = firstAddress(list);
  return isWildcardAddress(bind) ? '' : bind;
});

export function nowSec(): number {
  return Math.floor(Date.now() / 1000);
}

/**
 * A non-streamed request of `d`, read and decoded by net/request-head.ts. It must fit the buffer:
 * `10 + pkg_len < buff_size` (§3.3), else EINVAL, which the dispatcher answers and closes without waiting
 * for a body a broken peer may never send.
 */
export function readRequest<H>(rt: StorageRuntime, ctx: StorageCtx, d: CommandDescriptor<never, H>): Promise<H> {
  return readRequestHead(ctx, d, rt.config.buffSize - HEADER_SIZE - 1);
}

/** The group field (already cut at its first NUL) must name this storage's group. */
export function checkGroup(rt: StorageRuntime, group: string, cmd?: number): void {
  if (group !== rt.group) throw new StatusError(Errno.EINVAL, `group "${group}" is not this storage's "${rt.group}"`, cmd);
}

/** Node fs error → errno status: ENOENT stays ENOENT, EISDIR stays, the rest is EIO. */
export function fsStatus(err: unknown, what: string): StatusError {
  if (err instanceof StatusError) return err;
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return new StatusError(Errno.ENOENT, `${what}: not found`);
  if (code === 'EISDIR') return new StatusError(Errno.EISDIR, `${what}: is a directory`);
  if (code === 'ENOSPC') return new StatusError(Errno.ENOSPC, `${what}: no space left on device`);
  if (code === 'EEXIST') return new StatusError(Errno.EEXIST, `${what}: exists`);
  if (code === 'EACCES' || code === 'EPERM') return new StatusError(Errno.EPERM, `${what}: permission denied`);
  return new StatusError(Errno.EIO, `${what}: ${(err as Error).message}`);
}
