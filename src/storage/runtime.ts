// What every storage request handler shares: config, store paths, binlog, counters, locks, the tracker's
// parameters and own address, plus small request helpers (buffer limit, group check, clock).
import { isIPv4 } from 'node:net';
import type { StorageConfig, StorageIdEntry } from '../config/index.js';
import { parseReservedSpace, type ReservedSpace } from '../config/values.js';
import { Errno, StatusError } from '../errors.js';
import type { Logger } from '../log.js';
import type { RequestContext } from '../net/server.js';
import { readRequestHead } from '../net/request-head.js';
import type { CommandDescriptor } from '../protocol/command.js';
import { HEADER_SIZE, IPV4_ADDRESS_SIZE, IPV6_ADDRESS_SIZE } from '../protocol/codes.js';
import type { BinlogWriter } from './binlog/writer.js';
import type { KeyedLock } from './store/locks.js';
import type { Placement } from './store/placement.js';
import type { StatsKeeper } from './store/stats.js';
import type { StorePaths } from './store/store-paths.js';

/** Per-connection state of the storage's FrameServer. */
export interface StorageConnState {
  /** The peer storage id a replication connection announced with 9 REPORT_SERVER_ID. */
  syncSource?: string;
}
export type StorageCtx = RequestContext<StorageConnState>;

/** The settings a storage takes from the tracker's 75 STORAGE_PARAMETER_REQ answer (§8.2). */
export interface TrackerParams {
  loaded: boolean;
  /** `store_path`: 0 round robin, 2 most free. */
  storePathMode: number;
  reserved: ReservedSpace;
  /** Width of the IP field in 22 QUERY_FILE_INFO answers. */
  ipSize: typeof IPV4_ADDRESS_SIZE | typeof IPV6_ADDRESS_SIZE;
  useTrunkFile: boolean;
  storeSlaveFileUseLink: boolean;
  raw: Record<string, string>;
}

/** Stock default before the tracker answered: reserved_storage_space = 1024MB (§10.2). */
export function defaultTrackerParams(): TrackerParams {
  return {
    loaded: false, storePathMode: 0, reserved: { kind: 'mb', mb: 1024 }, ipSize: IPV4_ADDRESS_SIZE,
    useTrunkFile: false, storeSlaveFileUseLink: false, raw: {},
  };
}

/** Apply a 75 answer; unknown or malformed values keep the previous setting. */
export function applyTrackerParams(p: TrackerParams, raw: Record<string, string>, log?: Logger): void {
  p.raw = raw;
  p.loaded = true;
  if (raw.store_path !== undefined) p.storePathMode = Number(raw.store_path) === 2 ? 2 : 0;
  if (raw.reserved_storage_space) {
    try {
      p.reserved = parseReservedSpace(raw.reserved_storage_space);
    } catch (err) {
      log?.warn({ err, value: raw.reserved_storage_space }, 'bad reserved_storage_space from the tracker');
    }
  }
  // 6.16.1 trackers send 16 for IPv4 clusters; 46 only when it says so explicitly.
  p.ipSize = raw.response_ip_addr_size === '46' ? IPV6_ADDRESS_SIZE : IPV4_ADDRESS_SIZE;
  p.useTrunkFile = raw.use_trunk_file === '1' || raw.use_trunk_file === 'true';
  p.storeSlaveFileUseLink = raw.store_slave_file_use_link === '1' || raw.store_slave_file_use_link === 'true';
  if (p.useTrunkFile) log?.warn('the tracker asks for trunk files; fdfs stores every file on its own');
}

export interface StorageRuntime {
  config: StorageConfig;
  group: string;
  log: Logger;
  paths: StorePaths;
  binlog: BinlogWriter;
  stats: StatsKeeper;
  locks: KeyedLock;
  params: TrackerParams;
  placement: Placement;
  /** This storage's IPv4 as the tracker sees it ('' until known). */
  myIp: string;
  /** With use_storage_id (§10.3): own id, whether names carry it, and storage_ids.conf from the tracker. */
  identity?: StorageIdentity;
  /** Replication bookkeeping: the newest source timestamp received from each peer (SYNC_REPORT, §8.5.3). */
  replication?: { noteReceived(sourceId: string, timestamp: number): void };
}

export interface StorageIdentity {
  id: string;
  /** id_type_in_filename = id: new names carry the id (LE u32) instead of the IPv4 address (§6.3). */
  idInFilename: boolean;
  entries: StorageIdEntry[];
}

/** The IPv4 put into new file names: bind_addr, else what GET_MY_IP said, else the connection's local address. */
export function sourceIp(rt: StorageRuntime, ctx?: StorageCtx): string {
  const bind = firstAddress(rt.config.bindAddr);
  if (bind && isIPv4(bind)) return bind;
  if (rt.myIp && isIPv4(rt.myIp)) return rt.myIp;
  const local = ctx?.conn.localAddress ?? '';
  if (isIPv4(local)) return local;
  throw new StatusError(Errno.EAGAIN, 'own IPv4 address not known yet');
}

/** The first address of a `bind_addr` list ("ipv4,ipv6"). */
export function firstAddress(list: string): string {
  return list.split(',')[0]!.trim();
}

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
