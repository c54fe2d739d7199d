// Who may read /metrics (issue 14): hosts listed in http.metrics.allow_hosts, or a bearer http.metrics.token.
import type { IncomingMessage } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import type { MetricsAccessSettings } from '../config/index.js';

/** Null when neither is set: /metrics stays open, as before. */
export function metricsAccess(cfg: MetricsAccessSettings): ((req: IncomingMessage) => boolean) | null {
  const hosts = cfg.httpMetricsAllowHosts;
  const token = cfg.httpMetricsToken ? Buffer.from(`Bearer ${cfg.httpMetricsToken}`) : null;
  if (!hosts && !token) return null;
  return (req) => {
    if (hosts?.allows(req.socket.remoteAddress ?? '')) return true;
    const given = Buffer.from(req.headers.authorization ?? '');
    return token !== null && given.length === token.length && timingSafeEqual(given, token);
  };
}
