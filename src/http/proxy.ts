// response_mode = proxy (spec §7.3): fetch a not-yet-replicated file from its source storage's gateway
// (same port, same URI plus redirect=1, request headers copied) and stream the answer back unchanged.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { reply } from './listener.js';

/** Hop-by-hop headers (RFC 9110 §7.6.1) are not forwarded in either direction. */
const HOP = new Set(['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'proxy-connection', 'te',
  'trailer', 'transfer-encoding', 'upgrade', 'host']);

export interface ProxyTarget {
  host: string;
  port: number;
  /** Path and query to request upstream (already carrying redirect=1). */
  path: string;
  /** Seconds. */
  connectTimeout: number;
  /** Seconds of upstream silence before giving up. */
  networkTimeout: number;
}

function forwardHeaders(h: http.IncomingHttpHeaders): http.OutgoingHttpHeaders {
  const out: http.OutgoingHttpHeaders = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined && !HOP.has(k)) out[k] = v;
  return out;
}

/** Stream the upstream answer into `res`; 502 when the source cannot be reached, 504 when it stays silent. */
export async function proxyFile(req: IncomingMessage, res: ServerResponse, t: ProxyTarget): Promise<void> {
  const upstream = await new Promise<IncomingMessage | number>((resolve) => {
    const up = http.request({
      host: t.host, port: t.port, method: req.method, path: t.path, agent: false,
      headers: { ...forwardHeaders(req.headers), host: `${t.host}:${t.port}`, connection: 'close' },
    });
    const connectTimer = setTimeout(() => {
      up.destroy();
      resolve(504);
    }, Math.max(t.connectTimeout, 1) * 1000);
    up.setTimeout(Math.max(t.networkTimeout, 1) * 1000, () => {
      up.destroy();
      resolve(504);
    });
    up.on('socket', (s) => s.once('connect', () => clearTimeout(connectTimer)));
    up.on('response', (r) => {
      clearTimeout(connectTimer);
      resolve(r);
    });
    up.on('error', () => {
      clearTimeout(connectTimer);
      resolve(502);
    });
    up.end();
  });
  if (typeof upstream === 'number') {
    reply(res, upstream, `source storage ${t.host}:${t.port} ${upstream === 504 ? 'timed out' : 'unreachable'}`);
    return;
  }
  const headers = forwardHeaders(upstream.headers);
  res.writeHead(upstream.statusCode ?? 502, headers);
  // A client that goes away ends the upstream request too (pipeline destroys both sides).
  await pipeline(upstream, res);
}
