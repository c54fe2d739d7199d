// The HTTP gateway's check of a copy it is about to serve (the protocol's download does the same inline):
// small copies in full from the bytes already read, large ones unless this very version (inode, size, mtime,
// ctime) was checked before.
import zlib from 'node:zlib';
import type { StorageRuntime } from '../runtime.js';
import { expectedContent, isUncheckable, looksAsWritten, type CopyStamp } from './content-check.js';

/** Copies up to this size are checked on every read (the gateway holds them in memory anyway). */
const SMALL = 256 << 10;
const CHUNK = 1 << 20;

/** What the gateway has opened: its size, times and positioned reads. */
export interface OpenedCopy {
  size: number;
  mtimeMs: number;
  ino?: number;
  ctimeMs?: number;
  read(position: number, length: number): Promise<Buffer>;
}

/** ok: serve it. repaired: open it again. damaged: no good copy here now (a repair may be under way). */
export type CopyVerdict = 'ok' | 'repaired' | 'damaged';

export async function checkOpenedCopy(rt: StorageRuntime, logical: string, absPath: string, file: OpenedCopy): Promise<CopyVerdict> {
  const expected = expectedContent(logical);
  if (!expected) return 'ok';
  const stamp: CopyStamp = { ino: file.ino ?? 0, size: file.size, mtimeMs: file.mtimeMs, ctimeMs: file.ctimeMs };
  const { verified, repairer } = rt.content;
  if (file.size > SMALL && looksAsWritten(stamp, expected)) return 'ok';
  if (verified.size > 0 && verified.has(absPath, stamp)) return 'ok';
  let why = '';
  if (file.size !== expected.size) why = `size ${file.size}, its file ID says ${expected.size}`;
  else {
    let crc = 0;
    for (let at = 0; at < file.size; at += CHUNK) {
      const part = await file.read(at, Math.min(CHUNK, file.size - at));
      if (part.length === 0) break;
      crc = zlib.crc32(part, crc);
    }
    if (crc >>> 0 === expected.crc32) {
      if (file.size > SMALL) verified.add(absPath, stamp);
      return 'ok';
    }
    why = `CRC32 ${(crc >>> 0).toString(16)}, its file ID says ${expected.crc32.toString(16)}`;
  }
  if (isUncheckable(absPath)) {
    verified.add(absPath, stamp);
    return 'ok';
  }
  const repair = repairer.repair(logical, expected, why);
  if (expected.size > SMALL) return 'damaged';
  return (await repair) === 'repaired' ? 'repaired' : 'damaged';
}
