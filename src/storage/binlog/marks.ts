// Per-destination sync mark files `<base>/data/sync/<peer_ip>_<port>.mark` (spec §9.3): seven key=value lines,
// rewritten atomically (temp + rename); a damaged file is salvaged from its first good keys, and a deleted
// peer's mark is kept as `<name>.mark.<YYYYMMDDhhmmss>`.
import { readFile, rename } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../../log.js';
import {
  formatMarkFile, markFileName, parseKeyValues, parseMarkFile, retiredMarkFileName, type SyncMark,
} from '../../protocol/binlog-format.js';
import { writeFileAtomic } from '../store/file-writer.js';

export function freshMark(over: Partial<SyncMark> = {}): SyncMark {
  return {
    binlogIndex: 0, binlogOffset: 0, needSyncOld: false, syncOldDone: false, untilTimestamp: 0,
    scanRowCount: 0, syncRowCount: 0, ...over,
  };
}

export interface LoadedMark {
  mark: SyncMark;
  /** Only the position could be read back; the sync plan must be asked again. */
  salvaged: boolean;
}

export class MarkFile {
  readonly path: string;

  /** `name`: markFileName(ip, port), or markFileName(id) with storage ids. */
  constructor(readonly dir: string, name: string, private readonly log?: Logger) {
    this.path = path.join(dir, name);
  }

  static forPeer(dir: string, peer: { id: string; ip: string; port: number }, useIds: boolean, log?: Logger): MarkFile {
    return new MarkFile(dir, useIds ? markFileName(peer.id) : markFileName(peer.ip, peer.port), log);
  }

  /**
   * The stored mark; null when there is none or nothing usable in it. A file cut short keeps what its
   * complete first lines say (binlog_index and binlog_offset come first), flagged `salvaged`.
   */
  async load(): Promise<LoadedMark | null> {
    const text = await readFile(this.path, 'utf8').catch(() => null);
    if (text === null) return null;
    const mark = parseMarkFile(text);
    if (mark) return { mark, salvaged: false };
    const kv = parseKeyValues(text.slice(0, text.lastIndexOf('\n') + 1));
    const index = Number(kv.get('binlog_index'));
    const offset = Number(kv.get('binlog_offset'));
    if (kv.has('binlog_index') && kv.has('binlog_offset') && Number.isSafeInteger(index) && Number.isSafeInteger(offset) && index >= 0 && offset >= 0) {
      this.log?.warn({ file: this.path, index, offset }, 'damaged sync mark file; resuming from its position');
      const num = (k: string): number => (/^\d+$/.test(kv.get(k) ?? '') ? Number(kv.get(k)) : 0);
      return {
        mark: freshMark({
          binlogIndex: index, binlogOffset: offset, needSyncOld: num('need_sync_old') !== 0, syncOldDone: num('sync_old_done') !== 0,
          untilTimestamp: num('until_timestamp'), scanRowCount: num('scan_row_count'), syncRowCount: num('sync_row_count'),
        }),
        salvaged: true,
      };
    }
    this.log?.warn({ file: this.path }, 'unreadable sync mark file; starting over for this peer');
    return null;
  }

  async save(mark: SyncMark): Promise<void> {
    await writeFileAtomic(this.path, formatMarkFile(mark));
  }

  /** Keep the file under a dated name (the peer was deleted); false when there was none. */
  async retire(when = new Date()): Promise<boolean> {
    const to = path.join(this.dir, retiredMarkFileName(path.basename(this.path), when));
    try {
      await rename(this.path, to);
      this.log?.info({ from: this.path, to }, 'sync mark retired');
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw err;
    }
  }
}
