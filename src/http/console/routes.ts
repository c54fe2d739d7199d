// The console's routes on the tracker's HTTP port: `/` and `/console` serve the page, `/api/…` the JSON API.
// Anything else is the entry's (file redirects); false tells it so.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { reply } from '../listener.js';
import type { ParsedTarget } from '../url-path.js';
import { handleApi } from './api.js';
import { CONSOLE_HTML } from './page.js';
import type { ConsoleSource } from './source.js';

const PAGE_HEADERS = {
  'Content-Type': 'text/html; charset=utf-8',
  'Content-Length': Buffer.byteLength(CONSOLE_HTML),
  'Cache-Control': 'no-cache',
  // Everything the page uses is inline or same-origin; images may be previewed from the storages' gateways.
  'Content-Security-Policy': "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src 'self' http: https: data:; connect-src 'self'",
  'X-Content-Type-Options': 'nosniff',
};

export type ConsoleHandler = (req: IncomingMessage, res: ServerResponse, t: ParsedTarget) => Promise<boolean>;

export function consoleRoutes(src: ConsoleSource, timeoutSec: number): ConsoleHandler {
  return async (req, res, t) => {
    if (t.path === '/api' || t.path.startsWith('/api/')) {
      await handleApi(req, res, t, src, timeoutSec);
      return true;
    }
    if (t.path !== '/' && t.path !== '/console' && t.path !== '/console/') return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      reply(res, 405, '', { Allow: 'GET, HEAD', Connection: 'close' });
      return true;
    }
    res.writeHead(200, PAGE_HEADERS);
    res.end(req.method === 'HEAD' ? undefined : CONSOLE_HTML);
    return true;
  };
}
