// Large read buffers reused once the socket has sent them (FrameSocket.writeReleasing): no allocation, page
// faults and garbage per chunk of a large transfer.
export class BufferPool {
  private readonly spare: Buffer[] = [];

  constructor(readonly size: number, private readonly maxSpare: number) {}

  take(): Buffer {
    return this.spare.pop() ?? Buffer.allocUnsafeSlow(this.size);
  }

  give(buf: Buffer): void {
    if (this.spare.length < this.maxSpare) this.spare.push(buf);
  }
}
