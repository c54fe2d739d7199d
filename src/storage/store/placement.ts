// Where a new file goes: the store path (explicit, or storage's choice by round robin / most free space,
// skipping read-only paths; ENOSPC per §10.2) and the `HH/HH` directory (file_distribute_path_mode 0/1, §6.2).
import { randomInt } from 'node:crypto';
import { Errno, StatusError } from '../../errors.js';
import { distributeSubdirs, encodeFileFacts, sizeFieldFor } from '../../protocol/file-id.js';
import { allPathUsage, knownPathUsage, pathHasRoom, type PathUsage } from './disk.js';
import type { StatsKeeper } from './stats.js';
import type { StorePaths } from './store-paths.js';
import type { TrackerParams } from '../tracker-side/tracker-params.js';

export interface PlacementOptions {
  paths: StorePaths;
  stats: StatsKeeper;
  params: TrackerParams;
  readonly: readonly boolean[];
  /** 0 round robin, 1 random (hash of the name). */
  distributeMode: number;
  rotateCount: number;
  /**
   * Worker processes writing side by side: each keeps to its own lane of directories (lane `index` of `count`:
   * directories index, index + count, …), so two never create files in one directory at once and contend for
   * its lock. Absent: one lane, every directory in turn.
   */
  lane?: { index: number; count: number };
  /** Overridable for tests. */
  usage?: (dirs: readonly string[]) => Promise<PathUsage[]>;
}

export class Placement {
  /** Next store path for round robin when the client lets the storage choose. */
  private rr = 0;
  /** The rotation has been moved onto this process's lane. */
  private laneEntered = false;

  constructor(private readonly o: PlacementOptions) {}

  private writable(i: number): boolean {
    return !this.o.readonly[i];
  }

  /**
   * The store path for a new file of `fileSize` bytes. `requested` −1 = storage chooses; an index
   * ≥ store_path_count → EINVAL; a read-only index → the storage chooses another; no room → ENOSPC.
   */
  async choosePath(requested: number, fileSize: number): Promise<number> {
    const n = this.o.paths.count;
    if (requested >= n || requested < -1) throw new StatusError(Errno.EINVAL, `store path index ${requested} out of range (${n} paths)`);
    return this.pick(requested, fileSize, await (this.o.usage ?? allPathUsage)(this.o.paths.dataDirs));
  }

  /** choosePath without waiting (free space at most a second old, asked synchronously); null on any refusal: the caller's full path reports it. */
  choosePathNow(requested: number, fileSize: number): number | null {
    if (this.o.usage || requested >= this.o.paths.count || requested < -1) return null;
    const usage = knownPathUsage(this.o.paths.dataDirs);
    try {
      return this.pick(requested, fileSize, usage);
    } catch {
      return null;
    }
  }

  private pick(requested: number, fileSize: number, usage: PathUsage[]): number {
    const n = this.o.paths.count;
    const room = (i: number): boolean => pathHasRoom(usage[i]!, this.o.params.reserved, n, fileSize);
    if (requested >= 0 && this.writable(requested)) {
      if (!room(requested)) throw noSpace(requested, usage[requested]!, fileSize);
      return requested;
    }
    const candidates = [...Array(n).keys()].filter((i) => this.writable(i));
    if (!candidates.length) throw new StatusError(Errno.ENOSPC, 'every store path is read-only');
    if (this.o.params.storePathMode === 2) {
      candidates.sort((a, b) => usage[b]!.freeMb - usage[a]!.freeMb || a - b);
      const best = candidates.find(room);
      if (best === undefined) throw noSpace(candidates[0]!, usage[candidates[0]!]!, fileSize);
      return best;
    }
    for (let k = 0; k < n; k++) {
      const i = (this.rr + k) % n;
      if (this.writable(i) && room(i)) {
        this.rr = (i + 1) % n;
        return i;
      }
    }
    throw noSpace(candidates[0]!, usage[candidates[0]!]!, fileSize);
  }

  /** A file of `fileSize` bytes must go to path `index` (slave next to its master): ENOSPC without room. */
  async checkRoom(index: number, fileSize: number): Promise<void> {
    const usage = await (this.o.usage ?? allPathUsage)([this.o.paths.dataDirs[index]!]);
    if (!pathHasRoom(usage[0]!, this.o.params.reserved, this.o.paths.count, fileSize)) throw noSpace(index, usage[0]!, fileSize);
  }

  /** `HH/HH` for the next new file (mode 0 advances and persists the rotation). */
  nextSubdirs(sourceIp: string): { subHigh: number; subLow: number } {
    const count = this.o.paths.subdirCount;
    if (this.o.distributeMode === 1) {
      // Like stock: hash a provisional B27 (random size bits and CRC); the final name keeps this directory.
      const b27 = encodeFileFacts({
        source: { ipv4: sourceIp },
        timestamp: Math.floor(Date.now() / 1000),
        sizeField: sizeFieldFor('normal', 0, randomInt(0x800000)),
        crc32: randomInt(0x7fffffff),
      });
      return distributeSubdirs(b27, count);
    }
    const d = this.o.stats.dist;
    const lanes = this.o.lane && this.o.lane.count > 1 ? this.o.lane : null;
    if (d.high >= count || d.low >= count) {
      d.high %= count;
      d.low %= count;
    }
    if (lanes && !this.laneEntered) {
      this.laneEntered = true;
      advanceDir(d, count, lanes.index);
    }
    const out = { subHigh: d.high, subLow: d.low };
    d.count++;
    if (d.count >= this.o.rotateCount) {
      d.count = 0;
      advanceDir(d, count, lanes ? lanes.count : 1);
    }
    this.o.stats.distChanged();
    return out;
  }
}

/** Move the rotation `steps` directories on, in HH/HH order. */
function advanceDir(d: { high: number; low: number }, count: number, steps: number): void {
  const next = d.high * count + d.low + steps;
  d.high = Math.floor(next / count) % count;
  d.low = next % count;
}

function noSpace(index: number, u: PathUsage, fileSize: number): StatusError {
  return new StatusError(Errno.ENOSPC,
    `store path ${index}: ${u.freeMb} MB free of ${u.totalMb} MB, file ${fileSize} bytes, reserved space reached`);
}
