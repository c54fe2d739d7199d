// The optional C fast path (native/; its calls in native/fastpath.c): loaded from native/build/Release when built there, from the
// single executable's assets inside it (written once to the temp folder: dlopen needs a file), else absent —
// every caller keeps its JavaScript path for that case. FDFS_NATIVE=0 turns it off.
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { existsSync, lstatSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface FastPath {
  /**
   * The logical name of a small file stored under `dir`, or a negative errno with nothing left behind. params:
   * source word, timestamp, store path index, sub high, sub low, fsync (0/1), name attempts.
   */
  storeSmall(content: Buffer, dir: string, ext: string, params: Int32Array): string | number;
  /**
   * `content` stored as `dir/leaf` (a replica: its name is given), mtime `mtime`, without replacing: 0, or a
   * negative errno with nothing left behind (-EEXIST: the name is taken; -ENOENT: `dir` is missing).
   */
  storeNamed(content: Buffer, dir: string, leaf: string, mtime: number, fsync: number): number;
  /**
   * The name of `content` written with its slot header into the open trunk file `fd`, or a negative errno.
   * params: source word, timestamp, store path index, sub high, sub low, trunk id, slot offset, slot size.
   */
  storeTrunkSlot(content: Buffer, fd: number, ext: string, params: Int32Array): string | number;
  /**
   * Trunk binlog records (7 numbers each in `ops`: op character code, path, high, low, trunk id, offset, size;
   * at most 16) appended to `fd` in one write: bytes written, or a negative errno.
   */
  writeJournal(fd: number, timestamp: number, ops: Int32Array, count: number): number;
  /**
   * A whole stored file of at most `maxSize` bytes read and checked against the size and CRC its name carries:
   * a buffer with `headroom` spare bytes in front (stamp: inode, size, mtimeMs, ctimeMs), or a negative errno
   * (-EIO: size or CRC differ, -EFBIG: larger than maxSize, -EINVAL: not a regular file).
   */
  readSmallChecked(path: string, expectedSize: number, expectedCrc: number, headroom: number, maxSize: number, stamp: Float64Array): Buffer | number;
  /**
   * A regular trunk slot's header and content (in that order) when the header is the one its name implies and
   * the content has its CRC; a negative errno otherwise. params: slot offset, slot size, file size, CRC, mtime.
   */
  readTrunkSlot(fd: number, x7: string, params: Int32Array): Buffer | number;
  /** A line (at most 4 KiB as UTF-8) in one write: bytes written, or a negative errno (-EIO: short; -EINVAL: too long). */
  appendLine(fd: number, line: string): number;
  /** Whether storeSmall tries an unnamed file (O_TMPFILE) first; on by default (tests try the named way). */
  useTmpfile(on: boolean): void;
  crc32(content: Buffer): number;
  /**
   * Once per process (main thread): the callbacks of the C query loop (native/query_loop.c; see
   * src/net/native-queries.ts) and the buffer it copies each request body into. 0, or a negative errno.
   */
  queryLoopInit(
    answer: (id: number, cmd: number, bodyLength: number) => Buffer | null,
    closed: (id: number) => void,
    handBack: (id: number, fd: number, unsent: Buffer, unanswered: Buffer) => void,
    body: Buffer,
  ): number;
  /**
   * Serve a copy (dup) of the connection `fd` in the C loop, answering requests of up to `requestMax` bytes
   * (header included; at most the body buffer's size + 10; 512 when left out): its id, or a negative errno.
   */
  queryLoopAdopt(fd: number, requestMax?: number): number;
  /** End a connection of the C loop (no `closed` callback): 0, or -ENOENT. */
  queryLoopClose(id: number): number;
}

/** Name of the addon file, and of the single executable's asset holding it. */
export const ADDON_FILE = 'fdfs_fastpath.node';

let loaded: FastPath | null | undefined;
/** Why the addon is not in use ('' when it is). */
export let fastPathMissing = '';

export function fastPath(): FastPath | null {
  if (loaded === undefined) loaded = load();
  return loaded;
}

/** For the start-up log: 'on', or 'off: why'. */
export function fastPathState(): string {
  return fastPath() ? 'on' : `off: ${fastPathMissing}`;
}

function load(): FastPath | null {
  if (process.env.FDFS_NATIVE === '0') {
    fastPathMissing = 'turned off by FDFS_NATIVE=0';
    return null;
  }
  try {
    const file = fromExecutable() ?? built();
    const mod = { exports: {} as FastPath };
    process.dlopen(mod, file);
    return mod.exports;
  } catch (err) {
    fastPathMissing = (err as Error).message.split('\n')[0]!;
    return null;
  }
}

/** native/build/Release of the checkout this module runs from (dist/src/native, or src/native under tests). */
function built(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let up = 0; up < 4; up++, dir = path.dirname(dir)) {
    const file = path.join(dir, 'native', 'build', 'Release', ADDON_FILE);
    if (existsSync(file)) return file;
  }
  throw new Error('native/build/Release has no addon: `npm run build` compiles it');
}

/** Inside the single executable: the embedded addon's path in the temp folder (named by its hash). */
function fromExecutable(): string | null {
  let sea: typeof import('node:sea');
  try {
    sea = createRequire(import.meta.url)('node:sea');
  } catch {
    return null;
  }
  if (!sea.isSea()) return null;
  const bytes = Buffer.from(sea.getAsset(ADDON_FILE));
  const hash = createHash('sha256').update(bytes).digest('hex').slice(0, 16);
  const file = path.join(privateDir(), `fdfs-fastpath-${hash}.node`);
  if (!existsSync(file)) {
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, bytes, { mode: 0o755 });
    renameSync(tmp, file);
  }
  return file;
}

/** A folder of the temp folder only this user can write to: nobody else may plant the library we load. */
function privateDir(): string {
  const uid = process.getuid?.() ?? 0;
  const dir = path.join(os.tmpdir(), `fdfs-native-${uid}`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = lstatSync(dir);
  if (!st.isDirectory() || st.uid !== uid || (st.mode & 0o022) !== 0) throw new Error(`${dir} is not a private folder`);
  return dir;
}

