// Reading one storage's file list (120 LIST_FILES, an fdfs extension) over a connection of its own, one
// ListedFile at a time, checking the trailer so a cut stream is an error rather than a short list. Used by the
// client (fdfs ls, fdfs verify) and by a storage comparing itself with a peer (its scrub).
import { StringDecoder } from 'node:string_decoder';
import { Errno, ProtocolError, StatusError } from '../errors.js';
import { Connection, type ConnectOptions } from './connection.js';
import { FdfsStorageCmd } from '../protocol/codes.js';
import {
  decodeListedFile, encodeListFilesRequest, LIST_FILES_TRAILER, type ListedFile, type ListFilesRequest,
} from '../protocol/list-files.js';

export type ListOptions = Partial<Omit<ListFilesRequest, 'group'>>;

/** Stream the list of `group` from the storage at ip:port. */
export async function* listFilesFrom(addr: { ip: string; port: number }, group: string, o: ListOptions = {},
  timeouts: ConnectOptions = {}): AsyncGenerator<ListedFile> {
  const cmd = FdfsStorageCmd.ListFiles;
  const conn = await Connection.connect(addr.ip, addr.port, timeouts);
  try {
    try {
      await conn.open(encodeListFilesRequest({
        group, since: o.since ?? 0, limit: o.limit ?? 0, prefix: o.prefix ?? '', after: o.after ?? '',
      }), cmd);
    } catch (err) {
      // The request is checked before it is sent: EINVAL is a storage without the extension.
      if (err instanceof StatusError && err.errno === Errno.EINVAL) {
        throw new StatusError(Errno.EOPNOTSUPP, `storage ${addr.ip}:${addr.port} cannot list files (a stock FastDFS storage?)`, cmd);
      }
      throw err;
    }
    const decoder = new StringDecoder('utf8');
    let held = Buffer.alloc(0);
    let partial = '';
    let textBytes = 0;
    for await (const chunk of conn.body()) {
      const all = held.length ? Buffer.concat([held, chunk]) : chunk;
      const cut = all.length - LIST_FILES_TRAILER;
      if (cut <= 0) {
        held = Buffer.from(all);
        continue;
      }
      held = Buffer.from(all.subarray(cut));
      textBytes += cut;
      const lines = (partial + decoder.write(all.subarray(0, cut))).split('\n');
      partial = lines.pop()!;
      for (const line of lines) if (line) yield decodeListedFile(line);
    }
    if (held.length !== LIST_FILES_TRAILER || Number(held.readBigInt64BE(0)) !== textBytes || partial) {
      throw new ProtocolError(`the file list from ${addr.ip}:${addr.port} was cut short after ${textBytes} bytes`);
    }
  } finally {
    conn.destroy();
  }
}

