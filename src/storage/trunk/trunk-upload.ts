// An upload that goes into a trunk slot (trunk-store.ts), counted and journaled like any upload: the upload
// handler hands it over when the trunk store accepts the file, so its own path is unchanged otherwise.
import type { Logger } from '../../log.js';
import type { StorageRuntime } from '../runtime.js';

export interface TrunkFileUpload {
  ip: string;
  ext: string;
  storePathIndex: number;
  size: number | null;
  body: AsyncIterable<Buffer>;
  log: Logger;
}

export async function storeInTrunk(rt: StorageRuntime, f: TrunkFileUpload): Promise<{ logical: string; timestamp: number; size: number }> {
  const size = f.size!;
  rt.stats.bytes('Upload', size, 0);
  const stored = await rt.trunk!.store(rt, { ip: f.ip, ext: f.ext, storePathIndex: f.storePathIndex, size, body: f.body });
  rt.binlog.append({ timestamp: stored.timestamp, op: 'C', filename: stored.logical });
  rt.stats.bytes('Upload', 0, size);
  rt.stats.success('Upload', stored.timestamp);
  f.log.debug({ file: stored.logical, size }, 'uploaded into a trunk file');
  return stored;
}
