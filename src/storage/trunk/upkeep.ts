// The trunk server's schedules (stock's do_set_trunk_server_myself / do_unset_trunk_server_myself): advance trunk
// file creation and scheduled binlog compaction run while this storage is the trunk server and stop when it no
// longer is. Whether it is, is looked at every second (and when asked, on a trunk-server change).
import type { Logger } from '../../log.js';
import type { StorageRuntime } from '../runtime.js';
import { Schedule } from '../schedule.js';
import { createTrunkFilesAhead, type AdvanceDeps } from './advance-creator.js';
import { trunkUpkeep } from './settings.js';

const CHECK_MS = 1000;

export interface UpkeepDeps {
  rt(): StorageRuntime;
  log: Logger;
  isTrunkServer(): boolean;
  freeBytes: AdvanceDeps['freeBytes'];
  addTrunkFile: AdvanceDeps['addTrunkFile'];
  /** The scheduled compaction (compactor.ts compactNow). */
  compactNow(): Promise<void>;
}

export class TrunkUpkeep {
  private schedules: Schedule[] = [];
  /** The schedules were set up for this trunk-server term (maybe none, when both keys are off). */
  private active = false;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly d: UpkeepDeps) {}

  start(): void {
    this.timer = setInterval(() => void this.sync(), CHECK_MS);
    this.timer.unref();
    void this.sync();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.stopSchedules();
  }

  /** The schedules running now (tests, metrics). */
  get running(): readonly Schedule[] {
    return this.schedules;
  }

  /** Start the schedules on becoming trunk server, stop them on ceasing to be. */
  async sync(): Promise<void> {
    const on = this.d.isTrunkServer();
    if (on && !this.active) this.startSchedules();
    else if (!on && this.active) await this.stopSchedules();
  }

  private startSchedules(): void {
    this.active = true;
    const u = trunkUpkeep(this.d.rt().params.raw);
    if (u.createAdvance) {
      this.schedules.push(new Schedule({
        name: 'trunk_create_file_advance', timeBase: u.createTimeBase, intervalSec: u.createIntervalSec, log: this.d.log,
        task: () => createTrunkFilesAhead({ ...this.d }),
      }));
    }
    if (u.compressIntervalSec > 0) {
      this.schedules.push(new Schedule({
        name: 'trunk_compress_binlog', timeBase: u.compressTimeBase, intervalSec: u.compressIntervalSec, log: this.d.log,
        task: () => this.d.compactNow(),
      }));
    }
    for (const s of this.schedules) s.start();
  }

  private async stopSchedules(): Promise<void> {
    this.active = false;
    const all = this.schedules.splice(0);
    await Promise.all(all.map((s) => s.stop()));
  }
}
