// Resumable frame decoder: feed any chunking of the byte stream; it reports each header and
// slices of exactly pkg_len body bytes, never across a frame boundary. Holds at most 10 bytes.
import { HEADER_SIZE } from './codes.js';
import { decodeHeader, type Header } from './header.js';
import { ProtocolError } from '../errors.js';

export interface FrameSink {
  header(h: Header): void;
  /** A slice of the current frame's body (never empty). */
  body(chunk: Buffer): void;
  /** The current frame's body is complete. */
  end(): void;
}

export interface FrameDecoderOptions {
  /** Largest pkg_len accepted for a command; a bigger header is a ProtocolError. */
  maxPkgLen?: (cmd: number) => number;
}

export class FrameDecoder {
  private readonly hdr = Buffer.alloc(HEADER_SIZE);
  private hdrFill = 0;
  /** Body bytes still to come for the current frame; -1 while reading a header. */
  private remaining = -1;

  constructor(private readonly sink: FrameSink, private readonly opts: FrameDecoderOptions = {}) {}

  /** True between frames (no partial header or body pending). */
  get idle(): boolean {
    return this.remaining < 0 && this.hdrFill === 0;
  }

  get bodyRemaining(): number {
    return Math.max(this.remaining, 0);
  }

  write(chunk: Buffer): void {
    let off = 0;
    while (off < chunk.length) {
      if (this.remaining < 0) {
        const n = Math.min(HEADER_SIZE - this.hdrFill, chunk.length - off);
        chunk.copy(this.hdr, this.hdrFill, off, off + n);
        this.hdrFill += n;
        off += n;
        if (this.hdrFill < HEADER_SIZE) return;
        this.hdrFill = 0;
        const h = decodeHeader(this.hdr);
        const max = this.opts.maxPkgLen?.(h.cmd);
        if (max !== undefined && h.pkgLen > max) {
          throw new ProtocolError(`pkg_len ${h.pkgLen} exceeds limit ${max} for cmd ${h.cmd}`);
        }
        this.remaining = h.pkgLen;
        this.sink.header(h);
        if (this.remaining === 0) this.finishFrame();
      } else {
        const n = Math.min(this.remaining, chunk.length - off);
        this.sink.body(chunk.subarray(off, off + n));
        off += n;
        this.remaining -= n;
        if (this.remaining === 0) this.finishFrame();
      }
    }
  }

  private finishFrame(): void {
    this.remaining = -1;
    this.sink.end();
  }
}

export interface DecodedFrame {
  header: Header;
  body: Buffer;
}

/** Decode a complete byte string into frames (tests and small captures). */
export function decodeAll(bytes: Buffer, chunkSizes?: number[]): DecodedFrame[] {
  const frames: DecodedFrame[] = [];
  let cur: { header: Header; parts: Buffer[] } | null = null;
  const dec = new FrameDecoder({
    header: (h) => { cur = { header: h, parts: [] }; },
    body: (b) => { cur!.parts.push(Buffer.from(b)); },
    end: () => { frames.push({ header: cur!.header, body: Buffer.concat(cur!.parts) }); cur = null; },
  });
  if (!chunkSizes) {
    dec.write(bytes);
  } else {
    let off = 0;
    for (const n of chunkSizes) {
      dec.write(bytes.subarray(off, off + n));
      off += n;
    }
    if (off < bytes.length) dec.write(bytes.subarray(off));
  }
  if (!dec.idle) throw new ProtocolError('truncated frame');
  return frames;
}
