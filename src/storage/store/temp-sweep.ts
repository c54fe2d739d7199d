// Temp files left by a storage that died mid-upload (kill -9, power loss) are never published and would hold
// disk space forever. After start, one background walk over the data directories removes the temp files
// older than this process; it reads one directory at a time (memory stays flat) and pauses between them so
// requests are not starved.
import { opendir, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../../log.js';
import { tempFileName } from './file-writer.js';

/** The shape of tempFileName(): `.<12 base64url>.tmp`. */
const TEMP_RE = new RegExp(`^\\.[A-Za-z0-9_-]{${tempFileName().length - 5}}\\.tmp$`);
const HEX2_RE = /^[0-9A-F]{2}$/;

export interface SweepResult {
  dirs: number;
  removed: number;
  bytes: number;
}

export interface SweepOptions {
  /**
   * Only files whose inode changed last before this time (ms) are orphans: the running process started after
   * them. ctime, not mtime: a replica's temp file gets its record's old mtime just before it is published.
   */
  before: number;
  /** Stop early (storage stopping). */
  signal?: AbortSignal;
  /** Pause after each directory, ms. @default 1 */
  pauseMs?: number;
  log?: Logger;
}

async function* entries(dir: string): AsyncGenerator<{ name: string; isDir: boolean }> {
  let d;
  try {
    d = await opendir(dir);
  } catch {
    return;
  }
  for await (const e of d) yield { name: e.name, isDir: e.isDirectory() };
}

/** Walk `<data>/HH/HH/` of every data directory and remove stale temp files. */
export async function sweepStaleTemps(dataDirs: string[], o: SweepOptions): Promise<SweepResult> {
  const result: SweepResult = { dirs: 0, removed: 0, bytes: 0 };
  for (const data of dataDirs) {
    for await (const high of entries(data)) {
      if (!high.isDir || !HEX2_RE.test(high.name)) continue;
      for await (const low of entries(path.join(data, high.name))) {
        if (!low.isDir || !HEX2_RE.test(low.name)) continue;
        if (o.signal?.aborted) return result;
        await sweepDir(path.join(data, high.name, low.name), o, result);
        result.dirs++;
        await sleep(o.pauseMs ?? 1);
      }
    }
  }
  return result;
}

async function sweepDir(dir: string, o: SweepOptions, result: SweepResult): Promise<void> {
  for await (const e of entries(dir)) {
    if (e.isDir || !TEMP_RE.test(e.name)) continue;
    const p = path.join(dir, e.name);
    try {
      const st = await stat(p);
      if (st.ctimeMs >= o.before) continue;
      await unlink(p);
      result.removed++;
      result.bytes += st.size;
      o.log?.info({ file: p, size: st.size }, 'removed a temp file left by an earlier run');
    } catch {
      // Published or removed meanwhile.
    }
  }
}
