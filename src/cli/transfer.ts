// Uploads as the CLI does them: files or stdin with progress bars; a batch checks every input first, and
// reports each file with its ID or its error. Downloads: download.ts.
import path from 'node:path';
import { access, stat } from 'node:fs/promises';
import { constants } from 'node:fs';
import type { FdfsClient } from '../client/index.js';
import { TransferCutError, UsageError } from '../errors.js';
import { ORIGINAL_NAME_KEY } from '../protocol/list-files.js';
import { createProgress } from './progress.js';
import { describeFailure, type CliFailure } from './exit-codes.js';
import { droppedExt } from '../client/sources.js';
import { contentSource } from './content.js';

export interface UploadFilesOptions {
  group?: string;
  ext?: string;
  metadata?: Record<string, string>;
  /** Keep each file's own name as metadata `filename` (not for stdin; an explicit --meta filename wins). */
  keepName?: boolean;
  appender?: boolean;
  /** Store the one file as a slave of `master` (name + prefix + ext); no progress bar. */
  slaveOf?: { master: string; prefix: string };
  progress: boolean;
  onFileId(id: string): void;
  /** A line for the user about one file (stderr): a dropped extension, a failure. */
  onNote?(line: string): void;
}

/** One input of a batch: its file ID, or why it has none. */
export interface UploadedFile {
  file: string;
  fileId?: string;
  /** Something the user should know, e.g. an extension left out of the ID. */
  warning?: string;
  error?: CliFailure;
  /** Not tried: an earlier file of the batch failed. */
  skipped?: true;
}

/** Why a local input cannot be uploaded, or null when it can. */
async function readProblem(file: string): Promise<string | null> {
  const st = await stat(file).catch((err: NodeJS.ErrnoException) => err);
  if (st instanceof Error) return st.code === 'EACCES' ? 'permission denied' : 'no such file';
  if (!st.isFile()) return 'not a regular file';
  return access(file, constants.R_OK).then(() => null, () => 'permission denied');
}

/** Every local input must be readable before the first upload: a batch is refused whole, never half done. */
async function checkInputs(files: string[]): Promise<void> {
  const bad: Array<{ file: string; problem: string }> = [];
  for (const file of files) {
    if (file === '-') continue;
    const problem = await readProblem(file);
    if (problem) bad.push({ file, problem });
  }
  if (!bad.length) return;
  if (files.length === 1) {
    const { file, problem } = bad[0]!;
    throw new UsageError(problem === 'not a regular file' ? `${file} is not a regular file` : `cannot read ${file}: ${problem}`);
  }
  throw new UsageError(`cannot upload ${bad.length} of ${files.length} files, so nothing was uploaded: `
    + bad.map((b) => `${b.file} (${b.problem})`).join(', '));
}

/** The warning for a name whose extension cannot go into a file ID (over 6 characters), unless --ext chose one. */
function extWarning(file: string, ext: string | undefined): string | undefined {
  const dropped = ext === undefined && file !== '-' ? droppedExt(file) : '';
  return dropped
    ? `${file}: the extension "${dropped}" is longer than 6 characters, so the file ID has none (choose one with --ext)`
    : undefined;
}

/** A storage gone mid-upload: the storage keeps nothing of a partial upload, so the way on is to upload again. */
function explainUploadCut(err: unknown, file: string): unknown {
  if (!(err instanceof TransferCutError) || err.direction !== 'upload') return err;
  const cut = new TransferCutError(err.address, err.received, err.total, 'upload');
  cut.message += `; nothing was stored — upload ${file === '-' ? 'it' : file} again`;
  return cut;
}

function metadataFor(file: string, opts: UploadFilesOptions): Record<string, string> | undefined {
  if (!opts.keepName || file === '-') return opts.metadata;
  return { [ORIGINAL_NAME_KEY]: path.basename(file), ...opts.metadata };
}

export async function uploadFiles(client: FdfsClient, files: string[], opts: UploadFilesOptions): Promise<UploadedFile[]> {
  if (opts.slaveOf) {
    if (files.length !== 1) throw new UsageError('--slave-of takes exactly one FILE');
    const id = await client.uploadSlave(opts.slaveOf.master, opts.slaveOf.prefix, await contentSource(files[0]!), { ext: opts.ext, metadata: metadataFor(files[0]!, opts) });
    opts.onFileId(id);
    return [{ file: files[0]!, fileId: id }];
  }
  await checkInputs(files);
  const results: UploadedFile[] = [];
  for (const file of files) {
    if (results.some((r) => r.error)) {
      results.push({ file, skipped: true });
      continue;
    }
    const isStdin = file === '-';
    const warning = extWarning(file, opts.ext);
    if (warning) opts.onNote?.(warning);
    const bar = await createProgress(path.basename(file), opts.progress && !isStdin);
    try {
      const id = await client.upload(isStdin ? process.stdin : file, {
        group: opts.group,
        ext: opts.ext,
        metadata: metadataFor(file, opts),
        appender: opts.appender,
        onProgress: (n, total) => bar.update(n, total),
      });
      bar.stop();
      results.push(warning ? { file, fileId: id, warning } : { file, fileId: id });
      opts.onFileId(id);
    } catch (caught) {
      const err = explainUploadCut(caught, file);
      // Nothing uploaded yet: the batch fails as one command. Otherwise the files done keep their IDs.
      if (!results.length) throw err;
      const error = describeFailure(err);
      results.push({ file, error });
      const after = files.length - results.length;
      opts.onNote?.(`${file}: ${error.message} — ${results.length - 1} file(s) before it were uploaded${after ? `, the ${after} after it were not` : ''}`);
    } finally {
      bar.stop();
    }
  }
  return results;
}
