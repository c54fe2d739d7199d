// The 10-byte packet header: pkg_len i64, cmd u8, status u8 (§3.1).
import { HEADER_SIZE, CommonCmd } from './codes.js';
import { ProtocolError } from '../errors.js';

/** FETCH_ONE_PATH_BINLOG answers with this pkg_len: the body runs until the peer closes (§9.8). */
export const PKG_LEN_UNTIL_CLOSE = 1n << 58n;

export interface Header {
  /** Body length; Infinity for the read-until-close marker (2^58). */
  pkgLen: number;
  cmd: number;
  status: number;
}

export function encodeHeader(pkgLen: number | bigint, cmd: number, status = 0): Buffer {
  const b = Buffer.allocUnsafe(HEADER_SIZE);
  b.writeBigInt64BE(BigInt(pkgLen), 0);
  b[8] = cmd;
  b[9] = status;
  return b;
}

/**
 * A header written into the first 10 bytes of `packet` (a response built in one buffer): no BigInt, no buffer of
 * its own. `bodyLength` is a safe integer.
 */
export function writeHeaderInto(packet: Buffer, bodyLength: number, cmd: number = CommonCmd.Resp, status = 0): void {
  packet.writeUInt32BE(Math.floor(bodyLength / 0x100000000), 0);
  packet.writeUInt32BE(bodyLength >>> 0, 4);
  packet[8] = cmd;
  packet[9] = status;
}

export function decodeHeader(buf: Buffer, offset = 0): Header {
  if (buf.length - offset < HEADER_SIZE) throw new ProtocolError(`short header: want ${HEADER_SIZE} at ${offset}`);
  const len = buf.readBigInt64BE(offset);
  if (len < 0n) throw new ProtocolError(`negative pkg_len ${len}`);
  const cmd = buf[offset + 8]!;
  const status = buf[offset + 9]!;
  if (len === PKG_LEN_UNTIL_CLOSE) return { pkgLen: Number.POSITIVE_INFINITY, cmd, status };
  if (len > BigInt(Number.MAX_SAFE_INTEGER)) throw new ProtocolError(`pkg_len ${len} too large`);
  return { pkgLen: Number(len), cmd, status };
}

/** A header-only response with a status byte. */
export function encodeStatus(status: number, pkgLen = 0): Buffer {
  return encodeHeader(pkgLen, CommonCmd.Resp, status);
}
