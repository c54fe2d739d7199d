// What a storage offers its HTTP gateway (built in src/cli/serve, never imported from src/http): names resolved
// through StorePaths (so every name is checked again), source addresses of names, uploads via storeNewFile.
import { StatusError } from '../../errors.js';
import type { FileSource } from '../../protocol/file-id.js';
import { sourceAddress } from '../tracker-side/identity.js';
import { sourceIp, type StorageRuntime } from '../runtime.js';
import { storeNewFile } from './upload.js';
import { readCheckedSmall } from './download.js';
import { writeMetadata } from './metadata.js';
import { encodeMetadata } from '../../protocol/metadata.js';
import { ORIGINAL_NAME_KEY } from '../../protocol/list-files.js';
import { MetadataOp } from '../../protocol/storage-meta.js';
import { checkOpenedCopy, type CopyVerdict, type OpenedCopy } from '../repair/check-opened.js';
import { isTrunkName } from '../../protocol/trunk-slot.js';
import { checkedTrunkWindow, type TrunkWindow } from '../trunk/http-window.js';

/** An upload arriving by HTTP: the same fields as the gateway's UploadRequest. */
export interface HttpUpload {
  body: AsyncIterable<Buffer>;
  /** Extension without the dot ('' = none). */
  ext: string;
  /** Exact size when known, else null. */
  size: number | null;
  /** Upper bound for the free-space check. */
  sizeHint: number;
  /** Kept as metadata `filename` when given. */
  name?: string;
}

export interface StorageFileAccess {
  group: string;
  /** Absolute path of a valid logical name of this storage, null when the name is not one of its paths. */
  resolve(logical: string): string | null;
  /** A trunk name's checked slot (null: gone or reused; 'damaged': no good copy here now); undefined for every other name. */
  trunkSlot(logical: string): Promise<TrunkWindow | 'damaged' | null | undefined>;
  /** The address of the storage a name's source refers to ('' when unknown). */
  sourceHost(source: FileSource): string;
  /** True for this storage's own address. */
  isSelf(host: string): boolean;
  /** Store like 11 UPLOAD_FILE; resolves with the file ID. */
  upload(u: HttpUpload): Promise<string>;
  /** Check an opened copy against its name before it is served (repairing a damaged one from a peer). */
  checkCopy(logical: string, absPath: string, file: OpenedCopy): Promise<CopyVerdict>;
  /** A GET found no file under this valid name: the trackers are told and a peer's copy fetched (repair/missing-files.ts). */
  missing(logical: string): void;
  /** Extra /healthz fields. */
  health(): Record<string, unknown>;
  /** Count an HTTP GET like a DOWNLOAD_FILE (total, success and bytes in the stat block). */
  downloaded(ok: boolean, bytes: number): void;
  /**
   * A small whole file read and checked in one synchronous step, counted as a download; null when the full path
   * must handle it (not here, damaged, large, a link).
   */
  readSmall(logical: string): { data: Buffer; mtimeMs: number } | null;
}

export function storageFiles(rt: () => StorageRuntime, ownIp: () => string): StorageFileAccess {
  return {
    group: rt().group,
    resolve(logical) {
      try {
        return rt().paths.resolve(logical).absPath;
      } catch (err) {
        // e.g. a store path index beyond store_path_count: not a file of this storage
        if (err instanceof StatusError) return null;
        throw err;
      }
    },
    trunkSlot: async (logical) => (isTrunkName(logical) ? checkedTrunkWindow(rt(), logical) : undefined),
    sourceHost: (source) => sourceAddress(rt(), source),
    isSelf: (host) => host === ownIp(),
    async upload(u) {
      const r = rt();
      r.stats.begin('Upload');
      const { logical } = await storeNewFile(r, {
        ip: sourceIp(r), ext: u.ext, storePathIndex: -1, appender: false, size: u.size, sizeHint: u.sizeHint, body: u.body,
        log: r.log,
      });
      if (u.name) await writeMetadata(r, logical, MetadataOp.Merge, encodeMetadata({ [ORIGINAL_NAME_KEY]: u.name }));
      return `${r.group}/${logical}`;
    },
    checkCopy: (logical, absPath, file) => checkOpenedCopy(rt(), logical, absPath, file),
    readSmall: (logical) => readCheckedSmall(rt(), logical, 0, 0),
    missing: (logical) => rt().content.missing?.noted(logical),
    // pid: which process answered (with worker processes, any of them serves the gateway).
    health: () => ({ ip: ownIp(), pid: process.pid }),
    downloaded(ok, bytes) {
      const { stats } = rt();
      stats.begin('Download');
      stats.bytes('Download', bytes, ok ? bytes : 0);
      if (ok) stats.success('Download');
    },
  };
}
