// Server side: the one way to read a request head described by a CommandDescriptor — pkg_len against the
// fixed size, the fixed part, the variable name when there is one — and decode it (EINVAL on anything off).
import { Errno, StatusError } from '../errors.js';
import type { CommandDescriptor } from '../protocol/command.js';
import type { Header } from '../protocol/header.js';
import type { FrameSocket } from './frame-socket.js';

/** The part of a RequestContext this needs. */
export interface HeadSource {
  header: Header;
  conn: FrameSocket;
}

/**
 * Read and decode the head of `d` from the current request. Streamed commands leave the content unread
 * (`ctx.conn.bodyRemaining`); other commands read the whole body, which must not exceed `maxBody`
 * (default: the descriptor's `maxBody`, else no limit beyond the frame decoder's).
 */
export async function readRequestHead<H>(ctx: HeadSource, d: CommandDescriptor<never, H>, maxBody = d.maxBody): Promise<H> {
  const pkgLen = ctx.header.pkgLen;
  const cmd = ctx.header.cmd;
  if (pkgLen < d.headSize) throw new StatusError(Errno.EINVAL, `pkg_len ${pkgLen} < ${d.headSize}`, cmd);
  if (!d.streamed) {
    if (maxBody !== undefined && pkgLen > maxBody) {
      throw new StatusError(Errno.EINVAL, `pkg_len ${pkgLen} exceeds ${maxBody}`, cmd);
    }
    return d.decode(await ctx.conn.readExact(pkgLen), pkgLen, ctx.header.status);
  }
  const fixed = await ctx.conn.readExact(d.headSize);
  const field = d.nameLen;
  if (!field) return d.decode(fixed, pkgLen, ctx.header.status);
  // The i64 as two halves: a name length never needs the high one (no BigInt on the hot path).
  const high = fixed.readInt32BE(field.at);
  const n = fixed.readUInt32BE(field.at + 4);
  if (high !== 0 || n < field.min || n > field.max || pkgLen < d.headSize + n) {
    const shown = high === 0 ? n : fixed.readBigInt64BE(field.at);
    throw new StatusError(Errno.EINVAL, `${d.name}: name length ${shown} out of range ${field.min}..${field.max}`, cmd);
  }
  return d.decode(await ctx.conn.readExtend(fixed, n), pkgLen, ctx.header.status);
}
