// Upload and download as the CLI does them: files or stdin/stdout, progress bars, and
// downloads that only appear under their name once complete.
import path from 'node:path';
import { stat } from 'node:fs/promises';
import type { FdfsClient } from '../client/index.js';
import { splitFileId } from '../protocol/file-id.js';
import { ORIGINAL_NAME_KEY } from '../protocol/list-files.js';
import { UsageError } from '../errors.js';
import { createProgress } from './progress.js';
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
}

function metadataFor(file: string, opts: UploadFilesOptions): Record<string, string> | undefined {
  if (!opts.keepName || file === '-') return opts.metadata;
  return { [ORIGINAL_NAME_KEY]: path.basename(file), ...opts.metadata };
}

export async function uploadFiles(client: FdfsClient, files: string[], opts: UploadFilesOptions): Promise<string[]> {
  if (opts.slaveOf) {
    if (files.length !== 1) throw new UsageError('--slave-of takes exactly one FILE');
    const id = await client.uploadSlave(opts.slaveOf.master, opts.slaveOf.prefix, await contentSource(files[0]!), { ext: opts.ext, metadata: metadataFor(files[0]!, opts) });
    opts.onFileId(id);
    return [id];
  }
  const ids: string[] = [];
  for (const file of files) {
    const isStdin = file === '-';
    if (!isStdin) {
      const st = await stat(file).catch(() => null);
      if (!st) throw new UsageError(`cannot read ${file}: no such file`);
      if (!st.isFile()) throw new UsageError(`${file} is not a regular file`);
    }
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
      ids.push(id);
      opts.onFileId(id);
    } finally {
      bar.stop();
    }
  }
  return ids;
}

export interface DownloadFileOptions {
  offset: number;
  length: number;
  progress: boolean;
}

export async function downloadFile(client: FdfsClient, fileId: string, dest: string | undefined, opts: DownloadFileOptions): Promise<{ dest: string; bytes: number }> {
  const { logical } = splitFileId(fileId);
  if (dest === '-') {
    const bytes = await client.downloadTo(fileId, process.stdout, { offset: opts.offset, length: opts.length });
    return { dest: '-', bytes };
  }
  let target = dest ?? path.basename(logical);
  const st = await stat(target).catch(() => null);
  if (st?.isDirectory()) target = path.join(target, path.basename(logical));
  const bar = await createProgress(path.basename(target), opts.progress);
  try {
    const bytes = await client.downloadToFile(fileId, target, {
      offset: opts.offset,
      length: opts.length,
      onProgress: (n, total) => bar.update(n, total),
    });
    return { dest: target, bytes };
  } finally {
    bar.stop();
  }
}
