// FdfsClient: the typed promise API over trackers and storages (upload, download, delete,
// info, metadata, lists). Connections are pooled per address; bodies are streamed.
import type tls from 'node:tls';
import { decodeQueryTlsPortsResponse, encodeQueryTlsPortsRequest } from '../protocol/tls-ports.js';
import { Writable } from 'node:stream';
import { PoolSet, type PoolOptions } from '../net/pool.js';
import { keyAuthenticator } from '../security/client-auth.js';
import type { ClientKey } from '../security/keys.js';
import type { Connection } from '../net/connection.js';
import { TrackerCmd, StorageCmd, StorageStatus, DEFAULT_TRACKER_PORT } from '../protocol/codes.js';
import { encodeQueryStoreRequest, decodeQueryStoreResponse, encodeQueryFetchRequest, decodeQueryFetchResponse,
  decodeQueryFetchAllResponse, decodeQueryStoreAllResponse, type StoreTarget, type FetchTarget, type StorageAddr } from '../protocol/tracker-query.js';
import { encodeUploadHead, decodeUploadResponse, encodeDownloadRequest, encodeDeleteFileRequest,
  encodeQueryFileInfoRequest, decodeQueryFileInfoResponse } from '../protocol/storage-file.js';
import { encodeSetMetadataRequest, encodeGetMetadataRequest, decodeGetMetadataResponse } from '../protocol/storage-meta.js';
import { encodeListAllGroupsRequest, encodeListOneGroupRequest, decodeListGroupsResponse, encodeListStorageRequest,
  decodeListStorageResponse, type GroupStat, type StorageRecord } from '../protocol/tracker-list.js';
import { decodeFileName, peekFileName, isValidExt, type FileNameInfo } from '../protocol/file-id.js';
import { splitUserFileId as splitFileId } from './file-id-check.js';
import type { Metadata, MetadataInput } from '../protocol/metadata.js';
import {
  ConnectError, ConnectionClosedError, Errno, InterruptedError, LengthMismatchError, StatusError, TimeoutError, TransferCutError, UsageError,
} from '../errors.js';
import { queryWithRetry, type Need } from './availability.js';
import { downloadToFile, type DownloadFileOptions } from './download-file.js';
import { TrackerSet, parseAddress, type TrackerHealth } from './trackers.js';
import { prepareSource, type UploadSource } from './sources.js';
import { streamRequest } from '../net/exchange.js';
import * as fileOps from './file-ops.js';
import * as admin from './admin.js';
import type { ContentOptions, SlaveUploadOptions } from './file-ops.js';

export interface ClientOptions {
  /** Tracker addresses 'host:port' (the default port is 22122). */
  trackers: string[];
  /** Seconds to wait for a TCP connection to any server. @default 5 */
  connectTimeout?: number;
  /** Seconds a transfer to or from a storage may stall (no byte either way) before it fails. @default 10 */
  networkTimeout?: number;
  /**
   * Seconds to wait for a tracker's answer (at most networkTimeout): a tracker answers at once, so one that does
   * not is hung and the next one is asked. @default 5
   */
  trackerTimeout?: number;
  /** Most pooled connections per server. @default 16 */
  maxConnectionsPerServer?: number;
  /** Pooled connections idle longer than this are closed (seconds). @default 3600 */
  maxIdleTime?: number;
  /** Secret for anti-steal tokens (http.anti_steal.secret_key). */
  antiStealSecret?: string;
  /** Local address outgoing connections are bound to (a host with several addresses). */
  localAddress?: string;
  /**
   * Seconds to keep asking while the group is known but none of its storages is ACTIVE (they re-join a
   * restarted tracker within seconds); then UnavailableError. @default 5
   */
  unavailableWait?: number;
  /** The key every connection proves (issue 14); servers that do not authenticate are used without it. */
  key?: ClientKey;
  /**
   * Talk TLS (issue 14): `trackers` are then their tls_port addresses, and storages are reached on the tls_port
   * their tracker advertises (202). CA, and a client certificate where servers want one (tls_verify_client).
   */
  tls?: tls.ConnectionOptions;
}

export interface UploadOptions {
  /** Extension without the dot (0–6 chars of [A-Za-z0-9._-]); defaults to the source file's. */
  ext?: string;
  metadata?: MetadataInput;
  /** Store into this group (QUERY_STORE_WITH_GROUP). */
  group?: string;
  /** Content length; required for streams unless they may be spooled to a temp file. */
  size?: number;
  /** Create an appender file (UPLOAD_APPENDER_FILE). */
  appender?: boolean;
  /** Report bytes sent so far. */
  onProgress?: (sent: number, total: number) => void;
}

export interface DownloadOptions {
  offset?: number;
  /** 0 or absent = to the end of the file. */
  length?: number;
  onProgress?: (received: number, total: number) => void;
  /** Aborting stops the transfer (InterruptedError). */
  signal?: AbortSignal;
}

export interface FileInfo {
  fileId: string;
  group: string;
  kind: FileNameInfo['kind'];
  size: number;
  createTimestamp: number;
  crc32: number;
  sourceIp: string;
}

export class FdfsClient {
  readonly trackers: TrackerSet;
  private readonly pools: PoolSet;
  /** Tracker connections: their own pools, with the short answer timeout. */
  private readonly trackerPools: PoolSet;

  constructor(readonly options: ClientOptions) {
    const poolOpts: PoolOptions = {
      connectTimeout: options.connectTimeout ?? 5,
      // A stalled storage (hung, or SIGSTOPped) costs a client seconds; a transfer that moves never times out.
      networkTimeout: options.networkTimeout ?? 10,
      max: options.maxConnectionsPerServer ?? 16,
      maxIdleTime: options.maxIdleTime ?? 3600,
      localAddress: options.localAddress,
      authenticate: options.key ? keyAuthenticator(options.key) : undefined,
      tls: options.tls,
    };
    // A busy storage connection frees when its transfer ends: wait as long as a transfer may stall.
    this.pools = new PoolSet({ ...poolOpts, waitTimeout: Math.max(poolOpts.connectTimeout!, poolOpts.networkTimeout!) });
    this.trackerPools = new PoolSet({ ...poolOpts, networkTimeout: Math.min(poolOpts.networkTimeout!, options.trackerTimeout ?? 5) });
    this.trackers = new TrackerSet(options.trackers.map((t) => parseAddress(t, DEFAULT_TRACKER_PORT)), this.trackerPools);
  }

  close(): void {
    this.pools.close();
    this.trackerPools.close();
  }

  trackerHealth(): TrackerHealth[] {
    return this.trackers.snapshot();
  }

  // ---- tracker queries

  async queryStore(group?: string): Promise<StoreTarget> {
    const cmd = group ? TrackerCmd.QueryStoreWithGroupOne : TrackerCmd.QueryStoreWithoutGroupOne;
    return decodeQueryStoreResponse(await this.askTracker(group, 'write', encodeQueryStoreRequest({ group }), cmd));
  }

  async queryStoreAll(group?: string): Promise<{ group: string; servers: StorageAddr[]; storePathIndex: number }> {
    const cmd = group ? TrackerCmd.QueryStoreWithGroupAll : TrackerCmd.QueryStoreWithoutGroupAll;
    return decodeQueryStoreAllResponse(await this.askTracker(group, 'write', encodeQueryStoreRequest({ group, all: true }), cmd));
  }

  /** 102: a storage that can serve the file. */
  async queryFetch(fileId: string): Promise<FetchTarget> {
    return this.queryOne(TrackerCmd.QueryFetchOne, fileId);
  }

  /** 103: the storage where changes to the file must go (its source). */
  async queryUpdate(fileId: string): Promise<FetchTarget> {
    return this.queryOne(TrackerCmd.QueryUpdate, fileId);
  }

  /** 105: every storage that can serve the file. */
  async queryFetchAll(fileId: string): Promise<{ group: string; servers: StorageAddr[] }> {
    const { group, logical } = splitFileId(fileId);
    const cmd = TrackerCmd.QueryFetchAll;
    return decodeQueryFetchAllResponse(await this.askTracker(group, 'read', encodeQueryFetchRequest(cmd, group, logical), cmd));
  }

  private async queryOne(cmd: 102 | 103, fileId: string): Promise<FetchTarget> {
    const { group, logical } = splitFileId(fileId);
    const need = cmd === TrackerCmd.QueryUpdate ? 'write' : 'read';
    return decodeQueryFetchResponse(await this.askTracker(group, need, encodeQueryFetchRequest(cmd, group, logical), cmd));
  }

  /** A routing query; an ENOENT answer is told apart (no such group / no storage up right now) and waited out. */
  private askTracker(group: string | undefined, need: Need, packet: Buffer, cmd: number): Promise<Buffer> {
    return queryWithRetry(this, group, need, () => this.trackers.use((c) => c.call(packet, { cmd })),
      { waitMs: (this.options.unavailableWait ?? 5) * 1000 });
  }

  async listGroups(): Promise<GroupStat[]> {
    const body = await this.trackers.use((c) => c.call(encodeListAllGroupsRequest(), { cmd: TrackerCmd.ServerListAllGroups }));
    return decodeListGroupsResponse(body);
  }

  async listGroup(group: string): Promise<GroupStat> {
    const body = await this.trackers.use((c) => c.call(encodeListOneGroupRequest(group), { cmd: TrackerCmd.ServerListOneGroup }));
    return decodeListGroupsResponse(body)[0]!;
  }

  async listStorages(group: string, storageId?: string): Promise<StorageRecord[]> {
    const body = await this.trackers.use((c) =>
      c.call(encodeListStorageRequest(group, storageId), { cmd: TrackerCmd.ServerListStorage, maxBody: 64 << 10 }));
    return decodeListStorageResponse(body);
  }

  // ---- storage operations

  private async storage<T>(addr: StorageAddr, fn: (c: Connection) => Promise<T>): Promise<T> {
    try {
      const port = this.options.tls ? await this.tlsPortOf(addr) : addr.port;
      return await this.pools.get(addr.ip, port).use(fn);
    } catch (err) {
      if (err instanceof ConnectError) err.role = 'storage';
      throw err;
    }
  }

  /** Storage port → its advertised TLS port, from the tracker's 202 answer (asked again for a storage not in it). */
  private readonly tlsPorts = new Map<string, number>();

  /** The TLS port the trackers advertise for a storage (202); UsageError when it has none. */
  async tlsPortOf(addr: Pick<StorageAddr, 'ip' | 'port'>): Promise<number> {
    const key = `${addr.ip}:${addr.port}`;
    if (!this.tlsPorts.get(key)) {
      const body = await this.trackers.use((c) => c.call(encodeQueryTlsPortsRequest(), { cmd: TrackerCmd.FdfsQueryTlsPorts, maxBody: 1 << 20 }));
      for (const e of decodeQueryTlsPortsResponse(body)) this.tlsPorts.set(`${e.ip}:${e.port}`, e.tlsPort);
    }
    const port = this.tlsPorts.get(key);
    if (!port) throw new UsageError(`storage ${key} serves no TLS port (tls_port in its storage.conf, reported to fdfs trackers): turn TLS on there, or connect without TLS`);
    return port;
  }

  /** Upload a Buffer, a local file path or a stream; resolves to the file ID. */
  async upload(source: UploadSource, opts: UploadOptions = {}): Promise<string> {
    const src = await prepareSource(source, opts.size);
    try {
      const ext = opts.ext ?? src.extFromName ?? '';
      if (!isValidExt(ext)) throw new UsageError(`bad file extension "${ext}" (up to 6 of A-Z a-z 0-9 . _ -)`);
      const target = await this.queryStore(opts.group);
      const cmd = opts.appender ? StorageCmd.UploadAppenderFile : StorageCmd.UploadFile;
      const head = encodeUploadHead(cmd, { storePathIndex: target.storePathIndex, fileSize: src.size, ext });
      let sent = 0;
      const onProgress = (n: number, total: number) => {
        sent = n;
        opts.onProgress?.(n, total);
      };
      const fileId = await this.storage(target, async (c) => {
        try {
          const res = decodeUploadResponse(await streamRequest(c, head, src.open(), src.size, { cmd, maxBody: 256, onProgress }));
          return `${res.group}/${res.logical}`;
        } catch (err) {
          if (err instanceof TimeoutError) throw this.stalled(c.address, 'upload', `${sent} of ${src.size} bytes sent; nothing was stored`);
          throw peerGone(err) ? new TransferCutError(`storage ${c.address}`, sent, src.size, 'upload') : err;
        }
      });
      if (opts.metadata && Object.keys(toEntries(opts.metadata)).length) {
        await this.setMetadataAt(target, fileId, opts.metadata, 'overwrite');
      }
      return fileId;
    } finally {
      await src.cleanup();
    }
  }

  /** Stream the file (or a range) into `sink`; resolves to the number of bytes written. */
  async downloadTo(fileId: string, sink: Writable, opts: DownloadOptions = {}): Promise<number> {
    const { group, logical } = splitFileId(fileId);
    const target = await this.queryFetch(fileId);
    const offset = opts.offset ?? 0;
    const signal = opts.signal;
    if (signal?.aborted) throw interrupted(signal);
    const req = encodeDownloadRequest({ group, filename: logical, fileOffset: offset, downloadBytes: opts.length ?? 0 });
    let delivered = 0;
    const from = (server: StorageAddr) => this.storage(server, async (c) => {
      // Aborting drops the connection: whatever awaits it (the answer, the next chunk) fails at once.
      const stop = () => c.destroy();
      signal?.addEventListener('abort', stop, { once: true });
      let total: number | undefined;
      let got = 0;
      try {
        total = await c.open(req, StorageCmd.DownloadFile)
          .catch(async (err) => { throw await fileOps.offsetProblem(this, fileId, offset, err, opts.length); });
        for await (const chunk of c.body()) {
          got += chunk.length;
          delivered += chunk.length;
          if (!sink.write(chunk)) await waitDrain(sink);
          opts.onProgress?.(got, total);
        }
        if (got !== total) throw new LengthMismatchError(total, got);
      } catch (err) {
        if (signal?.aborted) throw interrupted(signal);
        if (err instanceof TimeoutError) throw this.stalled(c.address, 'download', total === undefined ? 'before its first byte' : `${got} of ${total} bytes received`);
        if (total !== undefined && (err instanceof ConnectionClosedError || err instanceof LengthMismatchError)) {
          throw new TransferCutError(`storage ${c.address}`, got, total);
        }
        throw err;
      } finally {
        signal?.removeEventListener('abort', stop);
      }
      c.done();
      return got;
    });
    try {
      return await from(target);
    } catch (err) {
      // Before a byte reached the sink, another replica may serve it: EIO (that copy is damaged and being fetched
      // again), ENOENT (that member lacks it: lost, or not replicated yet), or that storage gone or hung.
      const refused = err instanceof StatusError && (err.errno === Errno.EIO || err.errno === Errno.ENOENT);
      const gone = err instanceof ConnectError || err instanceof TimeoutError || peerGone(err);
      if (delivered > 0 || signal?.aborted || !(refused || gone)) throw err;
      const other = await this.anotherReplica(fileId, group, target);
      if (!other) throw err;
      return from(other);
    }
  }

  /** A storage that let a transfer stall for networkTimeout seconds: said in the user's terms. */
  private stalled(address: string, what: 'upload' | 'download', progress: string): TimeoutError {
    const secs = this.options.networkTimeout ?? 10;
    return new TimeoutError(what, `storage ${address} stopped answering during the ${what} (nothing moved for ${secs} s; ${progress}) — `
      + 'it may be overloaded or hung; try again, or check it with fdfs monitor');
  }

  /**
   * A member other than `not` that may hold the file: one the tracker names (105), else any other ACTIVE member
   * (the tracker names only members it knows have synced past the file's time, which lags a few seconds).
   */
  private async anotherReplica(fileId: string, group: string, not: StorageAddr): Promise<StorageAddr | undefined> {
    const differs = (s: StorageAddr) => s.ip !== not.ip || s.port !== not.port;
    const named = await this.queryFetchAll(fileId).then((r) => r.servers.find(differs), () => undefined);
    if (named) return named;
    const members = await this.listStorages(group).catch(() => [] as StorageRecord[]);
    return members.filter((m) => m.status === StorageStatus.Active).map((m) => ({ ip: m.ipAddr, port: m.storagePort })).find(differs);
  }

  async downloadToBuffer(fileId: string, opts: DownloadOptions = {}): Promise<Buffer> {
    const parts: Buffer[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        parts.push(Buffer.from(chunk));
        cb();
      },
    });
    await this.downloadTo(fileId, sink, opts);
    return Buffer.concat(parts);
  }

  /**
   * Download into `dest` via a partial file renamed on success: no half-written file is ever visible. A
   * whole-file download cut off or aborted keeps its partial file; `resume` continues it (download-file.ts).
   */
  downloadToFile(fileId: string, dest: string, opts: DownloadFileOptions = {}): Promise<number> {
    return downloadToFile(this, fileId, dest, opts);
  }

  async delete(fileId: string): Promise<void> {
    const { group, logical } = splitFileId(fileId);
    const target = await this.queryUpdate(fileId);
    await this.storage(target, (c) => c.call(encodeDeleteFileRequest({ group, filename: logical }), { cmd: StorageCmd.DeleteFile }));
  }

  /** True if the storage has the file (FastDFS storage_file_exist). */
  async exists(fileId: string): Promise<boolean> {
    try {
      await this.info(fileId);
      return true;
    } catch (err) {
      if ((err as { errno?: number }).errno === 2) return false;
      throw err;
    }
  }

  /** What the file name tells, without any server (fdfs_file_info on a normal file). */
  decodeFileId(fileId: string): FileNameInfo & { group: string; logical: string } {
    const { group, logical } = splitFileId(fileId);
    return { group, logical, ...decodeFileName(logical) };
  }

  /** QUERY_FILE_INFO on a storage that holds the file. */
  async info(fileId: string, opts: { calcCrc32?: boolean } = {}): Promise<FileInfo> {
    const { group, logical } = splitFileId(fileId);
    const decoded = peekFileName(logical) ?? decodeFileName(logical);
    const target = await this.queryFetch(fileId);
    const body = await this.storage(target, (c) =>
      c.call(encodeQueryFileInfoRequest({ group, filename: logical, notCalcCrc32: opts.calcCrc32 === false }), { cmd: StorageCmd.QueryFileInfo }));
    const i = decodeQueryFileInfoResponse(body);
    return { fileId, group, kind: decoded.kind, size: i.fileSize, createTimestamp: i.createTimestamp, crc32: i.crc32, sourceIp: i.sourceIp };
  }

  async setMetadata(fileId: string, metadata: MetadataInput, mode: 'overwrite' | 'merge' = 'overwrite'): Promise<void> {
    const target = await this.queryUpdate(fileId);
    await this.setMetadataAt(target, fileId, metadata, mode);
  }

  private async setMetadataAt(target: StorageAddr, fileId: string, metadata: MetadataInput, mode: 'overwrite' | 'merge'): Promise<void> {
    const { group, logical } = splitFileId(fileId);
    const pkt = encodeSetMetadataRequest({ group, filename: logical, metadata, op: mode === 'merge' ? 'M' : 'O' });
    await this.storage(target, (c) => c.call(pkt, { cmd: StorageCmd.SetMetadata }));
  }

  // ---- appender files, slave files (file-ops.ts) and administration (admin.ts)

  /** Upload an appender file (23): it can later be appended to, modified, truncated and regenerated. */
  uploadAppender(source: UploadSource, opts: Omit<UploadOptions, 'appender'> = {}): Promise<string> {
    return this.upload(source, { ...opts, appender: true });
  }

  /** 24: append the content to an appender file. */
  append(fileId: string, source: UploadSource, opts: ContentOptions = {}): Promise<void> {
    return fileOps.appendFile(this, fileId, source, opts);
  }

  /** 34: overwrite an appender file from `offset` (≤ its size, else EINVAL); may extend it. */
  modify(fileId: string, offset: number, source: UploadSource, opts: ContentOptions = {}): Promise<void> {
    return fileOps.modifyFile(this, fileId, offset, source, opts);
  }

  /** 36: set an appender file's size (0 by default, as the PHP API); larger sizes extend it with zeros. */
  truncate(fileId: string, size = 0): Promise<void> {
    return fileOps.truncateFile(this, fileId, size);
  }

  /** 38: turn an appender file into a normal one; resolves to the new file ID. */
  regenerateAppenderFilename(fileId: string): Promise<string> {
    return fileOps.regenerateAppenderFilename(this, fileId);
  }

  /** 21: upload a slave file (thumbnail…) of `masterId`, stored next to it as master name + prefix + ext. */
  async uploadSlave(masterId: string, prefix: string, source: UploadSource, opts: SlaveUploadOptions = {}): Promise<string> {
    const { fileId, target } = await fileOps.uploadSlave(this, masterId, prefix, source, opts);
    if (opts.metadata && Object.keys(toEntries(opts.metadata)).length) await this.setMetadataAt(target, fileId, opts.metadata, 'overwrite');
    return fileId;
  }

  /** 20: a new file ID that is a link to `srcId` (a slave of `opts.masterId` with `opts.prefix`, or a generated name). */
  createLink(srcId: string, opts: fileOps.CreateLinkOptions = {}): Promise<string> {
    return fileOps.createLink(this, srcId, opts);
  }

  /** The ID a slave gets (§6.7), computed locally; `ext` undefined keeps the master's extension. */
  slaveFileId(masterId: string, prefix: string, ext?: string): string {
    return fileOps.slaveFileId(masterId, prefix, ext);
  }

  /** 93 on every tracker (after 92 shows the storage is not ONLINE/ACTIVE anywhere, else EBUSY). */
  deleteStorage(group: string, storageId: string): Promise<void> {
    return admin.deleteStorage(this.trackers, group, storageId);
  }

  /** 108 on every tracker: removes a group that has no storages (EBUSY otherwise). */
  deleteGroup(group: string): Promise<void> {
    return admin.deleteGroup(this.trackers, group);
  }

  /** 95: the leader tracker's address. */
  getLeader(): Promise<{ ip: string; port: number }> {
    return admin.getLeader(this.trackers);
  }

  /** ACTIVE_TEST (111) to a tracker or storage 'host:port'; false if it does not answer. */
  async activeTest(address: string): Promise<boolean> {
    const a = parseAddress(address, DEFAULT_TRACKER_PORT);
    return this.pools.get(a.host, a.port).use((c) => c.activeTest()).catch(() => false);
  }

  /** Run `fn` on a pooled connection to a storage (used by file-ops; connection errors name the storage). */
  withStorage<T>(addr: StorageAddr, fn: (c: Connection) => Promise<T>): Promise<T> {
    return this.storage(addr, fn);
  }

  async getMetadata(fileId: string): Promise<Metadata> {
    const { group, logical } = splitFileId(fileId);
    const target = await this.queryUpdate(fileId);
    try {
      const body = await this.storage(target, (c) =>
        c.call(encodeGetMetadataRequest({ group, filename: logical }), { cmd: StorageCmd.GetMetadata, maxBody: 1 << 20 }));
      return decodeGetMetadataResponse(body);
    } catch (err) {
      // ENOENT covers "no metadata" too: a file that exists without any has empty metadata.
      if (!(err instanceof StatusError) || err.errno !== Errno.ENOENT) throw err;
      if (await this.exists(fileId)) return {};
      throw new StatusError(Errno.ENOENT, `file ${fileId} not found`, err.cmd);
    }
  }
}

function toEntries(m: MetadataInput): Record<string, string> {
  if (m instanceof Map) return Object.fromEntries(m);
  if (Array.isArray(m)) return Object.fromEntries(m as Array<[string, string]>);
  return m as Record<string, string>;
}

function waitDrain(w: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    const onDrain = () => { cleanup(); resolve(); };
    const onError = (e: Error) => { cleanup(); reject(e); };
    const onClose = () => { cleanup(); reject(new Error('destination closed')); };
    const cleanup = () => { w.off('drain', onDrain); w.off('error', onError); w.off('close', onClose); };
    w.on('drain', onDrain);
    w.on('error', onError);
    w.on('close', onClose);
  });
}

/** The peer closed or reset the connection (as opposed to answering, or a local problem). */
function peerGone(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException)?.code;
  return err instanceof ConnectionClosedError || code === 'ECONNRESET' || code === 'EPIPE';
}

/** The InterruptedError for an aborted transfer: the abort reason names the signal when it was one. */
function interrupted(signal: AbortSignal): InterruptedError {
  const reason = typeof signal.reason === 'string' ? signal.reason : 'SIGINT';
  return new InterruptedError(`download interrupted (${reason})`, reason);
}
