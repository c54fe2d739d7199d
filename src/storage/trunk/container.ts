// A trunk file opened for writing a slot: created (sparse, trunk_file_size) when this storage does not have it
// yet — the trunk server made it on its own disk, or a peer's replica brings its first slot.
import { closeSync, ftruncateSync, fstatSync, mkdirSync, openSync, writeSync, writevSync } from 'node:fs';
import path from 'node:path';
import { trunkContainerName } from '../../protocol/trunk-slot.js';
import type { StorePaths } from '../store/store-paths.js';
import { FdCache } from './fd-cache.js';
import { sameTrunkFile, type Block } from './free-space.js';

/** The slot's trunk file opened read-write, created (sparse, at least `trunkFileSize`) when missing. */
export function openContainer(paths: StorePaths, trunkFileSize: number, slot: Block): number {
  const dir = paths.dirOf(slot.storePathIndex, slot.subHigh, slot.subLow);
  const file = path.join(dir, trunkContainerName(slot.fileId));
  let fd: number;
  try {
    fd = openSync(file, 'r+');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    mkdirSync(dir, { recursive: true });
    // 'a' creates without truncating a file another process has just created.
    closeSync(openSync(file, 'a'));
    fd = openSync(file, 'r+');
  }
  const want = Math.max(trunkFileSize, slot.offset + slot.size);
  try {
    if (fstatSync(fd).size < want) ftruncateSync(fd, want);
  } catch (err) {
    closeSync(fd);
    throw err;
  }
  return fd;
}

/** Write all of `buf` at `position` (positional writes may be short). */
export function writeAllAt(fd: number, buf: Buffer, position: number): void {
  let done = 0;
  while (done < buf.length) done += writeSync(fd, buf, done, buf.length - done, position + done);
}

/**
 * A slot's header and content in one positional write: a process killed around it leaves the slot free (no
 * header) or whole, as writing the content first and the header last does, for one system call instead of two.
 * A short write (a full disk) takes the header back and goes on in that order.
 */
export function writeSlotAt(fd: number, header: Buffer, content: Buffer, position: number): void {
  const written = writevSync(fd, [header, content], position);
  if (written === header.length + content.length) return;
  zeroAt(fd, position, header.length);
  writeAllAt(fd, content, position + header.length);
  writeAllAt(fd, header, position);
}

const ZEROS = Buffer.alloc(64 << 10);

/** Zero `length` bytes at `position`: a slot given back after a failed write reads free again (occupied.ts). */
export function zeroAt(fd: number, position: number, length: number): void {
  for (let at = 0; at < length; at += ZEROS.length) writeAllAt(fd, ZEROS.subarray(0, Math.min(ZEROS.length, length - at)), position + at);
}

/**
 * The trunk files this process writes slots into, opened once: an upload into a trunk file costs two
 * positional writes and no open or close. Trunk files are never removed while their storage runs.
 */
export class OpenContainers {
  private readonly fds = new FdCache(32);
  /** The trunk file asked for last and its descriptor. */
  private last: { file: Block; fd: number } | null = null;

  constructor(private readonly paths: StorePaths) {}

  /** The descriptor of the slot's trunk file (see FdCache: use it within one synchronous step). */
  fdFor(trunkFileSize: number, slot: Block): number {
    const last = this.last;
    // Uploads fill one trunk file after another: the last one asked for needs no path built and looked up.
    if (last && sameTrunkFile(last.file, slot)) return last.fd;
    const file = path.join(this.paths.dirOf(slot.storePathIndex, slot.subHigh, slot.subLow), trunkContainerName(slot.fileId));
    const fd = this.fds.get(file, () => openContainer(this.paths, trunkFileSize, slot));
    // The most recently used descriptor is never the one the cache closes.
    this.last = { file: slot, fd };
    return fd;
  }

  close(): void {
    this.last = null;
    this.fds.close();
  }
}
