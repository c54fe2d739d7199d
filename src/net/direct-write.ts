// Small answers written straight to a plain TCP socket's handle, as net.Socket itself does underneath, without
// the Writable bookkeeping around it (write → writeOrBuffer → _write → onwrite and a nextTick per write): the
// inline answers (queries, small downloads and uploads) are one write each, many thousand a second.
// Only when nothing of the socket's own is queued, so the order of bytes on the wire stays the order of writes;
// libuv keeps its write requests in order, and a later end() waits for them.
import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';

interface WriteReq {
  handle: unknown;
  oncomplete: (this: WriteReq, status: number) => void;
  async: boolean;
  bytes: number;
  buffer: Buffer | null;
  socket?: Socket;
}

interface StreamWrapBinding {
  WriteWrap: new () => WriteReq;
  streamBaseState: Int32Array;
  kLastWriteWasAsync: number;
}

interface WriteHandle {
  writeBuffer(req: WriteReq, data: Buffer): number;
}

const binding: StreamWrapBinding | null = (() => {
  if (process.env.FDFS_SOCKET_STREAMS === '1') return null;
  try {
    const b = (process as unknown as { binding(name: string): Partial<StreamWrapBinding> }).binding('stream_wrap');
    return typeof b.WriteWrap === 'function' && b.streamBaseState instanceof Int32Array && typeof b.kLastWriteWasAsync === 'number'
      ? (b as StreamWrapBinding)
      : null;
  } catch {
    return null;
  }
})();

function onComplete(this: WriteReq, status: number): void {
  const socket = this.socket;
  this.buffer = null;
  this.socket = undefined;
  if (status < 0 && socket && !socket.destroyed) socket.destroy(new Error(`write failed (${status})`));
}

/** Whether the last handle write (ours or Node's) left bytes for libuv to send later. */
export function lastWriteWasAsync(): boolean {
  return binding !== null && binding.streamBaseState[binding.kLastWriteWasAsync] !== 0;
}

/** Write `data` to the socket's handle now; false (nothing done) when the socket's own write path must be used. */
export function writeDirect(socket: Socket, data: Buffer): boolean {
  if (binding === null || socket instanceof TLSSocket) return false;
  const s = socket as Socket & { _handle?: Partial<WriteHandle> | null; connecting: boolean };
  const handle = s._handle;
  if (!handle || typeof handle.writeBuffer !== 'function' || s.connecting || s.destroyed || s.writableEnded || s.writableLength !== 0) return false;
  const req = new binding.WriteWrap();
  req.handle = handle;
  req.oncomplete = onComplete;
  req.async = false;
  req.bytes = 0;
  req.buffer = null;
  const err = handle.writeBuffer(req, data);
  if (err !== 0) {
    socket.destroy(new Error(`write failed (${err})`));
    return true;
  }
  // Not all of it went out yet: the request holds the bytes until libuv is done with them.
  if (binding.streamBaseState[binding.kLastWriteWasAsync]) {
    req.buffer = data;
    req.socket = socket;
  }
  return true;
}
