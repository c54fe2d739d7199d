// 26 FETCH_ONE_PATH_BINLOG (spec §9.8): for a peer rebuilding a lost disk, every file of one store path as
// create lines folded from the binlog (deletes drop a file, a rename lists the new name as `c`, links keep
// their `L link target` line, which stock recovery turns into a symlink too), streamed with
// pkg_len 2^58 ("until close"), then an 8-byte count of the text bytes; malformed lines are skipped.
import { Errno, StatusError } from '../../errors.js';
import { StorageCmd } from '../../protocol/codes.js';
import {
  decodeFetchOnePathBinlogRequest, encodeFetchBinlogTrailer, encodeFetchOnePathBinlogResponseHeader,
} from '../../protocol/sync.js';
import { checkGroup, readSmallBody, type StorageCtx, type StorageRuntime } from '../runtime.js';
import { hex2 } from '../store-paths.js';
import { BinlogReader } from './binlog-reader.js';

/** The create (and link) lines of the files of store path `index` that exist as of the binlog's end. */
export async function foldPathBinlog(rt: StorageRuntime, index: number): Promise<string[]> {
  const prefix = `M${hex2(index)}/`;
  const files = new Map<string, string>();
  const reader = new BinlogReader({ dir: rt.binlog.dir, currentIndex: () => rt.binlog.currentIndex, log: rt.log }, { index: 0, offset: 0 });
  try {
    for (let it = await reader.next(); it; it = await reader.next()) {
      const rec = it.rec;
      if (!rec) continue;
      switch (rec.op) {
        case 'C': case 'c':
          files.delete(rec.filename);
          if (rec.filename.startsWith(prefix)) files.set(rec.filename, `${rec.timestamp} ${rec.op} ${rec.filename}`);
          break;
        case 'D': case 'd':
          files.delete(rec.filename);
          break;
        case 'L': case 'l':
          files.delete(rec.filename);
          if (rec.filename.startsWith(prefix)) files.set(rec.filename, `${rec.timestamp} ${rec.op} ${rec.filename} ${rec.srcFilename}`);
          break;
        case 'R': case 'r':
          files.delete(rec.srcFilename);
          if (rec.filename.startsWith(prefix)) files.set(rec.filename, `${rec.timestamp} c ${rec.filename}`);
          break;
        default:
          break;
      }
    }
  } finally {
    await reader.close();
  }
  return [...files.values()];
}

export async function fetchOnePathBinlog(rt: StorageRuntime, ctx: StorageCtx): Promise<void> {
  const cmd = StorageCmd.FetchOnePathBinlog;
  const req = decodeFetchOnePathBinlogRequest(await readSmallBody(rt, ctx));
  checkGroup(rt, req.group, cmd);
  if (req.storePathIndex >= rt.paths.count) {
    throw new StatusError(Errno.EINVAL, `store path index ${req.storePathIndex} ≥ store_path_count ${rt.paths.count}`, cmd);
  }
  const lines = await foldPathBinlog(rt, req.storePathIndex);
  await ctx.replyPacket(encodeFetchOnePathBinlogResponseHeader());
  let bytes = 0;
  for (let i = 0; i < lines.length; i += 512) {
    const chunk = Buffer.from(lines.slice(i, i + 512).map((l) => `${l}\n`).join(''));
    bytes += chunk.length;
    await ctx.conn.write(chunk);
  }
  await ctx.conn.write(encodeFetchBinlogTrailer(bytes));
  // "Read until close": end our side; the peer closes the rest.
  ctx.conn.close();
  ctx.log.info({ storePathIndex: req.storePathIndex, files: lines.length, bytes }, 'sent a store path binlog for disk recovery');
}
