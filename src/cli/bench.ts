// `fdfs bench`: N uploads of S bytes at concurrency C through the client library, then N random
// downloads of what was written; ops/s, MB/s and latency percentiles per phase (like weed benchmark).
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { FdfsClient } from '../client/index.js';

export interface BenchOptions {
  count: number;
  size: number;
  concurrency: number;
  /** Stop a phase after this many seconds even if not all operations ran. */
  maxSeconds: number;
  deleteAfter: boolean;
}

export interface PhaseResult {
  phase: string;
  ops: number;
  errors: number;
  seconds: number;
  opsPerSec: number;
  mbPerSec: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function runPhase(name: string, opts: BenchOptions, bytesPerOp: number, op: (i: number) => Promise<void>): Promise<PhaseResult> {
  const lat: number[] = [];
  let next = 0;
  let errors = 0;
  const deadline = performance.now() + opts.maxSeconds * 1000;
  const start = performance.now();
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= opts.count || performance.now() > deadline) return;
      const t0 = performance.now();
      try {
        await op(i);
        lat.push(performance.now() - t0);
      } catch {
        errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, worker));
  const seconds = (performance.now() - start) / 1000;
  lat.sort((a, b) => a - b);
  return {
    phase: name,
    ops: lat.length,
    errors,
    seconds,
    opsPerSec: lat.length / seconds,
    mbPerSec: (lat.length * bytesPerOp) / seconds / 1e6,
    p50Ms: percentile(lat, 50),
    p99Ms: percentile(lat, 99),
    maxMs: lat.length ? lat[lat.length - 1]! : 0,
  };
}

export async function runBench(client: FdfsClient, opts: BenchOptions): Promise<PhaseResult[]> {
  // A few distinct payloads so the storage cannot benefit from identical content.
  const payloads = Array.from({ length: 8 }, () => randomBytes(opts.size));
  const ids: string[] = [];
  const upload = await runPhase('upload', opts, opts.size, async (i) => {
    ids.push(await client.upload(payloads[i % payloads.length]!, { ext: 'dat' }));
  });
  const results = [upload];
  if (ids.length) {
    results.push(await runPhase('download', opts, opts.size, async () => {
      const id = ids[Math.floor(Math.random() * ids.length)]!;
      const buf = await client.downloadToBuffer(id);
      if (buf.length !== opts.size) throw new Error('short download');
    }));
  }
  if (opts.deleteAfter && ids.length) {
    const all = ids.slice();
    results.push(await runPhase('delete', { ...opts, count: all.length }, 0, async (i) => {
      await client.delete(all[i]!);
    }));
  }
  return results;
}

export function formatBenchTable(opts: BenchOptions, results: PhaseResult[]): string {
  const head = `${opts.count} files × ${opts.size} bytes, concurrency ${opts.concurrency}`;
  const rows = results.map((r) =>
    `${r.phase.padEnd(9)} ${String(r.ops).padStart(7)} ops ${r.errors ? `(${r.errors} errors) ` : ''}in ${r.seconds.toFixed(2)} s: ` +
    `${r.opsPerSec.toFixed(1)} ops/s, ${r.mbPerSec.toFixed(2)} MB/s, latency p50 ${r.p50Ms.toFixed(2)} ms, p99 ${r.p99Ms.toFixed(2)} ms, max ${r.maxMs.toFixed(2)} ms`);
  return [head, ...rows].join('\n');
}
