// System-data transfer on the joining side (spec §8.4, §8.9): a tracker that starts without groups, or
// that was down longer than 2 × 300 s, copies the four data files from the best other tracker at the first JOIN.
import { Errno, StatusError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Cluster } from './cluster.js';
import { STATUS_GRANULARITY, compareCandidates, pickCandidate, type Relationship } from './leader.js';
import { fetchSysFiles, getTrackerStatus, type PeerTimeouts } from './peer-client.js';
import type { Persistence } from './persistence.js';

export interface SysFetchDeps {
  cluster: Cluster;
  persistence: Persistence;
  relationship: Relationship;
  timeouts: PeerTimeouts;
  log: Logger;
  upTime: number;
  /** last_check_time of the previous run, 0 if unknown. */
  lastCheckTime: number;
}

export class SysDataFetcher {
  /** The down-too-long check runs once, at the first JOIN. */
  private staleChecked = false;
  private done = false;
  private running: Promise<void> | null = null;

  constructor(private readonly d: SysFetchDeps) {}

  /** Called before every JOIN is handled; concurrent JOINs wait for a fetch in progress. */
  async beforeJoin(trackers: string[], localIp: string, currentTrackerIp: string): Promise<void> {
    while (this.running) await this.running.catch(() => {});
    if (this.staleChecked && (this.done || this.d.cluster.groups.size)) return;
    this.running = this.check(trackers, localIp, currentTrackerIp);
    try {
      await this.running;
    } catch (err) {
      this.d.log.warn({ err: (err as Error).message }, 'fetching system data from another tracker failed');
      throw new StatusError(Errno.EAGAIN, 'loading system data from another tracker; try again');
    } finally {
      this.running = null;
    }
  }

  private async check(trackers: string[], localIp: string, currentTrackerIp: string): Promise<void> {
    const { lastCheckTime, upTime } = this.d;
    if (!this.staleChecked) {
      if (lastCheckTime > 0 && upTime - lastCheckTime > 2 * STATUS_GRANULARITY) {
        await this.fetch(trackers, localIp, currentTrackerIp, true);
        this.done = true;
      }
      this.staleChecked = true;
    }
    if (!this.done && !this.d.cluster.groups.size) {
      await this.fetch(trackers, localIp, currentTrackerIp, false);
      this.done = true;
    }
  }

  /** Copy the files from the best other tracker (only if it beats us, when `onlyIfBetter`). */
  private async fetch(trackers: string[], localIp: string, currentTrackerIp: string, onlyIfBetter: boolean): Promise<void> {
    const others = this.d.relationship.otherTrackers(trackers, localIp, currentTrackerIp);
    if (!others.length) return;
    const answers = await Promise.all(others.map(async (p) => {
      try {
        return { ...p, ...await getTrackerStatus(p, this.d.timeouts) };
      } catch {
        return null; // no groups there (ENOENT) or unreachable: skipped, not waited for
      }
    }));
    const best = pickCandidate(answers.filter((a) => a !== null));
    if (!best) return;
    if (onlyIfBetter) {
      const own = { ...this.d.relationship.status(), ifLeader: false, ip: '', port: 0 };
      if (compareCandidates(own, { ...best, ip: '', port: 0 }) >= 0) return;
    }
    const t0 = Date.now();
    const files = await fetchSysFiles(best, this.d.timeouts);
    const counts = await this.d.persistence.install(files);
    this.d.log.info({ from: `${best.ip}:${best.port}`, ...counts, bytes: files.reduce((n, f) => n + f.length, 0), ms: Date.now() - t0 },
      'copied system data from another tracker');
  }
}
