// Upload sources: a Buffer, a file path or a stream; streams of unknown size are spooled to a
// temp file first (the protocol needs the size up front) — never into memory.
import { createReadStream, createWriteStream } from 'node:fs';
import { stat, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { UsageError } from '../errors.js';

export type UploadSource = Buffer | string | Readable | AsyncIterable<Buffer>;

export interface PreparedSource {
  size: number;
  /** A fresh iterable of the content. */
  open(): AsyncIterable<Buffer>;
  /** Extension guessed from a path, if any. */
  extFromName?: string;
  cleanup(): Promise<void>;
}

export async function prepareSource(src: UploadSource, size?: number): Promise<PreparedSource> {
  if (Buffer.isBuffer(src)) {
    return { size: src.length, open: () => [src] as unknown as AsyncIterable<Buffer>, cleanup: async () => {} };
  }
  if (typeof src === 'string') {
    let st;
    try {
      st = await stat(src);
    } catch {
      throw new UsageError(`cannot read ${src}: no such file`);
    }
    if (!st.isFile()) throw new UsageError(`${src} is not a regular file`);
    return {
      size: st.size,
      open: () => createReadStream(src, { highWaterMark: 256 << 10 }),
      extFromName: extFromFileName(src),
      cleanup: async () => {},
    };
  }
  if (size !== undefined) {
    let used = false;
    return {
      size,
      open: () => {
        if (used) throw new UsageError('a stream source can be sent only once');
        used = true;
        return src as AsyncIterable<Buffer>;
      },
      cleanup: async () => {},
    };
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), 'fdfs-spool-'));
  const file = path.join(dir, 'upload');
  await pipeline(Readable.from(src as AsyncIterable<Buffer>), createWriteStream(file));
  const st = await stat(file);
  return {
    size: st.size,
    open: () => createReadStream(file, { highWaterMark: 256 << 10 }),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

/** The extension a stock client derives from a local name: prefer a two-part one that fits 6 chars. */
export function extFromFileName(name: string): string {
  const base = path.basename(name);
  const parts = base.split('.');
  if (parts.length < 2 || (parts.length === 2 && parts[0] === '')) return '';
  const last = parts[parts.length - 1]!;
  if (parts.length >= 3) {
    const two = `${parts[parts.length - 2]}.${last}`;
    if (two.length <= 6 && parts[parts.length - 2] !== '') return two;
  }
  return last.length <= 6 ? last : '';
}

/** The extension extFromFileName leaves out because it is longer than FastDFS's 6 characters ('' if none is). */
export function droppedExt(name: string): string {
  const base = path.basename(name);
  const dot = base.lastIndexOf('.');
  if (dot <= 0 || extFromFileName(name)) return '';
  const last = base.slice(dot + 1);
  return last.length > 6 ? last : '';
}
