// The stock-written trunk fixture (test/fixtures/trunk/): the head of a trunk file FastDFS 6.16.1 wrote, and
// the IDs of the files it held — live, deleted (slot zeroed) and deleted-then-reused (another file's slot).
// Made once with fdfs_trackerd/fdfs_storaged 6.16.1 (settings in stock-files.json `source`): seven fdfs_upload_file
// uploads, two fdfs_delete_file, one upload of the reused size; then the first 1024 bytes of data/00/00/000001 and
// data/trunk/binlog were copied.
import { closeSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { FdfsClient } from '../../src/client/index.js';
import { decodeFileName } from '../../src/protocol/file-id.js';
import type { StorePaths } from '../../src/storage/store/store-paths.js';
import { openTrunkSlot, readContent } from '../../src/storage/trunk/slot-open.js';
import { waitFor, type StorageHandle } from './cluster.js';

export interface FixtureFile { file: string; id: string; size: number; md5: string; state: 'live' | 'deleted' | 'reused' }

const DIR = path.resolve(import.meta.dirname, '../fixtures/trunk');

export const stockTrunk = JSON.parse(readFileSync(path.join(DIR, 'stock-files.json'), 'utf8')) as {
  container: string; head: string; files: FixtureFile[];
};

/** The logical name (`M00/…`) of a fixture file ID. */
export const logicalOf = (id: string): string => id.slice(id.indexOf('/') + 1);

/** Put the stock trunk file into `<storePath>/data/00/00/000001`, as stock left it (4 MiB, sparse tail). */
export function installStockTrunk(storePath: string): string {
  const dir = path.join(storePath, 'data', '00', '00');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, '000001');
  const head = readFileSync(path.join(DIR, stockTrunk.head));
  writeFileSync(file, head);
  return file;
}

/** A trunk ID with its T16 replaced by `(fileId, offset, size)`: a forged location. */
export function forgeTrunkId(id: string, loc: { fileId: number; offset: number; size: number }): string {
  const b = Buffer.alloc(12);
  b.writeInt32BE(loc.fileId, 0);
  b.writeInt32BE(loc.offset, 4);
  b.writeInt32BE(loc.size, 8);
  const at = id.indexOf('/') + 1 + 10 + 27;
  return id.slice(0, at) + b.toString('base64url') + id.slice(at + 16);
}

/**
 * Wait until the tracker names a trunk server among `storages` and uploads go into trunk slots; returns the
 * trunk server first, the other member second.
 */
export async function waitForTrunkWriting(client: FdfsClient, storages: [StorageHandle, StorageHandle]): Promise<[StorageHandle, StorageHandle]> {
  const named = await waitFor('a trunk server', async () => (await client.listStorages('group1')).find((r) => r.ifTrunkServer));
  const order: [StorageHandle, StorageHandle] = named.ipAddr === storages[0].host ? storages : [storages[1], storages[0]];
  // With trunk files the tracker sends uploads to the first storage (store_server = 1), the trunk server too.
  await waitFor('uploads land in trunk slots', async () => {
    const id = await client.upload(Buffer.from('probe'), { ext: 'txt' });
    await client.delete(id);
    return decodeFileName(logicalOf(id)).kind === 'trunk';
  }, 15_000, 200);
  return order;
}

/** The content a trunk name's live slot holds in `paths` (small test files: into memory). */
export function slotContent(paths: StorePaths, logical: string): Buffer {
  const slot = openTrunkSlot(paths, logical);
  try {
    return readContent(slot, 1 << 20);
  } finally {
    closeSync(slot.fd);
  }
}
