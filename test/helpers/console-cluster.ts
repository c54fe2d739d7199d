// A two-group cluster for the web console tests: one tracker (or two) with its HTTP entry (the console),
// group1 with two storages and group2 with one, every storage with its HTTP gateway and HTTP upload on.
import { FdfsClient } from '../../src/client/index.js';
import { startStorage, startTracker, stopAll, waitAllActive, type Conf, type StorageHandle, type TrackerHandle } from './cluster.js';

export const UPLOAD_SECRET = 'console-upload-secret';
export const TOKEN_SECRET = 'console-token-secret';
const TRACKER_HTTP = 8080;
const STORAGE_HTTP = 8888;

export interface ConsoleCluster {
  tracker: TrackerHandle;
  /** The second tracker, when asked for. */
  tracker2?: TrackerHandle;
  storages: StorageHandle[];
  client: FdfsClient;
  /** http://tracker:8080 */
  base: string;
  stop(): Promise<void>;
}

export async function startConsoleCluster(o: { tokens?: boolean; trackers?: 1 | 2 } = {}): Promise<ConsoleCluster> {
  const tokens: Conf = o.tokens
    ? { 'http.anti_steal.check_token': 'true', 'http.anti_steal.secret_key': TOKEN_SECRET, 'http.anti_steal.token_ttl': 900 }
    : {};
  const trackerConf: Conf = { 'http.server_port': TRACKER_HTTP, 'http.storage_server_port': STORAGE_HTTP, ...tokens };
  const tracker = await startTracker({ conf: trackerConf });
  const tracker2 = o.trackers === 2 ? await startTracker({ conf: trackerConf }) : undefined;
  const trackers = [tracker.address, ...(tracker2 ? [tracker2.address] : [])];
  const conf: Conf = { 'http.server_port': STORAGE_HTTP, 'http.upload.secret': UPLOAD_SECRET, ...tokens };
  const storages = [
    await startStorage({ trackers, group: 'group1', conf }),
    await startStorage({ trackers, group: 'group1', conf }),
    await startStorage({ trackers, group: 'group2', conf }),
  ];
  const client = new FdfsClient({ trackers: [tracker.address] });
  await waitAllActive(client, storages, 30_000);
  return {
    tracker, tracker2, storages, client, base: `http://${tracker.host}:${TRACKER_HTTP}`,
    async stop() {
      client.close();
      await stopAll([...storages, tracker, tracker2]);
    },
  };
}
