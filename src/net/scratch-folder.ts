// Where a warm-up's scratch folder goes. A warm-up creates and deletes thousands of files; on the store's own
// filesystem the inodes it frees slow every file created after it for minutes (ext4 without a journal steps over
// each recently freed inode in the group it allocates from, 60 s, or 360 s while the inode table is unwritten),
// and they are disk writes for nothing. A memory filesystem (/dev/shm) takes them when there is one with room.
import { createHash } from 'node:crypto';
import { accessSync, constants, statfsSync } from 'node:fs';
import path from 'node:path';

const MEMORY_FS = '/dev/shm';
/** Files are removed as soon as they were read back, so a warm-up never holds more than a few MiB. */
const MEMORY_FS_ROOM = 64 << 20;

/** A memory filesystem this process may write, with room for a warm-up; null when there is none. */
export function memoryScratchRoot(root = MEMORY_FS): string | null {
  if (process.platform !== 'linux') return null;
  try {
    accessSync(root, constants.W_OK | constants.X_OK);
    const fs = statfsSync(root);
    return fs.bavail * fs.bsize >= MEMORY_FS_ROOM ? root : null;
  } catch {
    return null;
  }
}

/**
 * The warm-up scratch folder (`.warm-up`, or `.warm-up.<suffix>` for one of several) of the server whose base path
 * is `basePath`: in the memory filesystem under a name fixed by the base path (so that a crash leaves at most one
 * behind, removed at the next start of the same server, and servers sharing a host never meet), else in
 * `basePath/data/`.
 */
export function scratchFolder(basePath: string, suffix: string | null, memoryRoot = memoryScratchRoot()): string {
  const leaf = suffix === null ? '.warm-up' : `.warm-up.${suffix}`;
  if (memoryRoot === null) return path.join(basePath, 'data', leaf);
  const owner = createHash('sha256').update(path.resolve(basePath)).digest('hex').slice(0, 16);
  return path.join(memoryRoot, `fdfs-${owner}${leaf}`);
}
