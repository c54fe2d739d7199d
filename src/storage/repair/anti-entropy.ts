// Continuous anti-entropy (storage.conf anti_entropy_interval): one top-level directory (`Mxx/HH`) at a time,
// paced so that every directory is visited once per interval, this storage compares the digests of its leaf
// directories with each ACTIVE peer's (122 DIR_DIGESTS), lists only the leaves that differ (120 LIST_FILES)
// and fetches what the peer holds and it lacks, or holds at a size its name contradicts (repairer.restore
// checks the CRC). Never a file its own binlog deleted; never one younger than the interval (at most a
// minute), which replication may still be bringing. Work per step is one directory, fetches per step bounded.
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Errno, StatusError } from '../../errors.js';
import { Connection } from '../../net/connection.js';
import { listFilesFrom } from '../../net/list-files.js';
import { FdfsStorageCmd } from '../../protocol/codes.js';
import { decodeDirDigestsResponse, encodeDirDigestsRequest, type LeafDigest } from '../../protocol/dir-digests.js';
import type { Logger } from '../../log.js';
import { hex2 } from '../store/store-paths.js';
import type { StorageRuntime } from '../runtime.js';
import { expectedContent } from './content-check.js';
import { deletedNames } from './deleted-names.js';
import { leafDigests, leafFiles } from './dir-digest.js';

/** Files younger than this (or the interval, if shorter) may still be on their way by replication. */
const MAX_MIN_AGE_S = 60;
/** At most this many fetches per step: a member that lost a whole disk is refilled by disk recovery, not here. */
const MAX_FETCH_PER_STEP = 200;
/** Steps never come closer than this. */
const MIN_STEP_MS = 10;

export interface AntiEntropyCounts {
  /** Full rounds over every directory. */
  rounds: number;
  /** Top-level directories compared with a peer. */
  compared: number;
  /** Leaf directories whose digests differed. */
  differing: number;
  /** Files a peer held that this storage lacked or held at a wrong size. */
  missing: number;
  fetched: number;
}

export interface AntiEntropyDeps {
  rt: () => StorageRuntime;
  /** The group's other ACTIVE members now. */
  peers: () => Array<{ ip: string; port: number }>;
  log: Logger;
}

export class AntiEntropy {
  readonly counts: AntiEntropyCounts = { rounds: 0, compared: 0, differing: 0, missing: 0, fetched: 0 };
  private readonly abort = new AbortController();
  private loop: Promise<void> | null = null;
  /** Peers that answered 122 with EINVAL (stock storages): not compared with. */
  private readonly stock = new Set<string>();

  constructor(private readonly d: AntiEntropyDeps) {}

  start(): void {
    if (this.d.rt().config.antiEntropyInterval <= 0 || this.loop) return;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
  }

  private async run(): Promise<void> {
    const signal = this.abort.signal;
    const rt = this.d.rt();
    const dirs = rt.paths.dataDirs.length * rt.config.subdirCountPerPath;
    const stepMs = Math.max(MIN_STEP_MS, (rt.config.antiEntropyInterval * 1000) / dirs);
    // The first step waits as long as a file must be old to be fetched: just after a start, replication is still
    // bringing what the members differ by, and comparing would only cost both of them CPU.
    const firstMs = Math.min(MAX_MIN_AGE_S, rt.config.antiEntropyInterval) * 1000;
    let started = Date.now();
    let changed = 0;
    for (let step = 0; !signal.aborted; step++) {
      try {
        await sleep(step === 0 ? firstMs : stepMs, undefined, { signal });
      } catch {
        return;
      }
      const at = step % dirs;
      const index = Math.floor(at / rt.config.subdirCountPerPath);
      const high = hex2(at % rt.config.subdirCountPerPath);
      try {
        changed += await this.compareDir(index, high);
      } catch (err) {
        if (!signal.aborted) this.d.log.warn({ part: 'anti-entropy', dir: `M${hex2(index)}/${high}`, err: (err as Error).message }, 'directory comparison failed');
      }
      if (at === dirs - 1) {
        this.counts.rounds++;
        this.d.log.info({ part: 'anti-entropy', ms: Date.now() - started, fetchedThisRound: changed, ...this.counts }, 'anti-entropy round done');
        started = Date.now();
        changed = 0;
      }
    }
  }

  /** Compare `Mxx/HH` with every ACTIVE peer; returns how many files were fetched. */
  async compareDir(index: number, high: string): Promise<number> {
    const rt = this.d.rt();
    const dataDir = rt.paths.dataDirs[index]!;
    const dir = `M${hex2(index)}/${high}`;
    let fetched = 0;
    for (const peer of this.d.peers()) {
      if (this.abort.signal.aborted) break;
      const key = `${peer.ip}:${peer.port}`;
      if (this.stock.has(key)) continue;
      let theirs: LeafDigest[];
      try {
        theirs = await this.peerDigests(peer, dir);
      } catch (err) {
        if (!(err instanceof StatusError && err.errno === Errno.EINVAL)) throw err;
        this.stock.add(key);
        this.d.log.info({ part: 'anti-entropy', peer: key }, 'this peer has no DIR_DIGESTS (a stock storage?): not compared with');
        continue;
      }
      const mine = await leafDigests(dataDir, high);
      this.counts.compared++;
      const own = new Map(mine.map((l) => [l.leaf, l.digest]));
      for (const leaf of theirs) {
        if (own.get(leaf.leaf) === leaf.digest) continue;
        this.counts.differing++;
        fetched += await this.fetchLeaf(peer, `${dir}/${leaf.leaf}`, path.join(dataDir, high, leaf.leaf));
      }
    }
    return fetched;
  }

  private async peerDigests(peer: { ip: string; port: number }, dir: string): Promise<LeafDigest[]> {
    const rt = this.d.rt();
    const conn = await Connection.connect(peer.ip, peer.port, { connectTimeout: rt.config.connectTimeout, networkTimeout: rt.config.networkTimeout });
    try {
      return decodeDirDigestsResponse(await conn.call(encodeDirDigestsRequest({ group: rt.group, dir }),
        { cmd: FdfsStorageCmd.DirDigests, maxBody: 256 * 64 }));
    } finally {
      conn.quit();
    }
  }

  /** List the peer's leaf `prefix` and fetch what is missing here or has a size its name contradicts. */
  private async fetchLeaf(peer: { ip: string; port: number }, prefix: string, leafDir: string): Promise<number> {
    const rt = this.d.rt();
    const here = await leafFiles(leafDir);
    const newest = Math.floor(Date.now() / 1000) - Math.min(MAX_MIN_AGE_S, rt.config.antiEntropyInterval);
    const wanted = new Set<string>();
    const timeouts = { connectTimeout: rt.config.connectTimeout, networkTimeout: rt.config.networkTimeout };
    for await (const f of listFilesFrom(peer, rt.group, { prefix: `${prefix}/` }, timeouts)) {
      if (f.time > newest || wanted.size >= MAX_FETCH_PER_STEP) continue;
      const size = here.get(f.name.slice(prefix.length + 1));
      const expected = size === undefined ? null : expectedContent(f.name);
      if (size === undefined || (expected && size !== expected.size)) wanted.add(f.name);
    }
    if (!wanted.size) return 0;
    const deleted = await deletedNames(path.join(rt.config.basePath, 'data', 'sync'), wanted);
    let fetched = 0;
    for (const name of wanted) {
      if (deleted.has(name) || this.abort.signal.aborted) continue;
      this.counts.missing++;
      if ((await rt.content.repairer.restore(name)) === 'repaired') {
        this.counts.fetched++;
        fetched++;
      }
    }
    return fetched;
  }
}
