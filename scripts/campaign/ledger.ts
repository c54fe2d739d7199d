// What the campaign's clients were told: every acknowledged file ID with the sha256 of the bytes sent, and a
// bounded upload load (mixed 4 KiB / 1 MiB) that also reads back acknowledged files through the tracker.
import { createHash, randomBytes } from 'node:crypto';
import type { FdfsClient } from '../../src/client/index.js';
import { errnoName, StatusError } from '../../src/errors.js';

export const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

export interface Acked { sha: string; size: number }

export class Ledger {
  readonly files = new Map<string, Acked>();
  add(id: string, data: Buffer): void {
    this.files.set(id, { sha: sha256(data), size: data.length });
  }
  get ids(): string[] {
    return [...this.files.keys()];
  }
}

/** Short name of an error as a client saw it: the errno name of a status, else the error's class or code. */
export function errorKind(err: unknown): string {
  const e = err as { code?: string; name?: string; message?: string };
  if (err instanceof StatusError) return errnoName(err.errno);
  if (e?.name && !['Error', 'FdfsError'].includes(e.name)) return e.name;
  return e?.code ?? String(err).slice(0, 30);
}

export interface LoadOptions {
  uploads: number;
  concurrency: number;
  /** Every n-th upload is 1 MiB, the rest 4 KiB. */
  largeEvery: number;
  /** Stop starting uploads after this many ms, whatever the count. */
  timeLimitMs: number;
  /** Pace: at most this many uploads started per second, so that a load spans the fault it runs under. */
  perSecond: number;
}

/** A running load: `started` moves as workers pick uploads, `done` settles when all have ended. */
export class Load {
  started = 0;
  ok = 0;
  reads = 0;
  readsOk = 0;
  /** Reads that succeeded with bytes other than those acknowledged: a wrong byte served as good. */
  badReads = 0;
  readonly ids: string[] = [];
  readonly errors = new Map<string, number>();
  readonly done: Promise<void>;
  private stopped = false;
  private readonly t0 = Date.now();

  constructor(private readonly client: FdfsClient, private readonly ledger: Ledger, private readonly o: LoadOptions) {
    const deadline = Date.now() + o.timeLimitMs;
    this.done = Promise.all(Array.from({ length: o.concurrency }, () => this.worker(deadline))).then(() => undefined);
  }

  private note(err: unknown, what: string): void {
    const k = `${what}${errorKind(err)}`;
    this.errors.set(k, (this.errors.get(k) ?? 0) + 1);
  }

  private async worker(deadline: number): Promise<void> {
    while (!this.stopped && this.started < this.o.uploads && Date.now() < deadline) {
      const i = this.started++;
      const due = this.t0 + (i * 1000) / this.o.perSecond - Date.now();
      if (due > 0) await new Promise((r) => setTimeout(r, due));
      const data = randomBytes(i % this.o.largeEvery === 0 ? 1 << 20 : 4096);
      try {
        const id = await this.client.upload(data, { ext: 'bin' });
        this.ledger.add(id, data);
        this.ids.push(id);
        this.ok++;
      } catch (err) {
        this.note(err, '');
      }
      if (i % 4 === 3 && this.ledger.files.size) await this.readBack();
    }
  }

  /** Download one acknowledged file (a small one when there is one near) through the tracker and compare. */
  private async readBack(): Promise<void> {
    const ids = this.ledger.ids;
    let id = ids[Math.floor(Math.random() * ids.length)]!;
    for (let tries = 0; tries < 4 && this.ledger.files.get(id)!.size > 4096; tries++) id = ids[Math.floor(Math.random() * ids.length)]!;
    this.reads++;
    try {
      const got = await this.client.downloadToBuffer(id);
      if (sha256(got) === this.ledger.files.get(id)!.sha) this.readsOk++;
      else this.badReads++;
    } catch (err) {
      this.note(err, 'read ');
    }
  }

  /** Resolve once `n` uploads have been started (or the load ended). */
  async reached(n: number): Promise<void> {
    let settled = false;
    void this.done.then(() => { settled = true; });
    while (!settled && this.started < n) await new Promise((r) => setTimeout(r, 20));
  }

  /** Start no more uploads (those in flight finish). */
  stop(): void {
    this.stopped = true;
  }
}
