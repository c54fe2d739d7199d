// The tracker's HTTP entry, wired by the serve layer: src/http gets the tracker's routes (where a file can be
// read, a health summary) and its listen settings, so src/tracker never imports src/http.
import { TrackerEntry } from '../../http/tracker-entry.js';
import type { TrackerServer } from '../../tracker/tracker-server.js';

/** Start the entry when tracker.conf sets http.server_port; null otherwise. */
export async function startTrackerHttp(tracker: TrackerServer): Promise<TrackerEntry | null> {
  const c = tracker.config;
  if (!(c.httpServerPort > 0)) return null;
  const entry = new TrackerEntry({
    host: c.bindAddr.split(',')[0]!.trim(), port: c.httpServerPort, storageHttpPort: c.httpStorageServerPort,
    networkTimeout: c.networkTimeout, maxConnections: c.maxConnections, log: tracker.log,
  }, tracker.httpRoutes());
  await entry.start();
  // Stopped with the tracker: after the leader relationship, before its listener (as before).
  tracker.attach(entry);
  return entry;
}
