// A FrameSocket over the accepted end of a loopback connection; the test writes on the other end.
import net from 'node:net';
import { FrameSocket } from '../../src/net/frame-socket.js';

const servers: net.Server[] = [];

export async function frameSocketPair(): Promise<{ fs: FrameSocket; client: net.Socket }> {
  let accepted!: (s: net.Socket) => void;
  const got = new Promise<net.Socket>((r) => { accepted = r; });
  const server = net.createServer((s) => accepted(s));
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const client = net.connect({ port: (server.address() as net.AddressInfo).port, host: '127.0.0.1', noDelay: true });
  const fs = new FrameSocket(await got);
  return { fs, client };
}

/** Close the listeners frameSocketPair opened (afterEach). */
export function closePairs(): void {
  for (const s of servers.splice(0)) s.close();
}
