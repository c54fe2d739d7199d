// Prometheus metrics of a server process (prom-client, loaded only by `fdfs serve`): requests per command with
// latency, bytes in/out, open connections, HTTP requests, plus gauges that roles fill before each scrape.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Gauge, Registry } from 'prom-client';
import { StatusError } from './errors.js';
import { CommonCmd, StorageCmd, TrackerCmd } from './protocol/codes.js';

export type Role = 'tracker' | 'storage';

export interface Metrics {
  /** One request of the binary protocol; status is the errno sent (0 ok) or 'error' for a dropped connection. */
  observeRequest(role: Role, cmd: number, status: number | 'error', seconds: number, bytesIn: number, bytesOut: number): void;
  /** One HTTP request answered on `port`. */
  observeHttp(port: number, method: string, code: number, seconds: number): void;
  /** A live `{current}` connection count of a listener, summed per role at scrape time. */
  addConnectionSource(role: Role, stats: { current: number; native?: number }): void;
  /** Runs before every scrape (fills gauges from the roles' state). */
  addCollector(fn: () => void | Promise<void>): void;
  gauge(name: string, help: string, labelNames: readonly string[]): Gauge;
  /** The exposition text and its content type. */
  render(): Promise<{ contentType: string; body: string }>;
  /** This process's request counters, as plain data (a storage worker sends them to its owner). */
  exportRequests(): RequestCounters[];
  /** Counters of another process (a storage worker by its pid): added to this process's at scrape time. */
  setRemoteRequests(source: string, counters: RequestCounters[]): void;
  /** This process's HTTP counters, as plain data (a storage worker serving the gateway sends them to its owner). */
  exportHttp(): HttpCounters[];
  /** HTTP counters of another process, added at scrape time. */
  setRemoteHttp(source: string, counters: HttpCounters[]): void;
  /** Drop this process's request and HTTP counters (a worker's warm-up traffic is nobody's). */
  forgetCounters(): void;
}

/** HTTP requests of one port and method as plain JSON: answers by status code, latency buckets. */
export interface HttpCounters {
  port: string;
  method: string;
  byCode: Array<[string, number]>;
  buckets: number[];
  sum: number;
  count: number;
}

/** In a storage worker: /metrics is the owner's (every process's counters), fetched from it. */
let renderer: (() => Promise<{ contentType: string; body: string }>) | null = null;
export function renderMetricsWith(fn: () => Promise<{ contentType: string; body: string }>): void {
  renderer = fn;
}

/** One command's request counters as plain JSON. */
export interface RequestCounters {
  role: Role;
  command: string;
  byStatus: Array<[string, number]>;
  buckets: number[];
  sum: number;
  count: number;
  inBytes: number;
  outBytes: number;
}

let active: Metrics | null = null;

const BOUNDS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const BUCKETS = BOUNDS.map(String);

interface CommandStats {
  role: Role;
  command: string;
  byStatus: Map<string, number>;
  /** Observations per bucket (not cumulative); those above the last bound count only in `count`. */
  buckets: number[];
  sum: number;
  count: number;
  inBytes: number;
  outBytes: number;
}

const HTTP_BOUNDS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30];
const HTTP_BUCKETS = HTTP_BOUNDS.map(String);

interface HttpStats {
  port: string;
  method: string;
  byCode: Map<string, number>;
  /** Observations per bucket (not cumulative). */
  buckets: number[];
  sum: number;
  count: number;
}

function newHttpStats(port: string, method: string): HttpStats {
  return { port, method, byCode: new Map(), buckets: new Array<number>(HTTP_BOUNDS.length).fill(0), sum: 0, count: 0 };
}

/** A histogram's series from per-bucket (not cumulative) counts: cumulative buckets, +Inf, sum and count. */
function histogramValues(name: string, labels: Record<string, string>, bounds: string[],
  h: { buckets: number[]; sum: number; count: number }): MetricValue[] {
  let cum = 0;
  const out: MetricValue[] = bounds.map((le, i) => {
    cum += h.buckets[i]!;
    return { labels: { ...labels, le }, value: cum, metricName: `${name}_bucket` };
  });
  out.push({ labels: { ...labels, le: '+Inf' }, value: h.count, metricName: `${name}_bucket` });
  out.push({ labels, value: h.sum, metricName: `${name}_sum` });
  out.push({ labels, value: h.count, metricName: `${name}_count` });
  return out;
}

interface MetricValue {
  labels: Record<string, string>;
  value: number;
  metricName?: string;
}

/** The process's metrics, or null when metrics are off (hot paths test this and skip). */
export function metrics(): Metrics | null {
  return active;
}

/** 'UploadFile' → 'upload_file'. */
function snake(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

function names(table: Record<string, number>): Map<number, string> {
  return new Map(Object.entries(table).map(([k, v]) => [v, snake(k)]));
}
const COMMAND_NAMES: Record<Role, Map<number, string>> = {
  tracker: new Map([...names(TrackerCmd), ...names(CommonCmd)]),
  storage: new Map([...names(StorageCmd), ...names(CommonCmd)]),
};

export function commandName(role: Role, cmd: number): string {
  return COMMAND_NAMES[role].get(cmd) ?? String(cmd);
}

/** Creates the registry once per process (both roles of `serve --role all` share it). */
export async function enableMetrics(): Promise<Metrics> {
  if (active) return active;
  const prom = await import('prom-client');
  const registry: Registry = new prom.Registry();
  prom.collectDefaultMetrics({ register: registry, prefix: 'fdfs_' });
  // Protocol requests are counted in plain structures (tens of ns each) and handed to the registry as
  // ready-made families at scrape time: prom-client's per-call label handling costs microseconds.
  const table = new Map<number, CommandStats>();
  const remote = new Map<string, RequestCounters[]>();
  // This process's counters plus those of its workers, one series per role and command.
  const merged = (): CommandStats[] => {
    if (!remote.size) return [...table.values()];
    const out = new Map<string, CommandStats>();
    const add = (c: CommandStats | RequestCounters) => {
      const k = `${c.role}:${c.command}`;
      let m = out.get(k);
      if (!m) {
        m = { role: c.role, command: c.command, byStatus: new Map(), buckets: new Array<number>(BUCKETS.length).fill(0), sum: 0, count: 0, inBytes: 0, outBytes: 0 };
        out.set(k, m);
      }
      for (const [st, n] of c.byStatus) m.byStatus.set(st, (m.byStatus.get(st) ?? 0) + n);
      c.buckets.forEach((n, i) => { m.buckets[i]! += n; });
      m.sum += c.sum;
      m.count += c.count;
      m.inBytes += c.inBytes;
      m.outBytes += c.outBytes;
    };
    for (const c of table.values()) add(c);
    for (const list of remote.values()) for (const c of list) add(c);
    return [...out.values()];
  };
  const family = (name: string, help: string, type: 'counter' | 'histogram', values: () => MetricValue[]) =>
    registry.registerMetric({ name, help, type, get: () => ({ name, help, type, values: values(), aggregator: 'sum' }) } as never);
  family('fdfs_requests_total', 'Binary protocol requests by role, command and status (errno; 0 = ok).', 'counter', () =>
    merged().flatMap((c) => [...c.byStatus].map(([status, value]) => ({ labels: { role: c.role, command: c.command, status }, value }))));
  family('fdfs_request_duration_seconds', 'Binary protocol request time, from its header to the end of the answer.', 'histogram', () =>
    merged().flatMap((c) => histogramValues('fdfs_request_duration_seconds', { role: c.role, command: c.command }, BUCKETS, c)));
  family('fdfs_received_bytes_total', 'Request bytes received (headers and bodies) by role and command.', 'counter', () =>
    merged().filter((c) => c.inBytes > 0).map((c) => ({ labels: { role: c.role, command: c.command }, value: c.inBytes })));
  family('fdfs_sent_bytes_total', 'Answer bytes sent (headers and bodies) by role and command.', 'counter', () =>
    merged().filter((c) => c.outBytes > 0).map((c) => ({ labels: { role: c.role, command: c.command }, value: c.outBytes })));
  // HTTP answers, counted like protocol requests (plain table, families at scrape time, workers' added).
  const http = new Map<string, HttpStats>();
  const remoteHttp = new Map<string, HttpCounters[]>();
  const mergedHttp = (): HttpStats[] => {
    if (!remoteHttp.size) return [...http.values()];
    const out = new Map<string, HttpStats>();
    const add = (c: HttpStats | HttpCounters) => {
      const k = `${c.port} ${c.method}`;
      let m = out.get(k);
      if (!m) {
        m = newHttpStats(c.port, c.method);
        out.set(k, m);
      }
      for (const [code, n] of c.byCode) m.byCode.set(code, (m.byCode.get(code) ?? 0) + n);
      c.buckets.forEach((n, i) => { m.buckets[i]! += n; });
      m.sum += c.sum;
      m.count += c.count;
    };
    for (const c of http.values()) add(c);
    for (const list of remoteHttp.values()) for (const c of list) add(c);
    return [...out.values()];
  };
  family('fdfs_http_requests_total', 'HTTP requests by listening port, method and status code.', 'counter', () =>
    mergedHttp().flatMap((c) => [...c.byCode].map(([code, value]) => ({ labels: { port: c.port, method: c.method, code }, value }))));
  family('fdfs_http_request_duration_seconds', 'HTTP request time until the answer is sent.', 'histogram', () =>
    mergedHttp().flatMap((c) => histogramValues('fdfs_http_request_duration_seconds', { port: c.port, method: c.method }, HTTP_BUCKETS, c)));
  const sources: Array<{ role: Role; stats: { current: number; native?: number } }> = [];
  /** A gauge by role summing one field of the roles' connection stats. */
  const connectionGauge = (name: string, help: string, field: (s: { current: number; native?: number }) => number) =>
    new prom.Gauge({
      name, help, labelNames: ['role'], registers: [registry],
      collect() {
        this.reset();
        for (const role of ['tracker', 'storage'] as const) {
          const own = sources.filter((s) => s.role === role);
          if (own.length) this.set({ role }, own.reduce((n, s) => n + field(s.stats), 0));
        }
      },
    });
  connectionGauge('fdfs_open_connections', 'Open binary protocol connections by role.', (s) => s.current);
  connectionGauge('fdfs_native_connections', 'Of the open connections, those served by the C query loop now, by role.', (s) => s.native ?? 0);
  const collectors: Array<() => void | Promise<void>> = [];
  const gauges = new Map<string, Gauge>();

  active = {
    observeRequest(role, cmd, status, seconds, inBytes, outBytes) {
      // Numeric keys: no string built per request (role in the high bits, command below).
      const k = (role === 'tracker' ? 1024 : 0) + cmd;
      let c = table.get(k);
      if (!c) {
        c = { role, command: commandName(role, cmd), byStatus: new Map(), buckets: new Array<number>(BUCKETS.length).fill(0), sum: 0, count: 0, inBytes: 0, outBytes: 0 };
        table.set(k, c);
      }
      const st = status === 0 ? '0' : String(status);
      c.byStatus.set(st, (c.byStatus.get(st) ?? 0) + 1);
      let i = 0;
      while (i < BOUNDS.length && seconds > BOUNDS[i]!) i++;
      if (i < BOUNDS.length) c.buckets[i]!++;
      c.sum += seconds;
      c.count++;
      c.inBytes += inBytes;
      c.outBytes += outBytes;
    },
    observeHttp(port, method, code, seconds) {
      const k = `${port} ${method}`;
      let c = http.get(k);
      if (!c) {
        c = newHttpStats(String(port), method);
        http.set(k, c);
      }
      const st = String(code);
      c.byCode.set(st, (c.byCode.get(st) ?? 0) + 1);
      let i = 0;
      while (i < HTTP_BOUNDS.length && seconds > HTTP_BOUNDS[i]!) i++;
      if (i < HTTP_BOUNDS.length) c.buckets[i]!++;
      c.sum += seconds;
      c.count++;
    },
    exportHttp() {
      return [...http.values()].map((c) => ({ ...c, byCode: [...c.byCode], buckets: [...c.buckets] }));
    },
    setRemoteHttp(source, counters) {
      remoteHttp.set(source, counters);
    },
    addConnectionSource(role, stats) {
      sources.push({ role, stats });
    },
    addCollector(fn) {
      collectors.push(fn);
    },
    gauge(name, help, labelNames) {
      let g = gauges.get(name);
      if (!g) {
        g = new prom.Gauge({ name, help, labelNames: [...labelNames], registers: [registry] });
        gauges.set(name, g);
      }
      return g;
    },
    exportRequests() {
      return [...table.values()].map((c) => ({ ...c, byStatus: [...c.byStatus], buckets: [...c.buckets] }));
    },
    setRemoteRequests(source, counters) {
      remote.set(source, counters);
    },
    forgetCounters() {
      table.clear();
      http.clear();
    },
    async render() {
      // A collector that fails leaves its gauges as they were; the scrape still answers.
      await Promise.all(collectors.map(async (fn) => {
        try {
          await fn();
        } catch {
          // ignored: stale values beat a failed scrape
        }
      }));
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
  return active;
}

/**
 * `dispatch` timed and counted per command (unchanged when metrics are off). Bytes in are the request
 * (10-byte header + pkg_len); bytes out are what the socket wrote meanwhile.
 */
export function observedDispatch<C extends { header: { cmd: number; pkgLen: number }; conn: { socket: { bytesWritten: number } } }>(
  role: Role, dispatch: (ctx: C) => Promise<void>,
): (ctx: C) => Promise<void> {
  const m = metrics();
  if (!m) return dispatch;
  return async (ctx) => {
    const t0 = performance.now();
    const out0 = ctx.conn.socket.bytesWritten;
    const inBytes = 10 + (Number.isFinite(ctx.header.pkgLen) ? ctx.header.pkgLen : 0);
    let status: number | 'error' = 0;
    try {
      await dispatch(ctx);
    } catch (err) {
      status = err instanceof StatusError ? err.errno : 'error';
      throw err;
    } finally {
      m.observeRequest(role, ctx.header.cmd, status, (performance.now() - t0) / 1000, inBytes,
        ctx.conn.socket.bytesWritten - out0);
    }
  };
}

/**
 * For an HTTP listener: counts and times the request, and answers `GET /metrics` itself. Returns true when
 * it answered (the listener's own handler then stays out).
 */
export function metricsHttp(port: number, req: IncomingMessage, res: ServerResponse, allowed?: (req: IncomingMessage) => boolean): boolean {
  const m = metrics();
  if (!m) return false;
  const t0 = process.hrtime.bigint();
  res.once('finish', () => m.observeHttp(port, req.method ?? '', res.statusCode, Number(process.hrtime.bigint() - t0) / 1e9));
  const path = (req.url ?? '').split('?')[0];
  if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) return false;
  if (allowed && !allowed(req)) {
    res.writeHead(403, { 'Content-Type': 'text/plain' });
    res.end('/metrics needs a listed host (http.metrics.allow_hosts) or Authorization: Bearer <http.metrics.token>\n');
    return true;
  }
  (renderer ?? m.render)().then(({ contentType, body }) => {
    res.writeHead(200, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : body);
  }, () => {
    res.writeHead(500, { 'Content-Type': 'text/plain' });
    res.end('metrics failed\n');
  });
  return true;
}
