// Short storage → tracker exchanges replication needs (spec §8.7), each on its own connection closed with QUIT:
// 86 SYNC_SRC_REQ (who bootstraps a peer), 76 REPORT_STATUS to every tracker, 77 CHANGELOG_REQ with a body.
import type { StorageConfig } from '../../config/index.js';
import { formatHostPort, type HostPort } from '../../config/values.js';
import { Errno, StatusError } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { StorageBrief } from '../../protocol/beat.js';
import { TrackerCmd } from '../../protocol/codes.js';
import {
  decodeChangelogResponse, decodeSyncPlanResponse, encodeChangelogRequest, encodeReportStatusRequest, encodeSyncSrcRequest,
  type ChangelogEntry, type SyncPlan,
} from '../../protocol/sync-coord.js';
import { connectTracker, sortTrackers } from './tracker-client.js';

export class TrackerCalls {
  private readonly trackers: HostPort[];

  /** `leader()`: the leader's address when known ("ip:port"), tried first. */
  constructor(private readonly config: StorageConfig, private readonly log: Logger, private readonly leader: () => string = () => '') {
    this.trackers = sortTrackers(config.trackerServers);
  }

  private ordered(): HostPort[] {
    const l = this.leader();
    const first = this.trackers.filter((t) => t.hosts.some((h) => `${h}:${t.port}` === l));
    return [...first, ...this.trackers.filter((t) => !first.includes(t))];
  }

  private async once(t: HostPort, packet: Buffer, cmd: number): Promise<Buffer> {
    const { conn } = await connectTracker(this.config, t);
    try {
      return await conn.call(packet, { cmd, maxBody: 64 << 10 });
    } finally {
      conn.quit();
    }
  }

  /**
   * 86: the sync plan recorded for `destId` (null: it had no source). A tracker's ENOENT (dest unknown or
   * still INIT) is passed on; unreachable trackers are skipped.
   */
  async syncSrc(group: string, destId: string): Promise<SyncPlan | null> {
    let last: unknown = new Error('no tracker reachable');
    for (const t of this.ordered()) {
      try {
        return decodeSyncPlanResponse(await this.once(t, encodeSyncSrcRequest({ group, destId }), TrackerCmd.StorageSyncSrcReq));
      } catch (err) {
        if (err instanceof StatusError && err.errno === Errno.ENOENT) throw err;
        last = err;
        this.log.debug({ tracker: formatHostPort(t), err: (err as Error).message }, 'SYNC_SRC_REQ failed');
      }
    }
    throw last;
  }

  /** 76 to every tracker in parallel; resolves with how many accepted it. */
  async reportStatus(group: string, brief: StorageBrief): Promise<number> {
    const results = await Promise.allSettled(this.trackers.map((t) =>
      this.once(t, encodeReportStatusRequest({ group, brief }), TrackerCmd.StorageReportStatus)));
    results.forEach((r, i) => {
      if (r.status === 'rejected') this.log.warn({ tracker: formatHostPort(this.trackers[i]!), err: (r.reason as Error).message }, 'REPORT_STATUS failed');
    });
    return results.filter((r) => r.status === 'fulfilled').length;
  }

  /** 77 with a body, asked of every tracker: the changelog entries (DELETED / IP_CHANGED) they hold. */
  async changelog(group: string, storageId: string): Promise<ChangelogEntry[]> {
    const out: ChangelogEntry[] = [];
    await Promise.all(this.trackers.map(async (t) => {
      try {
        const body = await this.once(t, encodeChangelogRequest({ group, storageId }), TrackerCmd.StorageChangelogReq);
        out.push(...decodeChangelogResponse(body).entries);
      } catch (err) {
        this.log.debug({ tracker: formatHostPort(t), err: (err as Error).message }, 'CHANGELOG_REQ failed');
      }
    }));
    return out;
  }
}
