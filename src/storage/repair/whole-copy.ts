// The CRC-32 of a whole open copy, read in 1 MiB steps off the event loop: for a part of a copy (a ranged
// download) that is not yet known good, checked in full before any byte of it is served.
import { read } from 'node:fs';
import { promisify } from 'node:util';
import zlib from 'node:zlib';

const readAt = promisify(read);
const CHUNK = 1 << 20;

/** CRC-32 of the first `size` bytes of `fd` (a copy that ends early gives the CRC of what is there). */
export async function crcOfOpenFile(fd: number, size: number): Promise<number> {
  const buf = Buffer.allocUnsafe(Math.min(CHUNK, Math.max(size, 1)));
  let crc = 0;
  for (let at = 0; at < size;) {
    const { bytesRead } = await readAt(fd, buf, 0, Math.min(buf.length, size - at), at);
    if (bytesRead === 0) break;
    crc = zlib.crc32(buf.subarray(0, bytesRead), crc);
    at += bytesRead;
  }
  return crc >>> 0;
}
