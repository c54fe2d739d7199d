// The tracker's HTTP entry (replaces the nginx reverse proxy in front of the storages): GET/HEAD of
// `/group/Mxx/HH/HH/name` answers 302 to the gateway of a storage that holds the file; /healthz.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { StatusError, Errno, UnavailableError } from '../errors.js';
import type { Logger } from '../log.js';
import { HttpListener, reply, type HttpsListener } from './listener.js';
import { fileTarget, parseTarget } from './url-path.js';
import type { ConsoleHandler } from './console/routes.js';

/** Storages re-join a restarted tracker within a second or two. */
const RETRY_AFTER_SECONDS = 2;

export interface TrackerRoutes {
  /**
   * A readable storage of `group` holding `logical` (the tracker's 102 routing) and the HTTP port it reported
   * (0 from stock storages: storageHttpPort applies); throws StatusError, or UnavailableError (→ 503) when the
   * group is known but none of its storages is ACTIVE right now.
   */
  locate(group: string, logical: string): { host: string; httpPort: number };
  /** Extra /healthz fields. */
  health(): Record<string, unknown>;
}

export interface TrackerEntryOptions {
  host: string;
  port: number;
  /** The storages' http.server_port (tracker.conf http.storage_server_port), for storages that do not say theirs. */
  storageHttpPort: number;
  networkTimeout: number;
  maxConnections?: number;
  log: Logger;
  /** The web console and its JSON API (`/`, `/console`, `/api/…`), when wired. */
  console?: ConsoleHandler;
  /** Who may read /metrics (metrics-access.ts); absent = anyone. */
  metricsAccess?: ((req: IncomingMessage) => boolean) | null;
  /** The storages' HTTPS port, for redirects of requests that came over HTTPS (0: their plain port). */
  storageHttpsPort?: number;
  /** HTTPS beside HTTP (http.tls_port). */
  https?: HttpsListener | null;
}

export class TrackerEntry {
  private readonly listener: HttpListener;

  constructor(private readonly o: TrackerEntryOptions, private readonly routes: TrackerRoutes) {
    this.listener = new HttpListener({ host: o.host, port: o.port, log: o.log, networkTimeout: o.networkTimeout,
      maxConnections: o.maxConnections, metricsAccess: o.metricsAccess, https: o.https }, (req, res) => this.handle(req, res));
  }

  get address(): { host: string; port: number } {
    return this.listener.address;
  }

  async start(): Promise<void> {
    await this.listener.listen();
    this.o.log.info({ http: `${this.address.host}:${this.address.port}`, storageHttpPort: this.o.storageHttpPort }, 'tracker HTTP listening');
  }

  stop(): Promise<void> {
    return this.listener.close();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const t = parseTarget(req.url);
    if (!t) return reply(res, 400, 'bad request target');
    if (t.path === '/healthz') {
      return reply(res, 200, JSON.stringify({ role: 'tracker', status: 'ok', ...this.routes.health() }), { 'Content-Type': 'application/json' });
    }
    if (this.o.console && (await this.o.console(req, res, t))) return;
    if (req.method !== 'GET' && req.method !== 'HEAD') return reply(res, 405, '', { Allow: 'GET, HEAD', Connection: 'close' });
    const target = fileTarget(t.path);
    if (!target) return reply(res, 400, 'not a file URL (/group/Mxx/HH/HH/name)');
    if (!target.group) return reply(res, 404, 'the tracker needs the group in the URL (/group/Mxx/HH/HH/name)');
    let host: string;
    let port: number;
    try {
      const found = this.routes.locate(target.group, target.logical);
      host = found.host;
      port = found.httpPort || this.o.storageHttpPort;
    } catch (err) {
      if (err instanceof UnavailableError) return reply(res, 503, err.message, { 'Retry-After': String(RETRY_AFTER_SECONDS) });
      if (err instanceof StatusError && err.errno === Errno.EINVAL) return reply(res, 400, 'not a FastDFS file name');
      if (err instanceof StatusError) return reply(res, 404, err.message);
      throw err;
    }
    // Over HTTPS, to the storages' HTTPS port when the tracker knows it.
    const secure = (req.socket as { encrypted?: boolean }).encrypted === true && (this.o.storageHttpsPort ?? 0) > 0;
    if (secure) port = this.o.storageHttpsPort!;
    const scheme = secure ? 'https' : 'http';
    const location = `${scheme}://${host.includes(':') ? `[${host}]` : host}${port === (secure ? 443 : 80) ? '' : `:${port}`}/${target.group}/${target.logical}${t.rawQuery ? `?${t.rawQuery}` : ''}`;
    reply(res, 302, `see ${location}`, { Location: location, 'Cache-Control': 'no-store' });
  }
}
