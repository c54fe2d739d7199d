// Connections served by the C query loop (native/query_loop.c) once JavaScript has answered a first request on
// them inline: C reads each whole request up to the connection's limit and asks its owner here for the answer;
// whatever the owner does not answer, a larger request, and a partial one that stalls (or any partial one under
// the tracker's 512-byte limit) comes back as a new net.Socket on the same descriptor. Off without the addon, in
// worker threads, and with FDFS_QUERY_LOOP=0.
import net from 'node:net';
import { isMainThread } from 'node:worker_threads';
import { TLSSocket } from 'node:tls';
import { fastPath, fastPathMissing, type FastPath } from '../native/fastpath.js';
import { HEADER_SIZE } from '../protocol/codes.js';

/** What owns a connection served in C: its answers, and its end either way. */
export interface DetachedOwner {
  /** The packet for a whole request, or null: the connection then comes back to JavaScript (handedBack). */
  answer(conn: DetachedConnection, cmd: number, body: Buffer): Buffer | null;
  /** The peer closed, sent QUIT, or the connection failed. */
  closed(conn: DetachedConnection): void;
  /** Back in JavaScript: `socket` on the same descriptor (answers not yet sent already written to it). */
  handedBack(conn: DetachedConnection, socket: net.Socket, unanswered: Buffer): void;
}

export class DetachedConnection {
  /** Since when (performance.now()) it waits for its next request: C answers each one at once. */
  idleSinceMs = performance.now();
  constructor(
    readonly id: number, readonly owner: DetachedOwner, readonly remoteAddress: string,
    /** The address the peer reached (a storage names files after it when it knows no other). */
    readonly localAddress: string,
  ) {}
}

/** The limit of a connection adopted without one (the tracker's queries). */
export const DEFAULT_REQUEST_MAX = 512;
/** The largest body C hands over (a small upload or replica: its head, at most 164 bytes, and 256 KiB). */
export const DETACHED_BODY_MAX = (256 << 10) + 256;
const requestBody = Buffer.alloc(DETACHED_BODY_MAX);
const EMPTY = Buffer.alloc(0);
const served = new Map<number, DetachedConnection>();
let loop: FastPath | null | undefined;

function answer(id: number, cmd: number, bodyLength: number): Buffer | null {
  const conn = served.get(id);
  if (conn === undefined) return null;
  return conn.owner.answer(conn, cmd, bodyLength === 0 ? EMPTY : requestBody.subarray(0, bodyLength));
}

function closed(id: number): void {
  const conn = served.get(id);
  if (conn === undefined) return;
  served.delete(id);
  conn.owner.closed(conn);
}

function handBack(id: number, fd: number, unsent: Buffer, unanswered: Buffer): void {
  const conn = served.get(id);
  served.delete(id);
  const socket = new net.Socket({ fd, readable: true, writable: true, allowHalfOpen: true });
  if (unsent.length > 0) socket.write(unsent);
  if (conn === undefined) socket.destroy();
  else conn.owner.handedBack(conn, socket, unanswered);
}

function queryLoop(): FastPath | null {
  if (loop !== undefined) return loop;
  const native = fastPath();
  loop = native !== null && isMainThread && process.env.FDFS_QUERY_LOOP !== '0' && typeof native.queryLoopInit === 'function' &&
    native.queryLoopInit(answer, closed, handBack, requestBody) === 0 ? native : null;
  return loop;
}

/** For the start-up log: 'on', or 'off: why'. */
export function queryLoopState(): string {
  if (queryLoop() !== null) return 'on';
  if (fastPath() === null) return `off: ${fastPathMissing}`;
  if (process.env.FDFS_QUERY_LOOP === '0') return 'off: turned off by FDFS_QUERY_LOOP=0';
  return isMainThread ? 'off: the addon refused it' : 'off: not the main thread';
}

/** Whether connections can be served in C in this process. */
export function queryLoopAvailable(): boolean {
  return queryLoop() !== null;
}

/**
 * Serve `socket`'s connection in C from now on: the caller then drops the socket without ending the
 * connection (destroy closes only its own descriptor). Null: not possible, the socket stays as it is.
 */
export function detachConnection(
  socket: net.Socket, owner: DetachedOwner, remoteAddress: string, localAddress: string, requestMax = DEFAULT_REQUEST_MAX,
): DetachedConnection | null {
  const native = queryLoop();
  if (native === null || socket instanceof TLSSocket) return null;
  const fd = (socket as unknown as { _handle?: { fd?: number } | null })._handle?.fd;
  if (typeof fd !== 'number' || fd < 0) return null;
  const id = native.queryLoopAdopt(fd, Math.min(requestMax, HEADER_SIZE + DETACHED_BODY_MAX));
  if (id < 0) return null;
  const conn = new DetachedConnection(id, owner, remoteAddress, localAddress);
  served.set(id, conn);
  return conn;
}

/** End a connection served in C (its owner's own doing: no `closed` callback). */
export function closeDetached(conn: DetachedConnection): void {
  if (served.get(conn.id) !== conn) return;
  served.delete(conn.id);
  loop?.queryLoopClose(conn.id);
}
