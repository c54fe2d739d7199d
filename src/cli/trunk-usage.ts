// `fdfs storage trunk`: a storage's trunk files from its own disk (no server needed): per store path the trunk
// files, the space they hold, what is free (replayed from the trunk binlog, as the trunk server does) and how
// fragmented the free space is (1 − largest free block / free space).
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { StorageConfig } from '../config/index.js';
import { trunkContainerName } from '../protocol/trunk-slot.js';
import { contiguous, FreeSpace, parseJournal, type Block } from '../storage/trunk/free-space.js';
import { StorePaths } from '../storage/store/store-paths.js';

export interface TrunkPathUsage {
  storePathIndex: number;
  storePath: string;
  trunkFiles: number;
  /** Bytes of all trunk files of this path (their sizes on the trunk binlog's word, or on disk when larger). */
  trunkBytes: number;
  freeBytes: number;
  freeBlocks: number;
  largestFreeBlock: number;
  /** 0 = all free space in one block; near 1 = scattered in small pieces. */
  fragmentation: number;
}

export interface TrunkUsage {
  binlog: string;
  paths: TrunkPathUsage[];
}

export function trunkUsage(config: StorageConfig): TrunkUsage {
  const binlog = path.join(config.basePath, 'data', 'trunk', 'binlog');
  let text = '';
  try {
    text = readFileSync(binlog, 'latin1');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const free = new FreeSpace();
  const files = new Map<string, Block>();
  for (const j of parseJournal(text)) {
    free.apply(j);
    files.set(`${j.block.storePathIndex}/${j.block.subHigh}/${j.block.subLow}/${j.block.fileId}`, j.block);
  }
  const paths = new StorePaths(config.storePaths, config.subdirCountPerPath);
  // Leases to worker processes split free space in the binlog; what counts is the space that lies together.
  const blocks = contiguous(free.blocks());
  return {
    binlog,
    paths: config.storePaths.map((storePath, storePathIndex) => {
      const mine = blocks.filter((b) => b.storePathIndex === storePathIndex);
      let trunkFiles = 0;
      let trunkBytes = 0;
      for (const b of files.values()) {
        if (b.storePathIndex !== storePathIndex) continue;
        const st = statSync(path.join(paths.dirOf(storePathIndex, b.subHigh, b.subLow), trunkContainerName(b.fileId)), { throwIfNoEntry: false });
        if (!st) continue;
        trunkFiles++;
        trunkBytes += st.size;
      }
      const freeBytes = mine.reduce((n, b) => n + b.size, 0);
      const largestFreeBlock = mine.reduce((n, b) => Math.max(n, b.size), 0);
      return {
        storePathIndex, storePath, trunkFiles, trunkBytes, freeBytes, freeBlocks: mine.length, largestFreeBlock,
        fragmentation: freeBytes > 0 ? 1 - largestFreeBlock / freeBytes : 0,
      };
    }),
  };
}

const mb = (n: number) => `${(n / (1024 * 1024)).toFixed(1)} MB`;

export function printTrunkUsage(u: TrunkUsage): string {
  return u.paths.map((p) => `store path ${p.storePathIndex} (${p.storePath}): ${p.trunkFiles} trunk file(s), ${mb(p.trunkBytes)}; `
    + `${mb(p.freeBytes)} free in ${p.freeBlocks} block(s), largest ${mb(p.largestFreeBlock)}; `
    + `fragmentation ${Math.round(p.fragmentation * 100)}%`).join('\n');
}
