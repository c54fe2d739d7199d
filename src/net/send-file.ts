// Large answers sent from a file with sendfile(2) (native/send_file.c): the content goes from the page cache to
// the socket without passing through JavaScript buffers (stock reads it into its own buffers and writes them).
// Only on a plain TCP socket with nothing of its own still queued, so the header and content follow what was
// written before; the caller writes nothing while the transfer runs. FDFS_SENDFILE=0 turns it off.
import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import { fastPath } from '../native/fastpath.js';
import { ConnectionClosedError, TimeoutError } from '../errors.js';

/** Failures of the call itself, before any byte was sent: the caller streams the usual way instead. */
const NOT_STARTED = new Set([-22 /* EINVAL */, -16 /* EBUSY */, -12 /* ENOMEM */, -23 /* ENFILE */, -24 /* EMFILE */]);

interface HandleWithQueue {
  fd?: number;
  writeQueueSize?: number;
}

const enabled = process.env.FDFS_SENDFILE !== '0';

/**
 * Send `head` then `length` bytes of the open file `fd` from `offset` on `socket`. Null when this cannot be done
 * here (no addon, TLS, bytes still queued on the socket): nothing was sent. Otherwise it resolves once all is
 * out, or rejects (the connection is then broken: part of the answer may have left), also after `idleMs`
 * without progress: the socket's own timer sees none of these writes, so the caller disarms it meanwhile.
 */
export function sendFileOn(socket: Socket, head: Buffer, fd: number, offset: number, length: number, idleMs: number): Promise<void> | null {
  const native = enabled ? fastPath() : null;
  if (native === null || typeof native.sendFile !== 'function' || socket instanceof TLSSocket) return null;
  const handle = (socket as unknown as { _handle?: HandleWithQueue | null })._handle;
  if (!handle || typeof handle.fd !== 'number' || handle.fd < 0 || handle.writeQueueSize !== 0 ||
      socket.writableLength !== 0 || socket.writableCorked !== 0 || socket.destroyed) {
    return null;
  }
  let settle: ((status: number) => void) | null = null;
  const done = (status: number) => settle?.(status);
  const rc = native.sendFile(handle.fd, head, fd, offset, length, done, idleMs);
  if (rc === 0) return Promise.resolve();
  if (rc < 0) return NOT_STARTED.has(rc) ? null : Promise.reject(sendFailed(rc));
  return new Promise<void>((resolve, reject) => {
    settle = (status) => (status === 0 ? resolve() : reject(sendFailed(status)));
  });
}

function sendFailed(status: number): Error {
  if (status === -5) return new Error('the file shrank while being sent');
  if (status === -110) return new TimeoutError('sending a file');
  return new ConnectionClosedError(`while sending a file (errno ${-status})`);
}
