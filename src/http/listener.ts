// The HTTP listener both roles use: node:http with bounded header size and header/idle timeouts (slow clients
// are dropped), a connection cap, an async handler whose failures become 500 or a cut connection, and clean stop.
import http, { type IncomingMessage, type RequestListener, type Server, type ServerOptions, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from '../log.js';
import { metricsHttp } from '../metrics.js';

export interface HttpListenerOptions {
  host: string;
  port: number;
  log: Logger;
  /** Seconds: a request's headers must arrive within this, and a connection idle this long is closed. */
  networkTimeout: number;
  maxConnections?: number;
  /** Bytes of request line + headers; more → 431. @default 8192 */
  maxHeaderSize?: number;
  /** Who may read /metrics (metrics-access.ts); absent = anyone. */
  metricsAccess?: ((req: IncomingMessage) => boolean) | null;
  /** HTTPS beside HTTP on another port, same handler (src/security/tls.ts). */
  https?: HttpsListener | null;
}

export interface HttpsListener {
  port: number;
  createServer(opts: ServerOptions, handler: RequestListener): Server;
}

export type HttpHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/** A short text answer; `Connection: close` when the request body was not read. */
export function reply(res: ServerResponse, status: number, text = '', headers: Record<string, string | number> = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = text ? `${text}\n` : `${status} ${http.STATUS_CODES[status] ?? ''}\n`;
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body), ...headers });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

export class HttpListener {
  private readonly server: Server;
  private readonly httpsServer: Server | null = null;
  private readonly sockets = new Set<Socket>();
  private bound: { host: string; port: number } | null = null;

  constructor(private readonly o: HttpListenerOptions, handler: HttpHandler) {
    const timeoutMs = Math.max(o.networkTimeout, 1) * 1000;
    const serverOptions: ServerOptions = {
      maxHeaderSize: o.maxHeaderSize ?? 8192,
      headersTimeout: timeoutMs,
      // Bodies (uploads) may be long; the idle timeout below bounds a stalled one instead.
      requestTimeout: 0,
      keepAliveTimeout: 5000,
      connectionsCheckingInterval: Math.min(1000, timeoutMs),
    };
    const onRequest: RequestListener = (req, res) => {
      // Request counts and latency, and GET /metrics, when `fdfs serve` turned metrics on.
      if (metricsHttp(o.port, req, res, o.metricsAccess ?? undefined)) return;
      handler(req, res).catch((err: unknown) => {
        // A client that went away mid-body is routine; anything else is worth a warning.
        const gone = res.destroyed || req.destroyed || (err as NodeJS.ErrnoException).code === 'ERR_STREAM_PREMATURE_CLOSE';
        o.log[gone ? 'debug' : 'warn']({ err, url: req.url?.slice(0, 200), method: req.method }, 'HTTP request failed');
        if (!res.headersSent) reply(res, 500, '', { Connection: 'close' });
        else res.destroy();
      });
    };
    this.server = http.createServer(serverOptions, onRequest);
    this.setUp(this.server, timeoutMs);
    if (o.https) {
      this.httpsServer = o.https.createServer(serverOptions, onRequest);
      this.setUp(this.httpsServer, timeoutMs);
    }
  }

  private setUp(server: Server, timeoutMs: number): void {
    const o = this.o;
    server.timeout = timeoutMs;
    if (o.maxConnections) server.maxConnections = o.maxConnections;
    server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
      o.log.debug({ err: err.message, code: err.code }, 'HTTP client error');
      if (!socket.writable) return socket.destroy();
      const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
      socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      socket.destroySoon();
    });
  }

  get address(): { host: string; port: number } {
    if (!this.bound) throw new Error('HTTP listener not started');
    return this.bound;
  }

  async listen(): Promise<void> {
    await this.bind(this.server, this.o.port);
    if (this.httpsServer) await this.bind(this.httpsServer, this.o.https!.port);
    const a = this.server.address();
    this.bound = typeof a === 'object' && a ? { host: a.address, port: a.port } : { host: this.o.host, port: this.o.port };
  }

  private bind(server: Server, port: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      server.once('error', onError);
      server.listen({ host: this.o.host || undefined, port }, () => {
        server.off('error', onError);
        resolve();
      });
    });
  }

  /** Stop accepting and cut open connections (downloads in flight end short, as on a process exit). */
  async close(): Promise<void> {
    const open = [this.server, this.httpsServer].filter((s): s is Server => s !== null && s.listening);
    const closed = open.map((s) => new Promise<void>((resolve) => s.close(() => resolve())));
    for (const s of this.sockets) s.destroy();
    await Promise.all(closed);
  }
}
