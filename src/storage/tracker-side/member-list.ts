// The group's member addresses asked of the trackers (92) when a storage-only command comes from an address
// the last pushed list does not name: a member that just joined is known at once, not at the next beat (its
// replication would otherwise be refused and wait out a retry pause). At most one query a second.
import type { StorageConfig } from '../../config/index.js';
import { TrackerCmd } from '../../protocol/codes.js';
import { decodeListStorageResponse, encodeListStorageRequest } from '../../protocol/tracker-list.js';
import { connectTracker, sortTrackers } from './tracker-client.js';

const MIN_INTERVAL_MS = 1000;

export class MemberList {
  private last = 0;
  private pending: Promise<string[] | null> | null = null;

  constructor(private readonly config: StorageConfig, private readonly group: string) {}

  /** The members' IPs from the first tracker that answers; null when none did or it is too soon to ask again. */
  fresh(): Promise<string[] | null> {
    if (this.pending) return this.pending;
    if (Date.now() - this.last < MIN_INTERVAL_MS) return Promise.resolve(null);
    this.last = Date.now();
    this.pending = this.ask().finally(() => { this.pending = null; });
    return this.pending;
  }

  private async ask(): Promise<string[] | null> {
    for (const t of sortTrackers(this.config.trackerServers)) {
      try {
        const { conn } = await connectTracker(this.config, t);
        try {
          const list = decodeListStorageResponse(await conn.call(encodeListStorageRequest(this.group),
            { cmd: TrackerCmd.ServerListStorage, maxBody: 64 << 10 }));
          return list.map((s) => s.ipAddr);
        } finally {
          conn.quit();
        }
      } catch {
        continue;
      }
    }
    return null;
  }
}
