// Re-arms TCP_QUICKACK after each read, as stock FastDFS does: a C client that writes a request in
// two parts (head, then body) on a reused connection otherwise waits ~40 ms for our delayed ACK.
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';

const IPPROTO_TCP = 6;
const TCP_QUICKACK = 12;

type SetSockOpt = (socket: Socket, level: number, name: number, value: number) => void;

let setsockopt: SetSockOpt | null | undefined;

function load(): SetSockOpt | null {
  if (setsockopt !== undefined) return setsockopt;
  setsockopt = null;
  if (process.platform !== 'linux') return null;
  try {
    // Native addon: absent in builds that cannot load addons (then the stall is merely not avoided).
    setsockopt = (createRequire(import.meta.url)('sockopt') as { setsockopt: SetSockOpt }).setsockopt;
  } catch {
    setsockopt = null;
  }
  return setsockopt;
}

/** True when quick ACKs can be requested on this platform/build. */
export function quickAckAvailable(): boolean {
  return load() !== null;
}

/** Ask the kernel to ACK what was just read right away. */
export function quickAck(socket: Socket): void {
  const fn = load();
  if (!fn) return;
  try {
    fn(socket, IPPROTO_TCP, TCP_QUICKACK, 1);
  } catch {
    // The socket closed between the read and this call.
  }
}
