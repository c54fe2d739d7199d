// The HTTP listener both roles use: node:http with bounded header size and header/idle timeouts (slow clients
// are dropped), a connection cap, an async handler whose failures become 500 or a cut connection, and clean stop.
import http, { type IncomingMessage, type Server, type ServerResponse } from 'node:http';
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
  private readonly sockets = new Set<Socket>();
  private bound: { host: string; port: number } | null = null;

  constructor(private readonly o: HttpListenerOptions, handler: HttpHandler) {
    const timeoutMs = Math.max(o.networkTimeout, 1) * 1000;
    this.server = http.createServer({
      maxHeaderSize: o.maxHeaderSize ?? 8192,
      headersTimeout: timeoutMs,
      // Bodies (uploads) may be long; the idle timeout below bounds a stalled one instead.
      requestTimeout: 0,
      keepAliveTimeout: 5000,
      connectionsCheckingInterval: Math.min(1000, timeoutMs),
    }, (req, res) => {
      // Request counts and latency, and GET /metrics, when `fdfs serve` turned metrics on.
      if (metricsHttp(o.port, req, res, o.metricsAccess ?? undefined)) return;
      handler(req, res).catch((err: unknown) => {
        // A client that went away mid-body is routine; anything else is worth a warning.
        const gone = res.destroyed || req.destroyed || (err as NodeJS.ErrnoException).code === 'ERR_STREAM_PREMATURE_CLOSE';
        o.log[gone ? 'debug' : 'warn']({ err, url: req.url?.slice(0, 200), method: req.method }, 'HTTP request failed');
        if (!res.headersSent) reply(res, 500, '', { Connection: 'close' });
        else res.destroy();
      });
    });
    this.server.timeout = timeoutMs;
    if (o.maxConnections) this.server.maxConnections = o.maxConnections;
    this.server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    this.server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
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
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      this.server.once('error', onError);
      this.server.listen({ host: this.o.host || undefined, port: this.o.port }, () => {
        this.server.off('error', onError);
        resolve();
      });
    });
    const a = this.server.address();
    this.bound = typeof a === 'object' && a ? { host: a.address, port: a.port } : { host: this.o.host, port: this.o.port };
  }

  /** Stop accepting and cut open connections (downloads in flight end short, as on a process exit). */
  async close(): Promise<void> {
    if (!this.server.listening) return;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const s of this.sockets) s.destroy();
    await closed;
  }
}
