// 120 LIST_FILES (fdfs extension, src/protocol/list-files.ts): this storage's files of its group, walked from
// the store paths (listing/walk.ts) and streamed in batches with backpressure; the connection closes after.
import { FdfsStorageCmd } from '../../protocol/codes.js';
import {
  encodeListedFile, encodeListFilesResponseHeader, encodeListFilesTrailer, ListFilesCommands,
} from '../../protocol/list-files.js';
import { walkFiles } from '../listing/walk.js';
import { checkGroup, readRequest, type StorageCtx, type StorageRuntime } from '../runtime.js';

/** Lines per write: large enough to cut syscalls, small enough to keep memory flat. */
const BATCH = 256;

export async function listFiles(rt: StorageRuntime, ctx: StorageCtx): Promise<void> {
  const req = await readRequest(rt, ctx, ListFilesCommands.ListFiles);
  checkGroup(rt, req.group, FdfsStorageCmd.ListFiles);
  await ctx.replyPacket(encodeListFilesResponseHeader());
  let bytes = 0;
  let count = 0;
  let batch = '';
  let lines = 0;
  const flush = async () => {
    const chunk = Buffer.from(batch);
    batch = '';
    lines = 0;
    bytes += chunk.length;
    await ctx.conn.write(chunk);
  };
  try {
    for await (const f of walkFiles(rt.paths.dataDirs, { since: req.since, prefix: req.prefix, after: req.after })) {
      batch += encodeListedFile(f);
      count++;
      if (++lines >= BATCH) await flush();
      if (req.limit && count >= req.limit) break;
    }
    if (batch) await flush();
    await ctx.conn.write(encodeListFilesTrailer(bytes));
  } finally {
    // "Read until close": end our side; the peer closes the rest.
    ctx.conn.close();
  }
  ctx.log.debug({ files: count, bytes }, 'listed files');
}
