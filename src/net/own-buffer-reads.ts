// Reads of a plain TCP socket into a buffer we own, handed straight to a callback: net.Socket's documented
// `onread` mode, which Node offers only when it constructs the socket, switched on for one it already made (an
// accepted or connected socket). It skips Readable.push, the 'data' event and a nextTick per read, and the
// per-read allocation: a few microseconds on every request of the protocol ports, and less code to warm up.
// Null (the caller keeps 'data' events) for TLS, or where this Node lacks the pieces.
import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';

/** libuv's read size: a read never delivers more. */
const READ_SIZE = 64 * 1024;

export interface OwnBufferReads {
  /** The bytes last delivered stay the caller's: the next read goes to a new buffer. */
  keep(): void;
  /** A kept read buffer no longer used by anyone: a later read may go into it instead of a new one. */
  recycle(buffer: ArrayBufferLike): void;
}

/** Kept read buffers waiting to be read into again, per socket. */
const MAX_SPARE = 4;

interface ReadHandle {
  useUserBuffer(buf: Uint8Array): void;
}

type SocketSlots = Record<symbol, unknown>;

/** net.Socket's own symbols for the `onread` mode, found by description (they are not exported). */
function onreadSymbols(socket: Socket): { buffer: symbol; callback: symbol; generator: symbol } | null {
  const all = Object.getOwnPropertySymbols(socket);
  const find = (name: string) => all.find((s) => s.description === name);
  const buffer = find('kBuffer');
  const callback = find('kBufferCb');
  const generator = find('kBufferGen');
  if (!buffer || !callback || !generator) return null;
  const slots = socket as unknown as SocketSlots;
  if (slots[buffer] !== null || slots[callback] !== null || slots[generator] !== null) return null;
  return { buffer, callback, generator };
}

/**
 * Deliver every read of `socket` to `onChunk` (a view of our buffer, valid until the callback returns unless
 * `keep()` is called during it). Must be called before any data arrived: null if some did, or if unavailable.
 */
export function readIntoOwnBuffer(socket: Socket, onChunk: (chunk: Buffer) => void): OwnBufferReads | null {
  if (socket instanceof TLSSocket || process.env.FDFS_SOCKET_STREAMS === '1') return null;
  const handle = (socket as unknown as { _handle?: Partial<ReadHandle> | null })._handle;
  if (!handle || typeof handle.useUserBuffer !== 'function' || socket.readableLength > 0) return null;
  const sym = onreadSymbols(socket);
  if (!sym) return null;
  let buf = Buffer.allocUnsafe(READ_SIZE);
  let kept = false;
  const spare: ArrayBufferLike[] = [];
  const slots = socket as unknown as SocketSlots;
  slots[sym.buffer] = buf;
  slots[sym.callback] = (n: number) => {
    onChunk(buf.subarray(0, n));
  };
  slots[sym.generator] = () => {
    if (kept) {
      kept = false;
      const reuse = spare.pop();
      buf = reuse ? Buffer.from(reuse as ArrayBuffer, 0, READ_SIZE) : Buffer.allocUnsafe(READ_SIZE);
    }
    return buf;
  };
  handle.useUserBuffer(buf);
  return {
    keep: () => { kept = true; },
    recycle: (buffer) => {
      // Kept since the last read: the next read may go into it after all.
      if (buffer === buf.buffer) kept = false;
      else if (buffer.byteLength === READ_SIZE && spare.length < MAX_SPARE && !spare.includes(buffer)) spare.push(buffer);
    },
  };
}
