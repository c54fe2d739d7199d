// Small files read often (a site's popular thumbnails) kept in memory with the stamp of the copy they were read
// from. A hit costs one stat instead of open, fstat, read, CRC and close; any write, truncate, replacement or
// delete of the file moves its inode, size, mtime or ctime (or removes it), so a changed copy is never served
// from here. Only content that matched its name (size and CRC32) is kept, and only from its second read on: a
// path not held costs one Map lookup, and a workload that reads each file once (or scans more files than fit)
// neither copies nor churns entries through the old generation.
import { statSync } from 'node:fs';
import type { CopyStamp } from '../repair/content-check.js';

interface Entry {
  ino: number;
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  data: Buffer;
  /** Memory it holds, as counted against maxBytes. */
  cost: number;
}

/** Bytes a buffer may hold beyond its content and still be kept as it is (a header's headroom). */
const SLACK = 64;
/** A Map entry, its record and the path: counted with the content so that tiny files cannot add up unseen. */
const ENTRY_OVERHEAD = 160;

function ownCopy(data: Buffer): Buffer {
  const out = Buffer.allocUnsafeSlow(data.length);
  data.copy(out);
  return out;
}

function held(absPath: string, data: Buffer): number {
  return data.buffer.byteLength + ENTRY_OVERHEAD + absPath.length;
}

/** What a hit gives: the content (never to be written into) and the copy's size and mtime. */
export interface HotFile {
  data: Buffer;
  size: number;
  mtimeMs: number;
}

/** log2 of the slots of the table of paths read once lately (4 bytes each). */
const SEEN_BITS = 16;

/** FNV-1a over the UTF-16 code units: cheap, and spread enough for a lossy table. */
function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h | 1; // 0 marks an empty slot
}

export class HotFiles {
  private readonly map = new Map<string, Entry>();
  private bytes = 0;
  /** Hashes of paths offered once, by slot; a newer path in the same slot pushes an older one out. */
  private readonly seen = new Int32Array(1 << SEEN_BITS);

  /** @param maxBytes memory held at most (content and bookkeeping); @param maxEntry larger files are not kept */
  constructor(readonly maxBytes = 32 << 20, readonly maxEntry = 64 << 10) {}

  /** The content of `absPath` when held and the file on disk is still that very copy. */
  get(absPath: string): HotFile | null {
    const e = this.map.get(absPath);
    if (!e) return null;
    const st = statSync(absPath, { throwIfNoEntry: false });
    if (!st || st.ino !== e.ino || st.size !== e.size || st.mtimeMs !== e.mtimeMs || st.ctimeMs !== e.ctimeMs || !st.isFile()) {
      this.drop(absPath, e);
      return null;
    }
    // Most recently used last: the oldest is dropped first.
    this.map.delete(absPath);
    this.map.set(absPath, e);
    return { data: e.data, size: e.size, mtimeMs: e.mtimeMs };
  }

  /** `data` was just read whole and checked: kept if its path was offered lately too (see add). */
  offer(absPath: string, stamp: CopyStamp, data: Buffer): void {
    if (data.length > this.maxEntry) return;
    const h = hash32(absPath);
    const slot = Math.imul(h, 0x9e3779b1) >>> (32 - SEEN_BITS);
    if (this.seen[slot] !== h) {
      this.seen[slot] = h;
      return;
    }
    this.seen[slot] = 0;
    this.add(absPath, stamp, data);
  }

  /** Keep `data`, the whole content of the copy with `stamp`, checked against its name. */
  add(absPath: string, stamp: CopyStamp, data: Buffer): void {
    if (data.length > this.maxEntry || data.length !== stamp.size) return;
    const old = this.map.get(absPath);
    if (old) this.drop(absPath, old);
    // A slice of a shared slab (Node pools buffers under 4 KiB) would keep the whole slab alive: copy it out.
    const own = data.buffer.byteLength > data.length + SLACK ? ownCopy(data) : data;
    const e = { ino: stamp.ino, size: stamp.size, mtimeMs: stamp.mtimeMs, ctimeMs: stamp.ctimeMs ?? 0, data: own, cost: held(absPath, own) };
    this.map.set(absPath, e);
    this.bytes += e.cost;
    while (this.bytes > this.maxBytes) {
      const [oldest, e] = this.map.entries().next().value as [string, Entry];
      this.drop(oldest, e);
    }
  }

  get size(): number {
    return this.map.size;
  }

  private drop(absPath: string, e: Entry): void {
    this.map.delete(absPath);
    this.bytes -= e.cost;
  }
}
