// Storage identity on the tracker with use_storage_id (§10.3, §8.3): storage_ids.conf entries looked up by
// id or address, the rw mode they grant, and the text lines 69 FETCH_STORAGE_IDS pages through.
import { loadStorageIds, type StorageIdEntry } from '../config/index.js';
import { DEFAULT_STORAGE_PORT } from '../protocol/codes.js';
import type { StorageIdEntry as WireIdEntry } from '../protocol/join.js';
import { RwMode } from './storage-node.js';

/** Most text bytes one 69 answer carries; the caller pages on with a higher start index. */
const MAX_LINES_BYTES = 16 << 10;

const RW_BITS: Record<StorageIdEntry['rwMode'], number> = { both: RwMode.Both, read: RwMode.Read, write: RwMode.Write, none: RwMode.None };

export class StorageIds {
  constructor(readonly entries: readonly StorageIdEntry[]) {}

  static load(file: string): StorageIds {
    return new StorageIds(loadStorageIds(file));
  }

  byId(id: string): StorageIdEntry | undefined {
    return this.entries.find((e) => e.id === id);
  }

  /** The entry for `ip` (and `port`: an exact port match wins; one entry for the address is enough). */
  byAddress(ip: string, port?: number, group?: string): StorageIdEntry | undefined {
    const h = ip.toLowerCase();
    const list = this.entries.filter((e) => e.hosts.some((x) => x.toLowerCase() === h) && (!group || e.groupName === group));
    if (port !== undefined) {
      const exact = list.find((e) => e.port === port);
      if (exact) return exact;
    }
    return list.length === 1 ? list[0] : undefined;
  }

  static rwBits(e: StorageIdEntry): number {
    return RW_BITS[e.rwMode];
  }

  /** 69: entries from `start` on, as many as fit one answer. */
  page(start: number): { totalCount: number; entries: WireIdEntry[] } {
    const out: WireIdEntry[] = [];
    let bytes = 0;
    for (const e of this.entries.slice(start)) {
      const hosts = e.hosts.map((h) => (h.includes(':') ? `[${h}]` : h)).join(',');
      const w: WireIdEntry = { id: e.id, group: e.groupName, host: e.port === DEFAULT_STORAGE_PORT ? hosts : `${hosts}:${e.port}` };
      if (e.rwMode !== 'both') w.rwMode = e.rwMode;
      const len = w.id.length + w.group.length + w.host.length + (w.rwMode ? w.rwMode.length + 4 : 0) + 3;
      if (out.length && bytes + len > MAX_LINES_BYTES) break;
      bytes += len;
      out.push(w);
    }
    return { totalCount: this.entries.length, entries: out };
  }
}
