// Downloads into a local file that appears under its name only once complete. A whole-file download writes
// `.NAME.<size>-<crc32>-<mtime>.fdfs-partial` next to it (mtime 0 but for appender files): interrupted or cut
// off, that file stays, and a resumed download continues from its length — only if the stored file still has
// that size, CRC32 and time.
import { open, readdir, readFile, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { InterruptedError, TransferCutError, UsageError } from '../errors.js';

export interface DownloadFileOptions {
  offset?: number;
  /** 0 or absent = to the end of the file. */
  length?: number;
  onProgress?: (received: number, total: number) => void;
  /** Continue a whole-file download from the partial file an earlier one left (else it is replaced). */
  resume?: boolean;
  /** Called when a resume starts at `from` bytes of `total`. */
  onResume?: (from: number, total: number) => void;
  /** Aborting stops the download; a whole-file download keeps its partial file. */
  signal?: AbortSignal;
}

/** What this needs of FdfsClient. */
export interface DownloadCore {
  info(fileId: string, opts?: { calcCrc32?: boolean }): Promise<{ kind: string; size: number; crc32: number; createTimestamp: number }>;
  downloadTo(fileId: string, sink: Writable, opts: { offset?: number; length?: number; signal?: AbortSignal;
    onProgress?: (received: number, total: number) => void }): Promise<number>;
}

const PARTIAL_SUFFIX = '.fdfs-partial';

/** Why a local file cannot be created, in the user's words. */
function localWriteProblem(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return 'no such directory';
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') return 'permission denied';
  if (code === 'ENOSPC') return 'no space left on the device';
  if (code === 'EISDIR') return 'is a directory';
  return (err as Error).message;
}

async function openFor(dest: string, file: string, flags: string): Promise<FileHandle> {
  try {
    return await open(file, flags);
  } catch (err) {
    throw new UsageError(`cannot write ${dest}: ${localWriteProblem(err)}`);
  }
}

/** Finish writing: every byte handed to `out` is in the file once this resolves. */
function finish(out: Writable): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (out.destroyed) return resolve();
    out.once('error', reject);
    out.end(() => resolve());
  });
}

/** Download `fileId` into `dest`; resolves to the file's size (a range: the bytes written). */
export async function downloadToFile(core: DownloadCore, fileId: string, dest: string, opts: DownloadFileOptions = {}): Promise<number> {
  const ranged = (opts.offset ?? 0) > 0 || (opts.length ?? 0) > 0;
  if (ranged && opts.resume) throw new UsageError('--resume continues a whole-file download; it cannot be combined with --offset or --length');
  return ranged ? downloadRange(core, fileId, dest, opts) : downloadWhole(core, fileId, dest, opts);
}

/** A byte range: a temp file removed on any failure (a range is not resumed). */
async function downloadRange(core: DownloadCore, fileId: string, dest: string, opts: DownloadFileOptions): Promise<number> {
  const tmp = path.join(path.dirname(dest), `.${path.basename(dest)}.fdfs-${process.pid}-${Date.now()}.tmp`);
  // Opened before anything is fetched: a destination that cannot be written is a plain error, not a crash.
  const out = (await openFor(dest, tmp, 'wx')).createWriteStream();
  try {
    const n = await core.downloadTo(fileId, out, opts);
    await finish(out);
    await rename(tmp, dest);
    return n;
  } catch (err) {
    out.destroy();
    await rm(tmp, { force: true });
    throw err;
  }
}

/**
 * One whole-file download per destination at a time: `.NAME.fdfs-lock` holds the downloader's pid. A lock whose
 * process is gone (killed -9) is taken over. Resolves with the release.
 */
async function lockDestination(dest: string): Promise<() => Promise<void>> {
  const lock = path.join(path.dirname(dest), `.${path.basename(dest)}.fdfs-lock`);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fh = await open(lock, 'wx');
      await fh.writeFile(String(process.pid));
      await fh.close();
      return () => rm(lock, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new UsageError(`cannot write ${dest}: ${localWriteProblem(err)}`);
    }
    const pid = Number(await readFile(lock, 'utf8').catch(() => ''));
    if (pid > 0 && pid !== process.pid && isAlive(pid)) {
      throw new UsageError(`another fdfs download to ${dest} is running (pid ${pid}); wait for it, or download to another name`);
    }
    await rm(lock, { force: true });
  }
  throw new UsageError(`cannot lock ${dest} for the download (${lock} keeps coming back)`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function downloadWhole(core: DownloadCore, fileId: string, dest: string, opts: DownloadFileOptions): Promise<number> {
  const release = await lockDestination(dest);
  try {
    return await downloadWholeLocked(core, fileId, dest, opts);
  } finally {
    await release();
  }
}

async function downloadWholeLocked(core: DownloadCore, fileId: string, dest: string, opts: DownloadFileOptions): Promise<number> {
  const dir = path.dirname(dest);
  const base = path.basename(dest);
  const info = await core.info(fileId, { calcCrc32: false });
  // Only an appender file changes under its ID (its time is its last change); other files' size and CRC32 say all,
  // and their times differ between the replicas a download may be served from.
  const changed = info.kind === 'appender' ? info.createTimestamp : 0;
  const partial = path.join(dir, `.${base}.${info.size}-${(info.crc32 >>> 0).toString(16).padStart(8, '0')}-${changed}${PARTIAL_SUFFIX}`);
  // Leftovers of earlier downloads to this name: only the one for this very content may be continued.
  const leftovers = (await readdir(dir).catch(() => [] as string[]))
    .filter((n) => n.startsWith(`.${base}.`) && n.endsWith(PARTIAL_SUFFIX)).map((n) => path.join(dir, n));
  for (const f of leftovers) if (!(opts.resume && f === partial)) await rm(f, { force: true });
  const start = opts.resume ? await stat(partial).then((s) => (s.size <= info.size ? s.size : 0), () => 0) : 0;
  if (start > 0) opts.onResume?.(start, info.size);
  const out = (await openFor(dest, partial, start > 0 ? 'a' : 'w')).createWriteStream();
  try {
    if (start < info.size) {
      await core.downloadTo(fileId, out, { offset: start, signal: opts.signal, onProgress: (n) => opts.onProgress?.(start + n, info.size) });
    }
    await finish(out);
    await rename(partial, dest);
    return info.size;
  } catch (err) {
    await finish(out).catch(() => out.destroy());
    const kept = await stat(partial).then((s) => s.size, () => 0);
    if (kept === 0 || !(err instanceof InterruptedError || err instanceof TransferCutError)) {
      await rm(partial, { force: true });
      throw err;
    }
    if (err instanceof InterruptedError) err.progress = { received: kept, total: info.size, partial };
    if (err instanceof TransferCutError) {
      const cut = new TransferCutError(err.address, kept, info.size);
      cut.partial = partial;
      throw cut;
    }
    throw err;
  }
}
