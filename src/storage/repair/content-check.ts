// Is a stored copy of a normal file what its name says? Normal names carry the content's size and CRC32
// (§6.3), so a damaged copy is caught on read: small files are checked in full (a 4 KiB CRC costs ~2 µs),
// large ones on their first read and again whenever their inode, size, mtime or ctime moved since.
import { lstatSync, readdirSync } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';
import zlib from 'node:zlib';
import { normalContentFacts } from '../../protocol/file-id.js';

export interface ExpectedContent {
  size: number;
  crc32: number;
  /** Creation time from the name (Unix seconds): the mtime fdfs gives every copy it writes. */
  timestamp: number;
}

/** What the content of a normal file must be; null for appender, slave and pre-1.12 names (nothing to check). */
export function expectedContent(logical: string): ExpectedContent | null {
  return normalContentFacts(logical);
}

export function crcOf(data: Buffer, start = 0): number {
  return zlib.crc32(data, start) >>> 0;
}

/** The identity of one version of a file on disk: any write, truncate or replacement changes it. */
export interface CopyStamp {
  ino: number;
  size: number;
  mtimeMs: number;
  /** Inode change time: moves with any write and with utimes, so a rewrite with its mtime put back shows. 0 = unknown. */
  ctimeMs?: number;
}

/** How long after its name's time fdfs's own write of a copy may have left its ctime (publish, futimes). */
const AS_WRITTEN_MS = 2000;

/**
 * A large copy needs no full read when it is exactly as fdfs wrote it: the name's size, exactly the name's time as
 * mtime, and a ctime within AS_WRITTEN_MS of that time. Any later write, truncate or utimes moves ctime past it, and
 * ctime cannot be set back without changing the system clock; a copy written later (a replica that arrived late,
 * a repair) is simply read in full once.
 */
export function looksAsWritten(stamp: CopyStamp, e: ExpectedContent): boolean {
  const t = e.timestamp * 1000;
  const c = stamp.ctimeMs ?? 0;
  return stamp.size === e.size && stamp.mtimeMs === t && c >= t && c < t + AS_WRITTEN_MS;
}

const stampKey = (s: CopyStamp): string => `${s.ino}:${s.size}:${s.mtimeMs}:${s.ctimeMs ?? 0}`;

/**
 * Copies whose full content matched their name (or that cannot be checked because every replica agrees on
 * other bytes), by path and stamp; least recently used dropped first so memory stays bounded.
 */
export class VerifiedCopies {
  private readonly map = new Map<string, string>();

  constructor(private readonly limit = 100_000) {}

  has(absPath: string, stamp: CopyStamp): boolean {
    const key = this.map.get(absPath);
    if (key === undefined) return false;
    if (key !== stampKey(stamp)) {
      this.map.delete(absPath);
      return false;
    }
    this.map.delete(absPath);
    this.map.set(absPath, key);
    return true;
  }

  add(absPath: string, stamp: CopyStamp): void {
    this.map.delete(absPath);
    this.map.set(absPath, stampKey(stamp));
    if (this.map.size > this.limit) this.map.delete(this.map.keys().next().value!);
  }

  get size(): number {
    return this.map.size;
  }
}

/**
 * A slave whose name happens to have a normal name's length (a master without extension plus a short
 * prefix) carries its master's facts: the master (a name in the same directory whose stem, without its
 * extension, begins this name) gives it away. Read only when a copy does not match, so the directory listing is rare.
 */
export function isSlaveOfSibling(absPath: string): boolean {
  const name = path.basename(absPath);
  const facts = name.slice(0, 27);
  try {
    return readdirSync(path.dirname(absPath)).some((n) => {
      if (n === name || !n.startsWith(facts) || n.endsWith('-m')) return false;
      const dot = n.lastIndexOf('.');
      const stem = dot >= n.length - 7 ? n.slice(0, dot) : n;
      return name.startsWith(stem);
    });
  } catch {
    return false;
  }
}

/**
 * Names whose facts are not their content's: links (a symlink under a new name with a random CRC, as stock
 * makes them) and slaves of normal-name length. Looked at only when a full check would be needed.
 */
export function isUncheckable(absPath: string): boolean {
  try {
    if (lstatSync(absPath).isSymbolicLink()) return true;
  } catch {
    return false;
  }
  return isSlaveOfSibling(absPath);
}

/** Read a whole copy and compare it with its name (an admin repair: not on the hot path). */
export async function copyMatches(absPath: string, size: number, e: ExpectedContent): Promise<boolean> {
  if (size !== e.size) return false;
  const fh = await open(absPath, 'r');
  try {
    const buf = Buffer.allocUnsafe(1 << 20);
    let crc = 0;
    for (let at = 0; at < size;) {
      const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, size - at), at);
      if (bytesRead === 0) return false;
      crc = zlib.crc32(buf.subarray(0, bytesRead), crc);
      at += bytesRead;
    }
    return crc >>> 0 === e.crc32;
  } finally {
    await fh.close();
  }
}
