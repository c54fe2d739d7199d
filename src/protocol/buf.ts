// Dull fixed-width field helpers: BufWriter allocates once; BufReader throws ProtocolError on short bodies.
import { ProtocolError } from '../errors.js';
import { encodeHeader } from './header.js';
import { CommonCmd, HEADER_SIZE } from './codes.js';

/** Writes a packet: reserve the header, append fields, `finish(cmd)` patches pkg_len last. */
export class BufWriter {
  private buf: Buffer;
  private pos: number;
  private readonly withHeader: boolean;

  constructor(bodySize: number, opts: { header?: boolean } = {}) {
    this.withHeader = opts.header ?? true;
    this.pos = this.withHeader ? HEADER_SIZE : 0;
    this.buf = Buffer.alloc(this.pos + bodySize);
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.alloc(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  u8(v: number): this {
    this.ensure(1);
    this.buf[this.pos++] = v & 0xff;
    return this;
  }

  i32(v: number): this {
    this.ensure(4);
    this.buf.writeInt32BE(v | 0, this.pos);
    this.pos += 4;
    return this;
  }

  u32(v: number): this {
    this.ensure(4);
    this.buf.writeUInt32BE(v >>> 0, this.pos);
    this.pos += 4;
    return this;
  }

  i64(v: number | bigint): this {
    this.ensure(8);
    this.buf.writeBigInt64BE(BigInt(v), this.pos);
    this.pos += 8;
    return this;
  }

  /** NUL-padded fixed-width string; longer input is cut to `width`. */
  fixed(s: string | Buffer, width: number): this {
    this.ensure(width);
    const src = typeof s === 'string' ? Buffer.from(s) : s;
    const n = Math.min(src.length, width);
    src.copy(this.buf, this.pos, 0, n);
    this.buf.fill(0, this.pos + n, this.pos + width);
    this.pos += width;
    return this;
  }

  /** Unterminated bytes (trailing names, text). */
  bytes(s: string | Buffer): this {
    const src = typeof s === 'string' ? Buffer.from(s) : s;
    this.ensure(src.length);
    src.copy(this.buf, this.pos);
    this.pos += src.length;
    return this;
  }

  get length(): number {
    return this.pos;
  }

  /** The packet with its header's pkg_len set to the body length. */
  finish(cmd: number = CommonCmd.Resp, status = 0): Buffer {
    if (!this.withHeader) throw new Error('BufWriter without header: use body()');
    encodeHeader(this.pos - HEADER_SIZE, cmd, status).copy(this.buf, 0);
    return this.buf.subarray(0, this.pos);
  }

  /** Body bytes only (for writers made with header: false). */
  body(): Buffer {
    return this.buf.subarray(this.withHeader ? HEADER_SIZE : 0, this.pos);
  }
}

/** Reads fixed-width fields from a body; every read is bounds-checked. */
export class BufReader {
  pos = 0;
  constructor(readonly buf: Buffer) {}

  private need(n: number): void {
    if (this.pos + n > this.buf.length) {
      throw new ProtocolError(`short body: want ${n} at ${this.pos} of ${this.buf.length}`);
    }
  }

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  u8(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }

  i8(): number {
    this.need(1);
    return this.buf.readInt8(this.pos++);
  }

  i32(): number {
    this.need(4);
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  u32(): number {
    this.need(4);
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  /** i64 as a safe number; throws if it is outside the safe-integer range. */
  i64(): number {
    const v = this.big64();
    if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) {
      throw new ProtocolError(`i64 ${v} outside safe range at ${this.pos - 8}`);
    }
    return Number(v);
  }

  big64(): bigint {
    this.need(8);
    const v = this.buf.readBigInt64BE(this.pos);
    this.pos += 8;
    return v;
  }

  /** Fixed-width string cut at the first NUL (stale bytes after it are ignored, §2.2). */
  fixed(width: number): string {
    this.need(width);
    const field = this.buf.subarray(this.pos, this.pos + width);
    this.pos += width;
    const nul = field.indexOf(0);
    return field.toString('utf8', 0, nul === -1 ? width : nul);
  }

  bytes(n: number): Buffer {
    this.need(n);
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }

  /** The rest of the body as text (trailing names carry no terminator). */
  rest(): string {
    const s = this.buf.toString('utf8', this.pos);
    this.pos = this.buf.length;
    return s;
  }

  restBytes(): Buffer {
    const b = this.buf.subarray(this.pos);
    this.pos = this.buf.length;
    return b;
  }
}

/** Cut a fixed-width field at its first NUL. */
export function cstr(field: Buffer): string {
  const nul = field.indexOf(0);
  return field.toString('utf8', 0, nul === -1 ? field.length : nul);
}
