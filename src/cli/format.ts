// Small text helpers shared by commands: key=value parsing, sizes, times.
import { UsageError } from '../errors.js';

/** ['k=v', …] → {k: v}; the first '=' splits, so values may contain '='. */
export function parseMetaPairs(pairs: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of pairs) {
    const i = p.indexOf('=');
    if (i <= 0) throw new UsageError(`bad metadata "${p}" (want key=value)`);
    out[p.slice(0, i)] = p.slice(i + 1);
  }
  return out;
}

/** A non-negative whole number of bytes given as an argument ('bad offset "x" (want a byte count)'). */
export function parseByteCount(text: string, what: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n)) throw new UsageError(`bad ${what} "${text}" (want a byte count)`);
  return n;
}

export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${n} B` : `${v.toFixed(v < 10 ? 2 : 1)} ${units[u]}`;
}

/** Unix seconds → 'YYYY-MM-DD HH:MM:SS' in local time (as fdfs_file_info prints). */
export function formatTime(unix: number): string {
  const d = new Date(unix * 1000);
  const p = (x: number) => String(x).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}
