// Seeded random frames for the fuzz tests: a small PRNG (mulberry32) and mutations of captured fixtures
// (flip, truncate, extend, random pkg_len, random cmd, random status). The seed is printed on failure.
import { wire, wireNames } from './wire.js';

export type Rng = () => number;

/** mulberry32: 32-bit state, good enough to spread cases; the same seed gives the same cases. */
export function rng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const int = (r: Rng, n: number): number => Math.floor(r() * n);
export const pick = <T>(r: Rng, xs: readonly T[]): T => xs[int(r, xs.length)]!;
export const randomBytes = (r: Rng, n: number): Buffer => Buffer.from(Array.from({ length: n }, () => int(r, 256)));

/** Every fixture's bytes (whole packets, partial captures and bodies alike). */
export function fixtures(): Buffer[] {
  return wireNames().map((n) => wire(n));
}

/** Command codes the servers know, plus neighbours and extremes. */
export const CMDS = [
  9, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 34, 35, 36, 37, 38, 40, 58, 59, 60, 61, 62, 63,
  64, 65, 66, 67, 68, 69, 70, 71, 75, 76, 77, 78, 79, 81, 82, 83, 84, 85, 86, 87, 88, 89, 90, 91, 92, 93, 94, 95,
  96, 97, 98, 100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 111, 0, 1, 99, 110, 112, 200, 255,
] as const;

export type Mutation = 'flip' | 'truncate' | 'extend' | 'pkgLen' | 'cmd' | 'status' | 'random' | 'asIs';
const MUTATIONS: Mutation[] = ['flip', 'truncate', 'extend', 'pkgLen', 'cmd', 'status', 'random', 'asIs'];

/** One mutated frame from a fixture (or from scratch), and the mutation applied. */
export function mutate(r: Rng, base: Buffer): { bytes: Buffer; how: Mutation } {
  const how = pick(r, MUTATIONS);
  let b = Buffer.from(base);
  switch (how) {
    case 'flip': {
      const n = 1 + int(r, 4);
      for (let i = 0; i < n && b.length; i++) b[int(r, b.length)] = int(r, 256);
      break;
    }
    case 'truncate': b = b.subarray(0, int(r, b.length + 1)); break;
    case 'extend': b = Buffer.concat([b, randomBytes(r, 1 + int(r, 64))]); break;
    case 'pkgLen': {
      if (b.length < 10) b = Buffer.concat([b, Buffer.alloc(10 - b.length)]);
      const choices = [0n, 1n, BigInt(b.length - 10), BigInt(b.length - 9), BigInt(b.length - 11), -1n, 1n << 58n,
        (1n << 63n) - 1n, BigInt(int(r, 1 << 20)), BigInt(int(r, 300))];
      b.writeBigInt64BE(BigInt.asIntN(64, pick(r, choices)), 0);
      break;
    }
    case 'cmd': if (b.length > 8) b[8] = pick(r, CMDS); break;
    case 'status': if (b.length > 9) b[9] = int(r, 256); break;
    case 'random': {
      const body = randomBytes(r, int(r, 200));
      const head = Buffer.alloc(10);
      head.writeBigInt64BE(BigInt(r() < 0.8 ? body.length : int(r, 400)), 0);
      head[8] = pick(r, CMDS); head[9] = r() < 0.8 ? 0 : int(r, 256);
      b = Buffer.concat([head, body]);
      break;
    }
    case 'asIs': break;
  }
  return { bytes: b, how };
}
