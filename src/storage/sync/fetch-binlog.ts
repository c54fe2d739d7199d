// 26 FETCH_ONE_PATH_BINLOG (spec §9.8): for a peer rebuilding a lost disk, one line per file of one store path
// — `ts c name` for files (metadata sidecars included), `ts l link target` for links, ts = the file's mtime —
// streamed with pkg_len 2^58 ("until close"), then an 8-byte count of the text bytes. Stock folds its binlog
// into that list, which needs every name in memory; the same list is read here from the store path itself,
// one directory at a time, so memory stays flat however many files it holds.
import { opendir, lstat } from 'node:fs/promises';
import path from 'node:path';
import { Errno, StatusError } from '../../errors.js';
import { StorageCmd } from '../../protocol/codes.js';
import {
  encodeFetchBinlogTrailer, encodeFetchOnePathBinlogResponseHeader, SyncCommands,
} from '../../protocol/sync.js';
import { linkTarget } from '../handlers/links.js';
import { checkGroup, readRequest, type StorageCtx, type StorageRuntime } from '../runtime.js';
import { hex2 } from '../store/store-paths.js';

const HEX2_RE = /^[0-9A-F]{2}$/;

async function* names(dir: string, dirs: boolean): AsyncGenerator<string> {
  let d;
  try {
    d = await opendir(dir);
  } catch {
    return;
  }
  for await (const e of d) if (e.isDirectory() === dirs) yield e.name;
}

/** The lines for the files of store path `index`, as they are on disk now (temp files left out). */
export async function* storePathLines(rt: StorageRuntime, index: number): AsyncGenerator<string> {
  const data = rt.paths.dataDirs[index]!;
  for await (const high of names(data, true)) {
    if (!HEX2_RE.test(high)) continue;
    for await (const low of names(path.join(data, high), true)) {
      if (!HEX2_RE.test(low)) continue;
      for await (const file of names(path.join(data, high, low), false)) {
        if (file.startsWith('.')) continue;
        const logical = `M${hex2(index)}/${high}/${low}/${file}`;
        let abs: string;
        try {
          abs = rt.paths.resolve(logical).absPath;
        } catch {
          continue; // not a name this storage could have made
        }
        const st = await lstat(abs).catch(() => null);
        if (!st) continue;
        const ts = Math.floor(st.mtimeMs / 1000);
        if (st.isFile()) {
          yield `${ts} c ${logical}`;
        } else if (st.isSymbolicLink()) {
          const target = await linkTarget(rt, abs).catch(() => null);
          if (target) yield `${ts} l ${logical} ${target}`;
        }
      }
    }
  }
}

export async function fetchOnePathBinlog(rt: StorageRuntime, ctx: StorageCtx): Promise<void> {
  const cmd = StorageCmd.FetchOnePathBinlog;
  const req = await readRequest(rt, ctx, SyncCommands.FetchOnePathBinlog);
  checkGroup(rt, req.group, cmd);
  if (req.storePathIndex >= rt.paths.count) {
    throw new StatusError(Errno.EINVAL, `store path index ${req.storePathIndex} ≥ store_path_count ${rt.paths.count}`, cmd);
  }
  await ctx.replyPacket(encodeFetchOnePathBinlogResponseHeader());
  let bytes = 0;
  let files = 0;
  let batch: string[] = [];
  const flush = async () => {
    const chunk = Buffer.from(batch.join(''));
    batch = [];
    bytes += chunk.length;
    await ctx.conn.write(chunk);
  };
  for await (const line of storePathLines(rt, req.storePathIndex)) {
    batch.push(`${line}\n`);
    files++;
    if (batch.length >= 512) await flush();
  }
  if (batch.length) await flush();
  await ctx.conn.write(encodeFetchBinlogTrailer(bytes));
  // "Read until close": end our side; the peer closes the rest.
  ctx.conn.close();
  ctx.log.info({ storePathIndex: req.storePathIndex, files, bytes }, 'sent a store path file list for disk recovery');
}
