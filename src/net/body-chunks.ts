// A request body that can be read two ways: as chunks (for await), each one ours to keep, or pushed to a
// synchronous sink straight from the socket's read buffer (pump), which keeps no buffer: a consumer that
// writes each chunk to a file at once then costs no allocation, no garbage and no thread-pool hop per read.

/** Takes one chunk, valid only during the call; false: hand over no more (the rest is read as chunks). */
export type BodySink = (chunk: Buffer) => boolean;

export interface PumpableBody extends AsyncIterable<Buffer> {
  /** Push body bytes to `sink` as they arrive until the body is done or the sink says stop; resolves with the count. */
  pump(sink: BodySink): Promise<number>;
}

export function isPumpable(body: AsyncIterable<Buffer>): body is PumpableBody {
  return typeof (body as Partial<PumpableBody>).pump === 'function';
}

interface BodySource {
  chunks(n: number): AsyncGenerator<Buffer>;
  pumpBody(n: number, sink: BodySink): Promise<number>;
}

/** The next `n` bytes of the current body of `source`. */
export class BodyChunks implements PumpableBody {
  constructor(private readonly source: BodySource, private left: number) {}

  async pump(sink: BodySink): Promise<number> {
    const n = await this.source.pumpBody(this.left, sink);
    this.left -= n;
    return n;
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Buffer> {
    for await (const c of this.source.chunks(this.left)) {
      this.left -= c.length;
      yield c;
    }
  }
}
