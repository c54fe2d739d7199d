// CRC-32 of whole files (22 QUERY_FILE_INFO on appender and slave files) computed once per version of a file:
// remembered by path and stamp (inode, size, mtime), and shared by concurrent requests, so asking again and
// again about a huge (or sparse) file costs one read, not one read per request.
import type { Stats } from 'node:fs';

interface Entry {
  stamp: string;
  crc: Promise<number>;
}

const LIMIT = 10_000;

export class CrcCache {
  private readonly map = new Map<string, Entry>();

  /** The CRC of `absPath` as `st` describes it, computing it with `compute` at most once per version. */
  get(absPath: string, st: Pick<Stats, 'ino' | 'size' | 'mtimeMs'>, compute: () => Promise<number>): Promise<number> {
    const stamp = `${st.ino}:${st.size}:${st.mtimeMs}`;
    const hit = this.map.get(absPath);
    if (hit && hit.stamp === stamp) return hit.crc;
    const crc = compute();
    this.map.delete(absPath);
    this.map.set(absPath, { stamp, crc });
    if (this.map.size > LIMIT) this.map.delete(this.map.keys().next().value!);
    // A failed computation is not remembered.
    crc.catch(() => {
      if (this.map.get(absPath)?.crc === crc) this.map.delete(absPath);
    });
    return crc;
  }
}
