// The tracker's HTTP entry, wired by the serve layer: src/http gets the tracker's routes (where a file can be
// read, a health summary) and its listen settings, so src/tracker never imports src/http.
import { metricsAccess } from '../../http/metrics-access.js';
import { TrackerEntry } from '../../http/tracker-entry.js';
import type { TrackerServer } from '../../tracker/tracker-server.js';
import { consoleRoutes } from '../../http/console/routes.js';
import { StatHistory } from '../../tracker/stat-history.js';
import { trackerConsole } from './console-source.js';

/** Start the entry when tracker.conf sets http.server_port; null otherwise. */
export async function startTrackerHttp(tracker: TrackerServer): Promise<TrackerEntry | null> {
  const c = tracker.config;
  if (!(c.httpServerPort > 0)) return null;
  // The console's charts: the last hour of what storages report, sampled from the tracker's model.
  const history = new StatHistory(tracker.cluster);
  const source = trackerConsole(tracker, history);
  const entry = new TrackerEntry({
    host: c.bindAddr.split(',')[0]!.trim(), port: c.httpServerPort, storageHttpPort: c.httpStorageServerPort,
    networkTimeout: c.networkTimeout, maxConnections: c.maxConnections, log: tracker.log,
    console: consoleRoutes(source, c.networkTimeout),
    metricsAccess: metricsAccess(c),
    https: tracker.tls?.httpsListener(),
    storageHttpsPort: c.httpStorageTlsPort,
  }, tracker.httpRoutes());
  await entry.start();
  history.start();
  tracker.attach({ stop: async () => { await history.stop(); source.close(); } });
  // Stopped with the tracker: after the leader relationship, before its listener (as before).
  tracker.attach(entry);
  return entry;
}
