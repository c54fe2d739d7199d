// Content arguments of the appender/slave commands: a local file path, or "-" for standard input
// (spooled by the client, since the protocol needs the size first).
import { stat } from 'node:fs/promises';
import type { UploadSource } from '../client/index.js';
import { UsageError } from '../errors.js';

export async function contentSource(arg: string): Promise<UploadSource> {
  if (arg === '-') return process.stdin;
  const st = await stat(arg).catch(() => null);
  if (!st) throw new UsageError(`cannot read ${arg}: no such file`);
  if (!st.isFile()) throw new UsageError(`${arg} is not a regular file`);
  return arg;
}
