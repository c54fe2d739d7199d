// `fdfs ls`: parse --since, stream the group's list (src/client/list-files.ts) to stdout as aligned text or
// NDJSON, a batch of lines per write with backpressure, so millions of files never sit in memory.
import type { Writable } from 'node:stream';
import { UsageError } from '../errors.js';
import type { FdfsClient } from '../client/index.js';
import { listGroupFiles, type ListedFile, type ListOptions } from '../client/list-files.js';

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };

/** --since: Unix seconds, an ISO date/time, or an age such as 30m, 12h, 7d (before `now`). */
export function parseSince(text: string, now = Date.now()): number {
  const t = text.trim();
  if (/^\d+$/.test(t)) return Number(t);
  const age = /^(\d+)\s*([smhdw])$/i.exec(t);
  if (age) return Math.floor(now / 1000) - Number(age[1]) * UNITS[age[2]!.toLowerCase()]!;
  const ms = Date.parse(t);
  if (/^\d{4}-\d{2}-\d{2}/.test(t) && Number.isFinite(ms)) return Math.floor(ms / 1000);
  throw new UsageError(`--since "${text}" is not a time: give Unix seconds, a date like 2026-01-31 or 2026-01-31T12:00:00Z, or an age like 30m, 12h, 7d`);
}

/** --prefix: `Mxx`, `Mxx/HH`, `Mxx/HH/HH` or the start of a name (uppercase hex, as names have). */
export function checkPrefix(prefix: string): string {
  if (!/^M([0-9A-F]{0,2}|[0-9A-F]{2}\/[0-9A-F]{0,2}|[0-9A-F]{2}\/[0-9A-F]{2}\/[0-9A-F]{0,2}|[0-9A-F]{2}\/[0-9A-F]{2}\/[0-9A-F]{2}\/[A-Za-z0-9._-]*)$/.test(prefix)) {
    throw new UsageError(`--prefix "${prefix}" is not the start of a file name: give e.g. M00, M00/00, M00/00/1A (uppercase hex)`);
  }
  return prefix;
}

function textLine(group: string, f: ListedFile): string {
  const time = new Date(f.time * 1000).toISOString().replace('.000Z', 'Z');
  return `${group}/${f.name}  ${String(f.size).padStart(12)}  ${time}  ${f.crc32 ?? '-       '}  ${f.filename ?? ''}`.trimEnd();
}

export interface LsOptions extends ListOptions {
  storage?: string;
  json: boolean;
  out: Writable;
}

/** Write the list; resolves with the count. A reader that goes away (`fdfs ls … | head`) ends it quietly. */
export async function printGroupFiles(client: FdfsClient, group: string, o: LsOptions): Promise<number> {
  let count = 0;
  let batch = '';
  let gone = false;
  let failed: Error | null = null;
  const onError = (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') gone = true;
    else failed = err;
  };
  o.out.on('error', onError);
  const flush = async () => {
    const ok = gone || o.out.write(batch);
    batch = '';
    if (ok) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        o.out.off('drain', done);
        o.out.off('error', done);
        resolve();
      };
      o.out.once('drain', done);
      o.out.once('error', done);
    });
  };
  try {
    for await (const f of listGroupFiles(client, group, o)) {
      batch += o.json ? `${JSON.stringify({ fileId: `${group}/${f.name}`, ...f })}\n` : `${textLine(group, f)}\n`;
      if (++count % 256 === 0) await flush();
      if (gone || failed) break;
    }
    if (batch && !gone) await flush();
  } finally {
    o.out.off('error', onError);
  }
  if (failed) throw failed;
  return count;
}
