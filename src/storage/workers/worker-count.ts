// How many processes serve the storage port, and which directory lane each worker writes in.
import cluster from 'node:cluster';
import os from 'node:os';
import type { StorageConfig } from '../../config/index.js';

/** Processes serving the storage port: work_threads, at most one per core (1 = this process alone). */
export function storageWorkerCount(sc: StorageConfig): number {
  return Math.max(1, Math.min(sc.workThreads, os.availableParallelism()));
}

/**
 * This worker's lane of data directories (see Placement): by cluster worker id, so a worker forked again after
 * a death takes the lane of the one it replaces when ids are handed out in turn; a shared lane only costs speed.
 */
export function workerLane(sc: StorageConfig): { index: number; count: number } | undefined {
  const count = storageWorkerCount(sc);
  const id = cluster.worker?.id;
  if (count < 2 || id === undefined) return undefined;
  return { index: (id - 1) % count, count };
}
