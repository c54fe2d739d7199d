// Appender and slave file operations of the client (spec §5.2–§5.4, §6.7): append, modify, truncate,
// regenerate, slave upload and slave names, links (20). Each goes to the file's source storage, found with 103.
import type { Connection } from '../net/connection.js';
import { StorageCmd } from '../protocol/codes.js';
import { slaveFileName, isValidExt, peekFileName } from '../protocol/file-id.js';
import { splitUserFileId as splitFileId } from './file-id-check.js';
import {
  decodeUploadResponse, encodeAppendHead, encodeCreateLinkRequest, encodeModifyHead, encodeRegenerateRequest, encodeSlaveUploadHead,
  encodeTruncateRequest,
} from '../protocol/storage-file.js';
import type { FetchTarget, StorageAddr } from '../protocol/tracker-query.js';
import { Errno, StatusError, UsageError } from '../errors.js';
import { prepareSource, type UploadSource } from './sources.js';
import { streamRequest } from '../net/exchange.js';

/** What these operations need from FdfsClient. */
export interface ClientCore {
  queryUpdate(fileId: string): Promise<FetchTarget>;
  withStorage<T>(addr: StorageAddr, fn: (c: Connection) => Promise<T>): Promise<T>;
  info(fileId: string, opts?: { calcCrc32?: boolean }): Promise<{ size: number }>;
}

export interface ContentOptions {
  /** Content length; required for streams unless they may be spooled to a temp file. */
  size?: number;
  /** Report bytes sent so far. */
  onProgress?: (sent: number, total: number) => void;
}

export interface SlaveUploadOptions extends ContentOptions {
  /** Slave extension without the dot; default: the source file's, else the master's (§6.7). */
  ext?: string;
  metadata?: import('../protocol/metadata.js').MetadataInput;
}

/** The group and logical name of an appender file, and the storage that holds its source copy. */
async function locate(core: ClientCore, fileId: string): Promise<{ group: string; logical: string; target: FetchTarget }> {
  const { group, logical } = splitFileId(fileId);
  return { group, logical, target: await core.queryUpdate(fileId) };
}

/** The file's name says it is not an appender file (a storage would answer a bare EINVAL). */
function refuseNonAppender(fileId: string, logical: string): void {
  let kind: string | undefined;
  try {
    kind = peekFileName(logical)?.kind;
  } catch {
    return; // an undecodable name: the storage judges it
  }
  if (kind && kind !== 'appender') {
    throw new StatusError(Errno.EINVAL, `${fileId} is not an appender file; only appender files can be appended to, modified, `
      + 'truncated or regenerated (upload with --appender, or uploadAppender(), to make one)');
  }
}

/** 24: append the content to an appender file. */
export async function appendFile(core: ClientCore, fileId: string, source: UploadSource, opts: ContentOptions = {}): Promise<void> {
  const { logical, target } = await locate(core, fileId);
  refuseNonAppender(fileId, logical);
  const src = await prepareSource(source, opts.size);
  try {
    const head = encodeAppendHead({ filename: logical, fileSize: src.size });
    await core.withStorage(target, (c) => streamRequest(c, head, src.open(), src.size, { cmd: StorageCmd.AppendFile, onProgress: opts.onProgress }));
  } finally {
    await src.cleanup();
  }
}

/** 34: overwrite the appender file from `offset` (0 ≤ offset ≤ size, else EINVAL); may extend it. */
export async function modifyFile(core: ClientCore, fileId: string, offset: number, source: UploadSource, opts: ContentOptions = {}): Promise<void> {
  if (!Number.isSafeInteger(offset) || offset < 0) throw new UsageError(`bad offset ${offset}`);
  const { logical, target } = await locate(core, fileId);
  refuseNonAppender(fileId, logical);
  const src = await prepareSource(source, opts.size);
  try {
    const head = encodeModifyHead({ filename: logical, fileOffset: offset, fileSize: src.size });
    await core.withStorage(target, (c) => streamRequest(c, head, src.open(), src.size, { cmd: StorageCmd.ModifyFile, onProgress: opts.onProgress }))
      .catch(async (err) => { throw await offsetProblem(core, fileId, offset, err); });
  } finally {
    await src.cleanup();
  }
}

/** 36: set the appender file's size (shrinks, or extends with zero bytes). */
export async function truncateFile(core: ClientCore, fileId: string, size: number): Promise<void> {
  if (!Number.isSafeInteger(size) || size < 0) throw new UsageError(`bad size ${size}`);
  const { logical, target } = await locate(core, fileId);
  refuseNonAppender(fileId, logical);
  const pkt = encodeTruncateRequest({ filename: logical, truncatedFileSize: size });
  await core.withStorage(target, (c) => c.call(pkt, { cmd: StorageCmd.TruncateFile }));
}

/**
 * A storage's EINVAL to a request at `offset`: when the offset is past the end of the file, say so with its
 * size (the wire carries only the errno). Any other error, or an offset that fits, is returned as it was.
 */
export async function offsetProblem(core: ClientCore, fileId: string, offset: number, err: unknown, length = 0): Promise<unknown> {
  if (!(err instanceof StatusError) || err.errno !== Errno.EINVAL) return err;
  const size = await core.info(fileId, { calcCrc32: false }).then((i) => i.size, () => null);
  if (size === null) return err;
  if (offset > size) return new StatusError(Errno.EINVAL, `offset ${offset} is past the end of the file (size ${size})`, err.cmd);
  if (length > 0 && offset + length > size) {
    return new StatusError(Errno.EINVAL, `bytes ${offset}–${offset + length - 1} go past the end of the file (size ${size})`, err.cmd);
  }
  return err;
}

/** 38: turn an appender file into a normal file; resolves to its new file ID. */
export async function regenerateAppenderFilename(core: ClientCore, fileId: string): Promise<string> {
  const { logical, target } = await locate(core, fileId);
  refuseNonAppender(fileId, logical);
  const body = await core.withStorage(target, (c) =>
    c.call(encodeRegenerateRequest(logical), { cmd: StorageCmd.RegenerateAppenderFilename, maxBody: 256 }));
  const res = decodeUploadResponse(body);
  return `${res.group}/${res.logical}`;
}

/** §6.7 without a server: the ID a slave of `masterId` gets for `prefix` and `ext` (undefined = master's). */
export function slaveFileId(masterId: string, prefix: string, ext?: string): string {
  const { group, logical } = splitFileId(masterId);
  return `${group}/${slaveFileName(logical, prefix, ext)}`;
}

/** The master's extension (§6.7: after the first '.' in the last 7 characters), without the dot. */
function masterExt(logical: string): string {
  const tail = logical.slice(-7);
  const dot = tail.indexOf('.');
  return dot === -1 ? '' : tail.slice(dot + 1);
}

/** 21: store `source` as the slave `prefix` of the master, on the master's storage. */
export async function uploadSlave(core: ClientCore, masterId: string, prefix: string, source: UploadSource,
  opts: SlaveUploadOptions = {}): Promise<{ fileId: string; target: FetchTarget }> {
  const { logical, target } = await locate(core, masterId);
  const src = await prepareSource(source, opts.size);
  try {
    const ext = opts.ext ?? src.extFromName ?? masterExt(logical);
    if (!isValidExt(ext)) throw new UsageError(`bad file extension "${ext}" (up to 6 of A-Z a-z 0-9 . _ -)`);
    const head = encodeSlaveUploadHead({ masterFilename: logical, fileSize: src.size, prefix, ext });
    const body = await core.withStorage(target, (c) => streamRequest(c, head, src.open(), src.size, { cmd: StorageCmd.UploadSlaveFile, maxBody: 256, onProgress: opts.onProgress }));
    const res = decodeUploadResponse(body);
    return { fileId: `${res.group}/${res.logical}`, target };
  } finally {
    await src.cleanup();
  }
}

export interface CreateLinkOptions {
  /** Make the link the slave `prefix` of this master (same storage and store path as the source). */
  masterId?: string;
  prefix?: string;
  /** Extension of the link's name, without the dot ('' = none); default: the master's (slave), else the source's. */
  ext?: string;
  /** The source's signature (stock dedup passes a hash; stored nowhere here). */
  signature?: Buffer;
}

/** 20: a new file ID that is a link to `srcId`, on the storage that holds the source. */
export async function createLink(core: ClientCore, srcId: string, opts: CreateLinkOptions = {}): Promise<string> {
  const { group, logical, target } = await locate(core, srcId);
  let masterFilename = '';
  if (opts.masterId) {
    const master = splitFileId(opts.masterId);
    if (master.group !== group) throw new UsageError(`master ${opts.masterId} is not in the source's group ${group}`);
    if (!opts.prefix) throw new UsageError('a link named after a master needs a prefix');
    masterFilename = master.logical;
  }
  const ext = opts.ext ?? masterExt(masterFilename || logical);
  if (!isValidExt(ext)) throw new UsageError(`bad file extension "${ext}" (up to 6 of A-Z a-z 0-9 . _ -)`);
  const pkt = encodeCreateLinkRequest({
    masterFilename, srcFilename: logical, srcFileSig: opts.signature ?? Buffer.alloc(0), group, prefix: opts.prefix ?? '', ext,
  });
  const body = await core.withStorage(target, (c) => c.call(pkt, { cmd: StorageCmd.CreateLink, maxBody: 256 }));
  const res = decodeUploadResponse(body);
  return `${res.group}/${res.logical}`;
}
