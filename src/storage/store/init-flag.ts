// `<base_path>/data/.data_init_flag` (spec §11.3): first-start time, the sync plan (sync_old_done,
// sync_src_server, sync_until_timestamp) and the last address; created on first start, rewritten atomically.
import { readFile } from 'node:fs/promises';
import type { Logger } from '../../log.js';
import { formatDataInitFlag, parseDataInitFlag, type DataInitFlag } from '../../protocol/binlog-format.js';
import { writeFileAtomic } from './file-writer.js';

export class InitFlag {
  /** True when no usable flag file existed at load (the storage's first start). */
  firstStart = false;
  data: DataInitFlag;

  constructor(private readonly file: string, private readonly log?: Logger) {
    this.data = InitFlag.fresh(0);
  }

  static fresh(now: number): DataInitFlag {
    return {
      storageJoinTime: now,
      syncOldDone: false,
      syncSrcServer: '',
      syncUntilTimestamp: 0,
      lastIpAddr: '',
      lastServerPort: 0,
      currentTrunkFileId: 0,
      trunkLastCompressTime: 0,
      trunkBinlogCompressStage: 0,
      storePathMarks: [],
    };
  }

  /** Read the flag file, or create it (join time = now) on a first start. */
  async load(now: number, port: number): Promise<void> {
    const text = await readFile(this.file, 'utf8').catch(() => null);
    const parsed = text === null ? null : parseDataInitFlag(text);
    if (parsed) {
      this.data = parsed;
      if (parsed.lastServerPort && parsed.lastServerPort !== port) {
        this.log?.warn({ from: parsed.lastServerPort, to: port }, 'storage port changed since the last run');
      }
    } else {
      if (text !== null) this.log?.warn({ file: this.file }, 'unreadable .data_init_flag, treating this as a first start');
      this.firstStart = true;
      this.data = InitFlag.fresh(now);
    }
    this.data.lastServerPort = port;
    await this.save();
  }

  async save(): Promise<void> {
    await writeFileAtomic(this.file, formatDataInitFlag(this.data));
  }

  /** True once the tracker has given a sync plan (JOIN then sends init_flag 0). */
  get syncOldDone(): boolean {
    return this.data.syncOldDone;
  }

  /** Record the plan from 87 (empty source = nothing to sync). */
  async setSyncPlan(srcId: string, until: number): Promise<void> {
    this.data.syncOldDone = true;
    this.data.syncSrcServer = srcId;
    this.data.syncUntilTimestamp = srcId ? until : 0;
    await this.save();
  }

  /** Remember the address the tracker sees; logs when it changed since the last run. */
  async setIp(ip: string): Promise<void> {
    if (this.data.lastIpAddr === ip) return;
    if (this.data.lastIpAddr) this.log?.warn({ from: this.data.lastIpAddr, to: ip }, 'storage IP changed since the last run');
    this.data.lastIpAddr = ip;
    await this.save();
  }
}
