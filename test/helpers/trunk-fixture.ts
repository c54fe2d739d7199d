// The stock-written trunk fixture (test/fixtures/trunk/): the head of a trunk file FastDFS 6.16.1 wrote, and
// the IDs of the files it held — live, deleted (slot zeroed) and deleted-then-reused (another file's slot).
// Made once with fdfs_trackerd/fdfs_storaged 6.16.1 (settings in stock-files.json `source`): seven fdfs_upload_file
// uploads, two fdfs_delete_file, one upload of the reused size; then the first 1024 bytes of data/00/00/000001 and
// data/trunk/binlog were copied.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

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
