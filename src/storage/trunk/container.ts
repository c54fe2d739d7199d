// A trunk file opened for writing a slot: created (sparse, trunk_file_size) when this storage does not have it
// yet — the trunk server made it on its own disk, or a peer's replica brings its first slot.
import { closeSync, ftruncateSync, fstatSync, mkdirSync, openSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { trunkContainerName } from '../../protocol/trunk-slot.js';
import type { StorePaths } from '../store/store-paths.js';
import type { Block } from './free-space.js';

/** `trunkFileSize`: the size a new trunk file gets (at least up to the slot's end). */
export async function openContainerForWrite(paths: StorePaths, trunkFileSize: number, slot: Block): Promise<FileHandle> {
  const dir = paths.dirOf(slot.storePathIndex, slot.subHigh, slot.subLow);
  const file = path.join(dir, trunkContainerName(slot.fileId));
  try {
    return await open(file, 'r+');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await paths.ensureDir(dir);
  // 'a' creates without truncating an existing file (another request may have just created it).
  await (await open(file, 'a')).close();
  const fh = await open(file, 'r+');
  const want = Math.max(trunkFileSize, slot.offset + slot.size);
  if ((await fh.stat()).size < want) await fh.truncate(want);
  return fh;
}

/** Trunk files kept open for writing (most recently used last); a new upload mostly finds its file here. */
const KEEP_OPEN = 32;

/**
 * Descriptors of the trunk files this process writes slots into, opened once: an upload into a trunk file costs
 * two positional writes and no open or close. Trunk files are never removed while their storage runs.
 */
export class OpenContainers {
  private readonly fds = new Map<string, number>();

  constructor(private readonly paths: StorePaths) {}

  /** The descriptor of the slot's trunk file, created (sparse, at least `trunkFileSize`) when missing. */
  fdFor(trunkFileSize: number, slot: Block): number {
    const dir = this.paths.dirOf(slot.storePathIndex, slot.subHigh, slot.subLow);
    const file = path.join(dir, trunkContainerName(slot.fileId));
    let fd = this.fds.get(file);
    if (fd !== undefined) {
      this.fds.delete(file);
      this.fds.set(file, fd);
      return fd;
    }
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
    this.fds.set(file, fd);
    if (this.fds.size > KEEP_OPEN) {
      const [oldest, oldFd] = this.fds.entries().next().value as [string, number];
      this.fds.delete(oldest);
      closeSync(oldFd);
    }
    return fd;
  }

  close(): void {
    for (const fd of this.fds.values()) closeSync(fd);
    this.fds.clear();
  }
}
