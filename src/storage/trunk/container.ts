// A trunk file opened for writing a slot: created (sparse, trunk_file_size) when this storage does not have it
// yet — the trunk server made it on its own disk, or a peer's replica brings its first slot.
import { open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { trunkContainerName } from '../../protocol/trunk-slot.js';
import type { StorageRuntime } from '../runtime.js';
import type { Block } from './free-space.js';
import { trunkSettings } from './settings.js';

export async function openContainerForWrite(rt: StorageRuntime, slot: Block): Promise<FileHandle> {
  const dir = rt.paths.dirOf(slot.storePathIndex, slot.subHigh, slot.subLow);
  const file = path.join(dir, trunkContainerName(slot.fileId));
  try {
    return await open(file, 'r+');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await rt.paths.ensureDir(dir);
  // 'a' creates without truncating an existing file (another request may have just created it).
  await (await open(file, 'a')).close();
  const fh = await open(file, 'r+');
  const want = Math.max(trunkSettings(rt.params.raw).trunkFileSize, slot.offset + slot.size);
  if ((await fh.stat()).size < want) await fh.truncate(want);
  return fh;
}
