// A trunk file opened for writing a slot: created (sparse, trunk_file_size) when this storage does not have it
// yet — the trunk server made it on its own disk, or a peer's replica brings its first slot.
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
