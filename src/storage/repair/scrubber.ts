// The background scrub (storage.conf scrub_interval): a pass reads every normal file's copy at a bounded rate
// and checks it against the CRC-32 in its name, then compares this storage's list with each peer's (120 LIST_
// FILES) and fetches what a peer holds and this one lacks. Damage nobody reads and files lost behind the
// storage's back are repaired without a restart; what the binlog says was deleted here is never brought back.
import { setTimeout as sleep } from 'node:timers/promises';
import { listFilesFrom } from '../../net/list-files.js';
import type { ListedFile } from '../../protocol/list-files.js';
import type { Logger } from '../../log.js';
import { walkFiles } from '../listing/walk.js';
import type { StorageRuntime } from '../runtime.js';
import { copyMatches, expectedContent, isUncheckable } from './content-check.js';
import { deletedNames } from './deleted-names.js';
import path from 'node:path';

/** Files younger than this (or two scrub intervals, if less) may still be on their way from a peer: not fetched. */
const MAX_MIN_AGE_S = 600;
/** Names fetched per batch (one binlog pass each for the "deleted here" check). */
const BATCH = 500;

export interface ScrubCounts {
  passes: number;
  checked: number;
  damaged: number;
  missing: number;
  fetched: number;
}

export interface ScrubberDeps {
  rt: () => StorageRuntime;
  /** The group's other ACTIVE members now. */
  peers: () => Array<{ ip: string; port: number }>;
  log: Logger;
}

export class Scrubber {
  readonly counts: ScrubCounts = { passes: 0, checked: 0, damaged: 0, missing: 0, fetched: 0 };
  private readonly abort = new AbortController();
  private loop: Promise<void> | null = null;

  constructor(private readonly d: ScrubberDeps) {}

  start(): void {
    const interval = this.d.rt().config.scrubInterval;
    if (interval <= 0 || this.loop) return;
    this.loop = this.run(interval * 1000);
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
  }

  private async run(intervalMs: number): Promise<void> {
    const signal = this.abort.signal;
    while (!signal.aborted) {
      try {
        await sleep(intervalMs, undefined, { signal });
      } catch {
        return;
      }
      try {
        await this.pass();
      } catch (err) {
        if (!signal.aborted) this.d.log.warn({ part: 'scrub', err: (err as Error).message }, 'scrub pass failed; next one at the next interval');
      }
    }
  }

  /** One pass: own copies first, then what peers hold and this storage lacks. */
  async pass(): Promise<ScrubCounts> {
    const before = { ...this.counts };
    const started = Date.now();
    await this.checkCopies();
    for (const peer of this.d.peers()) {
      if (this.abort.signal.aborted) break;
      await this.fetchMissing(peer).catch((err: Error) =>
        this.d.log.info({ part: 'scrub', peer: `${peer.ip}:${peer.port}`, err: err.message }, 'cannot compare with this peer'));
    }
    this.counts.passes++;
    const delta = Object.fromEntries(Object.entries(this.counts).map(([k, v]) => [k, v - before[k as keyof ScrubCounts]]));
    this.d.log.info({ part: 'scrub', ms: Date.now() - started, ...delta }, 'scrub pass done');
    return this.counts;
  }

  private async checkCopies(): Promise<void> {
    const rt = this.d.rt();
    const rate = rt.config.scrubMaxBytesPerSecond;
    const started = Date.now();
    let bytes = 0;
    for await (const f of walkFiles(rt.paths.dataDirs, { signal: this.abort.signal })) {
      const expected = f.crc32 === null ? null : expectedContent(f.name);
      if (!expected) continue;
      const abs = rt.paths.resolve(f.name).absPath;
      const ok = await copyMatches(abs, f.size, expected).catch(() => true);
      this.counts.checked++;
      if (!ok && !isUncheckable(abs)) {
        this.counts.damaged++;
        if ((await rt.content.repairer.repair(f.name, expected, 'scrub: content does not match its file ID')) === 'repaired') this.counts.fetched++;
      }
      // Bounded read rate: the scrub never competes with clients for the disk.
      bytes += f.size;
      const ahead = bytes / rate * 1000 - (Date.now() - started);
      if (ahead > 5) await sleep(ahead, undefined, { signal: this.abort.signal }).catch(() => {});
    }
  }

  /** Merge this storage's list with the peer's (both in walk order) and fetch what only the peer has. */
  private async fetchMissing(peer: { ip: string; port: number }): Promise<void> {
    const rt = this.d.rt();
    const timeouts = { connectTimeout: rt.config.connectTimeout, networkTimeout: rt.config.networkTimeout };
    const mine = walkFiles(rt.paths.dataDirs, { signal: this.abort.signal });
    let own: ListedFile | null = (await mine.next()).value ?? null;
    const newest = Math.floor(Date.now() / 1000) - Math.min(MAX_MIN_AGE_S, 2 * rt.config.scrubInterval);
    let batch: string[] = [];
    const flush = async () => {
      const names = batch;
      batch = [];
      if (!names.length) return;
      const deleted = await deletedNames(path.join(rt.config.basePath, 'data', 'sync'), new Set(names));
      for (const name of names) {
        if (deleted.has(name) || this.abort.signal.aborted) continue;
        this.counts.missing++;
        if ((await rt.content.repairer.restore(name)) === 'repaired') this.counts.fetched++;
      }
    };
    try {
      for await (const theirs of listFilesFrom(peer, rt.group, {}, timeouts)) {
        if (this.abort.signal.aborted) return;
        while (own && own.name < theirs.name) own = (await mine.next()).value ?? null;
        if (own?.name === theirs.name || theirs.time > newest) continue;
        batch.push(theirs.name);
        if (batch.length >= BATCH) await flush();
      }
      await flush();
    } finally {
      await mine.return(undefined);
    }
  }
}
