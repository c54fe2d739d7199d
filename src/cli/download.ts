// Downloads as the CLI does them: to a file (that appears only once complete) or stdout, with a progress bar;
// Ctrl-C or SIGTERM stops one cleanly, and the message says what was kept and how to continue (--resume).
import path from 'node:path';
import { stat } from 'node:fs/promises';
import type { FdfsClient } from '../client/index.js';
import { splitUserFileId } from '../client/file-id-check.js';
import { InterruptedError, TransferCutError, UsageError } from '../errors.js';
import { createProgress } from './progress.js';

export interface DownloadFileOptions {
  offset: number;
  length: number;
  progress: boolean;
  /** Continue from the partial file an interrupted download left. */
  resume?: boolean;
  /** A note for the user (stderr). */
  onNote?: (line: string) => void;
}

/** Aborts `ac` on SIGINT/SIGTERM while a transfer runs (a second signal acts as usual); returns the undo. */
function abortOnSignals(ac: AbortController): () => void {
  const onInt = () => { off(); ac.abort('SIGINT'); };
  const onTerm = () => { off(); ac.abort('SIGTERM'); };
  const off = () => { process.off('SIGINT', onInt); process.off('SIGTERM', onTerm); };
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  return off;
}

const quote = (s: string) => (/^[\w./:@%+=,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/** The download's error with what became of the bytes received, and the command that continues it. */
function explainCut(err: unknown, fileId: string, dest: string): unknown {
  const again = `fdfs download --resume ${quote(fileId)} ${quote(dest)}`;
  if (err instanceof InterruptedError) {
    const p = err.progress;
    const what = p ? `download interrupted (${err.signal}) after ${p.received} of ${p.total} bytes` : `download interrupted (${err.signal})`;
    const next = p?.partial ? `; the partial file is kept as ${p.partial} — run \`${again}\` to continue` : '; nothing was saved';
    return new InterruptedError(`${what}${next}`, err.signal);
  }
  if (err instanceof TransferCutError) {
    const next = err.partial
      ? `; the ${err.received} bytes are kept in ${err.partial} — run \`${again}\` to continue from there`
      : '; nothing was saved — retry the download';
    const cut = new TransferCutError(err.address, err.received, err.total);
    cut.message += next;
    return cut;
  }
  return err;
}

export async function downloadFile(client: FdfsClient, fileId: string, dest: string | undefined, opts: DownloadFileOptions): Promise<{ dest: string; bytes: number; resumedFrom?: number }> {
  const { logical } = splitUserFileId(fileId);
  const ac = new AbortController();
  const undo = abortOnSignals(ac);
  try {
    if (dest === '-') {
      if (opts.resume) throw new UsageError('--resume needs a destination file, not standard output');
      const bytes = await client.downloadTo(fileId, process.stdout, { offset: opts.offset, length: opts.length, signal: ac.signal })
        .catch((err) => { throw explainCut(err, fileId, '-'); });
      return { dest: '-', bytes };
    }
    let target = dest ?? path.basename(logical);
    const st = await stat(target).catch(() => null);
    if (st?.isDirectory()) target = path.join(target, path.basename(logical));
    const bar = await createProgress(path.basename(target), opts.progress);
    let resumedFrom: number | undefined;
    try {
      const bytes = await client.downloadToFile(fileId, target, {
        offset: opts.offset,
        length: opts.length,
        resume: opts.resume,
        signal: ac.signal,
        onResume: (from, total) => {
          resumedFrom = from;
          opts.onNote?.(`resuming ${target} at byte ${from} of ${total}`);
        },
        onProgress: (n, total) => bar.update(n, total),
      });
      return resumedFrom === undefined ? { dest: target, bytes } : { dest: target, bytes, resumedFrom };
    } catch (err) {
      throw explainCut(err, fileId, dest ?? target);
    } finally {
      bar.stop();
    }
  } finally {
    undo();
  }
}
