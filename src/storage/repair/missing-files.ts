// Files this storage was asked for and does not hold (a download answered ENOENT): the trackers are told
// (201 REPORT_MISSING) so their fetch answers name another member, the file is fetched from a peer (never one
// this storage's binlog deleted), and the trackers are told again once it is here. A queue of bounded size,
// drained one batch at a time, so a flood of unknown names costs little.
import path from 'node:path';
import { Errno, StatusError } from '../../errors.js';
import { formatHostPort, type HostPort } from '../../config/index.js';
import { TrackerCmd } from '../../protocol/codes.js';
import { peekFileName } from '../../protocol/file-id.js';
import { encodeMissingReport, MAX_MISSING_NAMES } from '../../protocol/missing-report.js';
import { connectTracker } from '../tracker-side/tracker-client.js';
import type { StorageRuntime } from '../runtime.js';
import { deletedNames } from './deleted-names.js';

const MAX_QUEUED = 1000;
/** Between batches: at most MAX_MISSING_NAMES names a second are reported, looked up in the binlog and fetched. */
const BATCH_PAUSE_MS = 1000;

export class MissingFiles {
  private readonly queued = new Set<string>();
  private draining: Promise<void> | null = null;
  /** Trackers that do not know 201 (stock): not asked again. */
  private readonly stock = new Set<string>();

  constructor(private readonly rt: () => StorageRuntime) {}

  /** A download found no file under this name. */
  noted(logical: string): void {
    if (this.queued.has(logical) || this.queued.size >= MAX_QUEUED || !isFileName(logical)) return;
    this.queued.add(logical);
    this.draining ??= this.drain().finally(() => { this.draining = null; });
  }

  /** Resolves when nothing is queued (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.draining) await this.draining;
  }

  private async drain(): Promise<void> {
    while (this.queued.size) {
      const names = [...this.queued].slice(0, MAX_MISSING_NAMES);
      try {
        await this.tell(names, false);
        const rt = this.rt();
        const deleted = await deletedNames(path.join(rt.config.basePath, 'data', 'sync'), new Set(names));
        const back: string[] = [];
        for (const name of names) {
          if (!deleted.has(name) && (await rt.content.repairer.restore(name)) !== 'unavailable') back.push(name);
        }
        if (back.length) await this.tell(back, true);
        if (back.length) rt.log.info({ part: 'repair', files: back.length }, 'files asked for and missing here fetched from a peer');
      } catch (err) {
        this.rt().log.warn({ part: 'repair', err: (err as Error).message }, 'missing files: report or fetch failed');
      } finally {
        for (const n of names) this.queued.delete(n);
      }
      if (this.queued.size) await new Promise((r) => setTimeout(r, BATCH_PAUSE_MS));
    }
  }

  /** 201 to every tracker that knows it. */
  private async tell(names: string[], held: boolean): Promise<void> {
    const rt = this.rt();
    const packet = encodeMissingReport({ group: rt.group, held, names });
    await Promise.all(rt.config.trackerServers.map(async (t: HostPort) => {
      const key = formatHostPort(t);
      if (this.stock.has(key)) return;
      try {
        const { conn } = await connectTracker(rt.config, t);
        try {
          await conn.call(packet, { cmd: TrackerCmd.FdfsStorageReportMissing, maxBody: 0 });
        } finally {
          conn.quit();
        }
      } catch (err) {
        if (err instanceof StatusError && err.errno === Errno.EINVAL) this.stock.add(key);
        else rt.log.debug({ tracker: key, err: (err as Error).message }, 'REPORT_MISSING failed');
      }
    }));
  }
}

function isFileName(logical: string): boolean {
  try {
    return peekFileName(logical) !== null;
  } catch {
    return false;
  }
}
