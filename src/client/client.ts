// FdfsClient: the typed promise API over trackers and storages (upload, download, delete,
// info, metadata, lists). Connections are pooled per address; bodies are streamed.
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { Writable } from 'node:stream';
import { PoolSet, type PoolOptions } from '../net/pool.js';
import type { Connection } from '../net/connection.js';
import { TrackerCmd, StorageCmd, DEFAULT_TRACKER_PORT } from '../protocol/codes.js';
import { encodeQueryStoreRequest, decodeQueryStoreResponse, encodeQueryFetchRequest, decodeQueryFetchResponse,
  decodeQueryFetchAllResponse, decodeQueryStoreAllResponse, type StoreTarget, type FetchTarget, type StorageAddr } from '../protocol/tracker-query.js';
import { encodeUploadHead, decodeUploadResponse, encodeDownloadRequest, encodeDeleteFileRequest,
  encodeQueryFileInfoRequest, decodeQueryFileInfoResponse } from '../protocol/storage-file.js';
import { encodeSetMetadataRequest, encodeGetMetadataRequest, decodeGetMetadataResponse } from '../protocol/storage-meta.js';
import { encodeListAllGroupsRequest, encodeListOneGroupRequest, decodeListGroupsResponse, encodeListStorageRequest,
  decodeListStorageResponse, type GroupStat, type StorageRecord } from '../protocol/tracker-list.js';
import { splitFileId, decodeFileName, peekFileName, isValidExt, type FileNameInfo } from '../protocol/file-id.js';
import type { Metadata, MetadataInput } from '../protocol/metadata.js';
import { ConnectError, Errno, LengthMismatchError, StatusError, UsageError } from '../errors.js';
import { TrackerSet, parseAddress, type TrackerHealth } from './trackers.js';
import { prepareSource, type UploadSource } from './sources.js';
import { streamRequest } from '../net/exchange.js';
import * as fileOps from './file-ops.js';
import * as admin from './admin.js';
import type { ContentOptions, SlaveUploadOptions } from './file-ops.js';

export interface ClientOptions {
  /** Tracker addresses 'host:port' (the default port is 22122). */
  trackers: string[];
  /** Seconds. @default 10 */
  connectTimeout?: number;
  /** Seconds. @default 30 */
  networkTimeout?: number;
  /** Most pooled connections per server. @default 16 */
  maxConnectionsPerServer?: number;
  /** Pooled connections idle longer than this are closed (seconds). @default 3600 */
  maxIdleTime?: number;
  /** Secret for anti-steal tokens (http.anti_steal.secret_key). */
  antiStealSecret?: string;
  /** Local address outgoing connections are bound to (a host with several addresses). */
  localAddress?: string;
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

  constructor(readonly options: ClientOptions) {
    const poolOpts: PoolOptions = {
      connectTimeout: options.connectTimeout ?? 10,
      networkTimeout: options.networkTimeout ?? 30,
      max: options.maxConnectionsPerServer ?? 16,
      maxIdleTime: options.maxIdleTime ?? 3600,
      localAddress: options.localAddress,
    };
    this.pools = new PoolSet(poolOpts);
    this.trackers = new TrackerSet(options.trackers.map((t) => parseAddress(t, DEFAULT_TRACKER_PORT)), this.pools);
  }

  close(): void {
    this.pools.close();
  }

  trackerHealth(): TrackerHealth[] {
    return this.trackers.snapshot();
  }

  // ---- tracker queries

  async queryStore(group?: string): Promise<StoreTarget> {
    const cmd = group ? TrackerCmd.QueryStoreWithGroupOne : TrackerCmd.QueryStoreWithoutGroupOne;
    const body = await this.trackers.use((c) => c.call(encodeQueryStoreRequest({ group }), { cmd })).catch((err) => { throw storeRefusal(err, group); });
    return decodeQueryStoreResponse(body);
  }

  async queryStoreAll(group?: string): Promise<{ group: string; servers: StorageAddr[]; storePathIndex: number }> {
    const cmd = group ? TrackerCmd.QueryStoreWithGroupAll : TrackerCmd.QueryStoreWithoutGroupAll;
    const body = await this.trackers.use((c) => c.call(encodeQueryStoreRequest({ group, all: true }), { cmd })).catch((err) => { throw storeRefusal(err, group); });
    return decodeQueryStoreAllResponse(body);
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
    const body = await this.trackers.use((c) => c.call(encodeQueryFetchRequest(cmd, group, logical), { cmd }));
    return decodeQueryFetchAllResponse(body);
  }

  private async queryOne(cmd: 102 | 103, fileId: string): Promise<FetchTarget> {
    const { group, logical } = splitFileId(fileId);
    const body = await this.trackers.use((c) => c.call(encodeQueryFetchRequest(cmd, group, logical), { cmd }));
    return decodeQueryFetchResponse(body);
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
      return await this.pools.get(addr.ip, addr.port).use(fn);
    } catch (err) {
      if (err instanceof ConnectError) err.role = 'storage';
      throw err;
    }
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
      const fileId = await this.storage(target, async (c) => {
        const res = decodeUploadResponse(await streamRequest(c, head, src.open(), src.size, { cmd, maxBody: 256, onProgress: opts.onProgress }));
        return `${res.group}/${res.logical}`;
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
    const req = encodeDownloadRequest({ group, filename: logical, fileOffset: opts.offset ?? 0, downloadBytes: opts.length ?? 0 });
    const from = (server: StorageAddr) => this.storage(server, async (c) => {
      const total = await c.open(req, StorageCmd.DownloadFile);
      let got = 0;
      for await (const chunk of c.body()) {
        got += chunk.length;
        if (!sink.write(chunk)) await waitDrain(sink);
        opts.onProgress?.(got, total);
      }
      if (got !== total) throw new LengthMismatchError(total, got);
      c.done();
      return got;
    });
    try {
      return await from(target);
    } catch (err) {
      // EIO before the body: that storage's copy is damaged (it is fetching a good one); another replica serves.
      if (!(err instanceof StatusError && err.errno === Errno.EIO)) throw err;
      const other = (await this.queryFetchAll(fileId)).servers.find((s) => s.ip !== target.ip || s.port !== target.port);
      if (!other) throw err;
      return from(other);
    }
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

  /** Download into `dest` via a temp file renamed on success: no half-written file is ever visible. */
  async downloadToFile(fileId: string, dest: string, opts: DownloadOptions = {}): Promise<number> {
    const tmp = path.join(path.dirname(dest), `.${path.basename(dest)}.fdfs-${process.pid}-${Date.now()}.tmp`);
    let fh: FileHandle;
    try {
      // Opened before anything is fetched: a destination that cannot be written is a plain error, not a crash.
      fh = await open(tmp, 'wx');
    } catch (err) {
      throw new UsageError(`cannot write ${dest}: ${localWriteProblem(err)}`);
    }
    const out = fh.createWriteStream();
    try {
      const n = await this.downloadTo(fileId, out, opts);
      await new Promise<void>((resolve, reject) => {
        out.once('error', reject);
        out.end(() => resolve());
      });
      await rename(tmp, dest);
      return n;
    } catch (err) {
      out.destroy();
      await rm(tmp, { force: true });
      throw err;
    }
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
    const body = await this.storage(target, (c) =>
      c.call(encodeGetMetadataRequest({ group, filename: logical }), { cmd: StorageCmd.GetMetadata, maxBody: 1 << 20 }));
    return decodeGetMetadataResponse(body);
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

/** Why a local file cannot be created, in the user's words. */
function localWriteProblem(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return 'no such directory';
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') return 'permission denied';
  if (code === 'ENOSPC') return 'no space left on the device';
  if (code === 'EISDIR') return 'is a directory';
  return (err as Error).message;
}

/** The tracker's ENOENT to an upload query, said as the tracker means it (the wire carries only the errno). */
function storeRefusal(err: unknown, group?: string): unknown {
  if (!(err instanceof StatusError) || err.errno !== Errno.ENOENT) return err;
  const what = group
    ? `the tracker knows no group ${group}, or none of its storages is active`
    : 'no group has an active storage to upload to';
  return new StatusError(Errno.ENOENT, what, err.cmd);
}
