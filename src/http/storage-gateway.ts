// The storage's HTTP download gateway (replaces nginx + fastdfs-nginx-module, spec §7.3): GET/HEAD of
// `/[group/]Mxx/HH/HH/name`, anti-steal tokens, proxy/redirect for files not replicated yet, /healthz, POST /upload.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { StorageConfig } from '../config/index.js';
import type { Logger } from '../log.js';
import { isMetadataSidecar, normalContentFacts, peekFileName, type FileNameInfo, type FileSource } from '../protocol/file-id.js';
import { HttpListener, reply, type HttpsListener } from './listener.js';
import { openLocalFile } from './local-file.js';
import { MimeTable } from './mime.js';
import { proxyFile } from './proxy.js';
import { httpDate, sendFile, type OpenedFile } from './send-file.js';
import { handleUpload, type UploadRequest } from './upload.js';
import { TokenPolicy } from './token-policy.js';
import { metricsAccess } from './metrics-access.js';
import { fileTarget, parseTarget, withQueryParam, type FileTarget } from './url-path.js';

/** What the gateway needs from the storage it fronts (it never touches store paths itself). */
export interface StorageFiles {
  group: string;
  /** The file for a valid logical name, null when this storage does not have it, 'damaged' when its copy is. */
  openFile(logical: string): Promise<OpenedFile | null | 'damaged'>;
  /** The address of the storage a name's source refers to ('' when unknown, e.g. an id not in storage_ids). */
  sourceHost(source: FileSource): string;
  /** True for this storage's own address. */
  isSelf(host: string): boolean;
  /** Store an uploaded file like UPLOAD_FILE does; resolves with its file ID. */
  upload(u: UploadRequest): Promise<string>;
  /** Extra /healthz fields. */
  health(): Record<string, unknown>;
  /** A GET of a file this storage has ended: counted with DOWNLOAD_FILE's counters (monitor, stats). */
  downloaded?(ok: boolean, bytes: number): void;
  /** A small whole file read and checked at once (counted as a download); null: take the full path. */
  readSmall?(logical: string): { data: Buffer } | null;
}

/** Request headers that need the full path (ranges and preconditions). */
const CONDITIONAL_HEADERS = ['range', 'if-match', 'if-none-match', 'if-modified-since', 'if-unmodified-since', 'if-range'] as const;

export class StorageGateway {
  private readonly listener: HttpListener;
  private readonly mime: MimeTable;
  private readonly tokens: TokenPolicy;

  constructor(private readonly config: StorageConfig, private readonly files: StorageFiles, private readonly log: Logger,
    https?: HttpsListener | null) {
    this.tokens = new TokenPolicy(config);
    this.mime = MimeTable.load(config.httpNeedFindContentType ? config.httpMimeTypesFilename : undefined);
    this.listener = new HttpListener({
      host: config.bindAddr.split(',')[0]!.trim(),
      port: config.httpServerPort,
      log,
      networkTimeout: config.networkTimeout,
      maxConnections: config.maxConnections,
      metricsAccess: metricsAccess(config),
      https,
    }, (req, res) => this.handle(req, res));
  }

  get address(): { host: string; port: number } {
    return this.listener.address;
  }

  async start(): Promise<void> {
    await this.listener.listen();
    this.log.info({ http: `${this.address.host}:${this.address.port}`, mime: this.mime.source,
      token: this.config.httpAntiStealCheckToken, upload: this.config.httpUploadSecret !== '' }, 'storage HTTP listening');
  }

  stop(): Promise<void> {
    return this.listener.close();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const t = parseTarget(req.url);
    if (!t) return reply(res, 400, 'bad request target');
    if (t.path === '/healthz') {
      return reply(res, 200, JSON.stringify({ role: 'storage', status: 'ok', group: this.files.group, ...this.files.health() }),
        { 'Content-Type': 'application/json' });
    }
    if (t.path === '/upload' && this.config.httpUploadSecret !== '') {
      if (req.method !== 'POST') return reply(res, 405, '', { Allow: 'POST' });
      // Writes obey allow_hosts like the binary protocol; downloads stay open as they were behind nginx.
      const peer = (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
      if (!this.config.allowHosts.allows(peer)) return reply(res, 403, 'not in allow_hosts', { Connection: 'close' });
      return handleUpload(req, res, t.query, {
        secret: this.config.httpUploadSecret, maxSize: this.config.httpUploadMaxSize, store: (u) => this.files.upload(u),
      });
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return reply(res, 405, '', { Allow: 'GET, HEAD', Connection: 'close' });
    const target = fileTarget(t.path);
    if (!target) return reply(res, 400, 'not a file URL (/group/Mxx/HH/HH/name)');
    // Metadata is read with GET_METADATA, never downloaded as a file (it may hold what the URL's token guards).
    if (isMetadataSidecar(target.logical)) return reply(res, 404);
    if (target.group === '' ? this.config.httpUrlHaveGroupName : target.group !== this.files.group) {
      return reply(res, 404, target.group ? `unknown group ${target.group}` : 'the URL must name the group (url_have_group_name = true)');
    }
    const verdict = this.tokens.check(this.files.group, target.logical, t.query);
    if (verdict !== 'ok') return this.tokenFailed(req, res, verdict);
    if (req.method === 'GET' && this.sendSmall(req, res, target.logical, t.query)) return;
    // Facts from the name (null for pre-1.12 short names, which are still served when present).
    const info = namedFacts(target.logical);
    const file = await this.files.openFile(target.logical);
    if (!file) return info ? this.notHere(req, res, target, info, t.rawQuery, t.query) : reply(res, 404);
    if (file === 'damaged') {
      return reply(res, 503, 'this storage\'s copy of the file is damaged; a good copy is being fetched from another storage of the group',
        { 'Retry-After': '5' });
    }
    let sent = -1;
    try {
      const downloadName = t.query.get('filename') || undefined;
      sent = await sendFile(req, res, file, {
        etag: etagOf(info, file),
        contentType: this.contentType(target.logical, downloadName),
        downloadName,
        multiRange: this.config.httpMultiRangeEnabled,
        lastModifiedMs: normalTime(info),
      });
    } finally {
      await file.close();
      if (req.method === 'GET') this.files.downloaded?.(sent >= 0, Math.max(sent, 0));
    }
  }

  /**
   * The common GET, answered in one synchronous step: a small normal file, whole, no ranges or preconditions, no
   * download name. Same headers as sendFile. False: take the full path (nothing was sent).
   */
  private sendSmall(req: IncomingMessage, res: ServerResponse, logical: string, query: URLSearchParams): boolean {
    const h = req.headers;
    for (const k of CONDITIONAL_HEADERS) if (h[k] !== undefined) return false;
    if (query.has('filename')) return false;
    const facts = normalContentFacts(logical);
    if (!facts) return false;
    const small = this.files.readSmall?.(logical);
    if (!small) return false;
    res.writeHead(200, [
      'Accept-Ranges', 'bytes',
      'ETag', normalEtag(facts.crc32, facts.size, facts.timestamp),
      'Last-Modified', httpDate(facts.timestamp * 1000),
      'Content-Type', this.contentType(logical),
      'Content-Length', String(small.data.length),
    ]);
    res.end(small.data);
    return true;
  }

  private contentType(logical: string, downloadName?: string): string {
    if (!this.config.httpNeedFindContentType) return this.config.httpDefaultContentType;
    return this.mime.lookup(logical) ?? (downloadName && this.mime.lookup(downloadName)) ?? this.config.httpDefaultContentType;
  }

  /** 403, or the configured token_check_fail file with 200 and its own type (as the module does). */
  private async tokenFailed(req: IncomingMessage, res: ServerResponse, verdict: string): Promise<void> {
    const failFile = this.config.httpAntiStealTokenCheckFail;
    const file = failFile ? await openLocalFile(failFile) : null;
    if (!file) return reply(res, 403, `anti-steal token ${verdict}`);
    try {
      await sendFile(req, res, file, {
        etag: `W/"${file.size.toString(16)}-${Math.floor(file.mtimeMs).toString(16)}"`,
        contentType: this.mime.lookup(failFile) ?? this.config.httpDefaultContentType,
        multiRange: false,
      });
    } finally {
      await file.close();
    }
  }

  /**
   * A file this storage lacks: 404 when it was created here, is older than storage_sync_file_max_delay, its
   * source is unknown or we were already redirected once (redirect=1); otherwise proxy or redirect to the source.
   */
  private async notHere(req: IncomingMessage, res: ServerResponse, target: FileTarget, info: FileNameInfo,
    rawQuery: string, query: URLSearchParams): Promise<void> {
    const c = this.config;
    const host = this.files.sourceHost(info.source);
    const now = Math.floor(Date.now() / 1000);
    if (!host || this.files.isSelf(host)) return reply(res, 404);
    if (info.timestamp < now - c.httpStorageSyncFileMaxDelay) return reply(res, 404);
    if (query.has('redirect')) return reply(res, 404, 'not found here nor on the source storage (redirect loop guard)');
    const port = this.address.port;
    const path = `/${target.group ? `${target.group}/` : ''}${target.logical}?${withQueryParam(rawQuery, 'redirect', '1')}`;
    if (c.httpResponseMode === 'redirect') {
      const location = `http://${host}${port === 80 ? '' : `:${port}`}${path}`;
      return reply(res, 302, `see ${location}`, { Location: location });
    }
    this.log.debug({ file: target.logical, source: host }, 'proxying a file not replicated yet');
    await proxyFile(req, res, { host, port, path, connectTimeout: c.connectTimeout, networkTimeout: c.networkTimeout });
  }
}

function namedFacts(logical: string): FileNameInfo | null {
  try {
    return peekFileName(logical);
  } catch {
    return null;
  }
}

/** Names of normal (and trunk) files fix their content: their timestamp is Last-Modified, as in the module. */
function normalTime(info: FileNameInfo | null): number | undefined {
  return info && (info.kind === 'normal' || info.kind === 'trunk') ? info.timestamp * 1000 : undefined;
}

/**
 * Normal files never change: a strong tag from the facts in the name (CRC-32, size, time). Appender and slave
 * files may, so theirs is weak, from size and mtime.
 */
function etagOf(info: FileNameInfo | null, file: OpenedFile): string {
  if (info && (info.kind === 'normal' || info.kind === 'trunk')) return normalEtag(info.crc32, file.size, info.timestamp);
  return `W/"${file.size.toString(16)}-${Math.floor(file.mtimeMs).toString(16)}"`;
}

function normalEtag(crc32: number, size: number, timestamp: number): string {
  return `"${crc32.toString(16).padStart(8, '0')}-${size.toString(16)}-${timestamp.toString(16)}"`;
}
