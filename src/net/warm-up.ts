// What the tracker's and the storage workers' warm-ups share (tracker/warm-up.ts, storage/workers/warm-up.ts):
// FDFS_WARM_UP, a scratch folder made and removed around the run, a deadline, the timing, and the loopback
// connections that drive the scratch server.
import { mkdirSync, rmSync } from 'node:fs';
import { UsageError } from '../errors.js';
import type { Logger } from '../log.js';
import { Connection } from './connection.js';

/** Unset or empty: the default plan; 0: no warm-up; N > 0: a plan sized by N. */
export function warmUpSize(env: NodeJS.ProcessEnv = process.env): 'default' | number | null {
  const v = env.FDFS_WARM_UP;
  if (v === undefined || v === '') return 'default';
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 0) throw new UsageError(`FDFS_WARM_UP must be 0 (no warm-up) or a whole number of requests, not "${v}"`);
  return n === 0 ? null : n;
}

/** A warm-up's plan from FDFS_WARM_UP: `defaults` when unset, null for 0, `sized(N)` for N. */
export function warmUpPlanFrom<P>(defaults: P, sized: (n: number) => P, env: NodeJS.ProcessEnv = process.env): P | null {
  const n = warmUpSize(env);
  if (n === null) return null;
  return n === 'default' ? defaults : sized(n);
}

export interface ScratchRun {
  /** A logger that says nothing: the scratch server's warnings are nobody's. */
  quiet: Logger;
  /** Run `close` when the run ends, whatever happened (last registered, first run). */
  atEnd(close: () => unknown): void;
}

export interface WarmUpTiming {
  ms: number;
  /** CPU of this process while it ran. */
  cpuMs: number;
  /** The scratch folder (removed again). */
  folder: string;
}

/**
 * Run `body` over the scratch folder `folder` (emptied first, removed after), within `deadlineMs`. Its result with
 * the timing, logged at debug level; null when it failed or ran late (also logged at debug: a warm-up that could
 * not run only leaves the server as fast as it was).
 */
export async function runOnScratch<T extends object>(folder: string, log: Logger, deadlineMs: number,
  body: (s: ScratchRun) => Promise<T>): Promise<(T & WarmUpTiming) | null> {
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const closers: Array<() => unknown> = [];
  try {
    rmSync(folder, { recursive: true, force: true });
    mkdirSync(folder, { recursive: true });
    const out = await withDeadline(body({ quiet: log.child({ warmUp: true }, { level: 'silent' }), atEnd: (c) => closers.push(c) }), deadlineMs);
    const cpu = process.cpuUsage(cpu0);
    const result: T & WarmUpTiming = { ...out, ms: Math.round(performance.now() - t0), cpuMs: Math.round((cpu.user + cpu.system) / 1000), folder };
    log.debug(result as Record<string, unknown>, 'warmed up');
    return result;
  } catch (err) {
    log.debug({ err }, 'warm-up skipped');
    return null;
  } finally {
    for (const close of closers.reverse()) await Promise.resolve().then(close).catch(() => {});
    rmSync(folder, { recursive: true, force: true });
  }
}

/** `n` plain connections to a scratch server on this host (no handshake: the scratch port has no guard). */
export function scratchConnections(port: number, n: number): Promise<Connection[]> {
  return Promise.all(Array.from({ length: n }, () => Connection.connect('127.0.0.1', port, { authenticate: async () => true })));
}

/** Connection `i`'s part of `total` requests spread over `parts` connections. */
export function shareOf(total: number, parts: number, i: number): number {
  return Math.floor(total / parts) + (i < total % parts ? 1 : 0);
}

async function withDeadline<T>(run: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`warm-up took over ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([run, late]);
  } finally {
    clearTimeout(timer);
  }
}
