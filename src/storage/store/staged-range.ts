// An append or modify (a client's, or a peer's replica of one) touches the file only once its whole body is
// here: a client cut short mid-body changes nothing, and no reader ever sees part of a body. A body up to
// holdUpTo (the storage's buff_size) is held in memory and written with one call; a larger one goes to a hidden
// temp file beside the target (swept after a crash like any upload's) and is copied in after, in fixed-size
// pieces: memory stays flat.
import { open, type FileHandle } from 'node:fs/promises';
import { Errno, StatusError } from '../../errors.js';
import { collectChunks, TempFile, unwrittenChunks, type WriteCounters } from './file-writer.js';

/** Piece size of the copy from a temp file into the target. */
const COPY_PIECE = 256 << 10;

/** A whole body received, ready to be written at any position of a file. */
export interface StagedRange {
  readonly bytes: number;
  /** Write the body at `pos` of `fh`; throws what the write threw (the file may then hold part of it). */
  writeAt(fh: FileHandle, pos: number): Promise<void>;
  /** Let go of what holds the body (the temp file); never throws. */
  discard(): Promise<void>;
}

class MemoryRange implements StagedRange {
  constructor(private readonly chunks: Buffer[], readonly bytes: number, private readonly counters: WriteCounters) {}

  async writeAt(fh: FileHandle, pos: number): Promise<void> {
    let done = 0;
    try {
      while (done < this.bytes) {
        const { bytesWritten } = await fh.writev(unwrittenChunks(this.chunks, done), pos + done);
        done += bytesWritten;
      }
    } catch (err) {
      this.counters.fileWrite?.(false);
      throw err;
    }
    this.counters.fileWrite?.(true);
  }

  async discard(): Promise<void> {}
}

class FileBackedRange implements StagedRange {
  constructor(private readonly temp: TempFile, private readonly counters: WriteCounters) {}

  get bytes(): number {
    return this.temp.bytes;
  }

  async writeAt(fh: FileHandle, pos: number): Promise<void> {
    const src = await open(this.temp.path, 'r');
    const piece = Buffer.allocUnsafe(Math.min(COPY_PIECE, this.bytes));
    try {
      for (let at = 0; at < this.bytes;) {
        const { bytesRead } = await src.read(piece, 0, Math.min(piece.length, this.bytes - at), at);
        if (bytesRead === 0) throw new StatusError(Errno.EIO, `staged body ended at ${at} of ${this.bytes} bytes`);
        for (let off = 0; off < bytesRead;) {
          try {
            off += (await fh.write(piece, off, bytesRead - off, pos + at + off)).bytesWritten;
          } catch (err) {
            this.counters.fileWrite?.(false);
            throw err;
          }
          this.counters.fileWrite?.(true);
        }
        at += bytesRead;
      }
    } finally {
      await src.close().catch(() => {});
    }
  }

  discard(): Promise<void> {
    return this.temp.discard();
  }
}

export interface StageOptions {
  /** Bodies up to this size are held in memory. */
  holdUpTo: number;
  counters?: WriteCounters;
}

/**
 * Receive exactly `size` bytes of `source` (EIO when it yields another count; the source's own error when
 * the peer goes away). `dir` is where a large body's temp file goes: the target's directory.
 */
export async function stageRange(dir: string, source: AsyncIterable<Buffer>, size: number, opts: StageOptions): Promise<StagedRange> {
  const counters = opts.counters ?? {};
  if (size <= opts.holdUpTo) return new MemoryRange(await collectChunks(source, size), size, counters);
  const temp = await TempFile.create(dir, { counters });
  try {
    await temp.writeAll(source, size);
    await temp.close();
  } catch (err) {
    await temp.discard();
    throw err;
  }
  return new FileBackedRange(temp, counters);
}

/** stageRange, then writeAt `pos` of `fh`: the file is touched only once the whole body is here. */
export async function writeWholeAt(fh: FileHandle, pos: number, dir: string, source: AsyncIterable<Buffer>, size: number, opts: StageOptions): Promise<void> {
  const body = await stageRange(dir, source, size, opts);
  try {
    await body.writeAt(fh, pos);
  } finally {
    await body.discard();
  }
}
