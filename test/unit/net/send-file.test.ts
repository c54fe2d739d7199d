// Large answers sent from a file with sendfile (net/send-file.ts, native/send_file.c) over real TCP sockets: the
// bytes arrive whole and in order after what the socket wrote before; a reader that stops is cut off after the
// idle limit, a peer that leaves and a file that shrinks fail the transfer; where it cannot run, nothing is sent.
import { describe, it, expect, afterEach } from 'vitest';
import { mkdtempSync, openSync, closeSync, writeFileSync, ftruncateSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { sendFileOn } from '../../../src/net/send-file.js';
import { fastPath } from '../../../src/native/fastpath.js';
import { ConnectionClosedError, TimeoutError } from '../../../src/errors.js';

interface Pair { server: net.Socket; client: net.Socket; close(): void }

async function socketPair(): Promise<Pair> {
  const listener = net.createServer();
  await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
  const accepted = new Promise<net.Socket>((r) => listener.once('connection', r));
  const client = net.connect((listener.address() as net.AddressInfo).port, '127.0.0.1');
  const server = await accepted;
  server.on('error', () => {});
  client.on('error', () => {});
  return { server, client, close: () => { server.destroy(); client.destroy(); listener.close(); } };
}

/** No run of equal bytes and no period under 64 KiB: misplaced bytes show. */
const PATTERN = Buffer.from(Array.from({ length: 65_521 }, (_, i) => (i * 31 + (i >> 8)) & 0xff));
const patterned = (n: number) => Buffer.alloc(n, PATTERN);

function fileWith(data: Buffer): { fd: number; path: string } {
  const p = path.join(mkdtempSync(path.join(os.tmpdir(), 'fdfs-sendfile-')), 'content.bin');
  writeFileSync(p, data);
  return { fd: openSync(p, 'r+'), path: p };
}

/** Everything the client reads until `n` bytes are in. */
function readBytes(s: net.Socket, n: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let got = 0;
  return new Promise((resolve, reject) => {
    const onData = (d: Buffer) => {
      parts.push(d);
      got += d.length;
      if (got >= n) {
        s.off('data', onData);
        resolve(Buffer.concat(parts));
      }
    };
    s.on('data', onData);
    s.once('close', () => reject(new Error(`closed after ${got} bytes`)));
  });
}

let open: Pair | null = null;
afterEach(() => {
  open?.close();
  open = null;
});

describe('net: answers sent with sendfile', () => {
  it('sends the head, then the range, after what the socket wrote before; a large range in several rounds', async () => {
    expect(fastPath()).not.toBeNull();
    const pair = (open = await socketPair());
    const data = patterned(24 << 20);
    const f = fileWith(data);
    pair.server.write(Buffer.from('before|'));
    await new Promise((r) => setImmediate(r));
    const head = Buffer.from('head|');
    const offset = 12345;
    const length = data.length - offset - 999;
    const reading = readBytes(pair.client, 7 + head.length + length);
    const sending = sendFileOn(pair.server, head, f.fd, offset, length, 5000);
    expect(sending).not.toBeNull();
    await sending;
    const got = await reading;
    closeSync(f.fd);
    expect(got.subarray(0, 12).toString()).toBe('before|head|');
    expect(got.subarray(12).equals(data.subarray(offset, offset + length))).toBe(true);
    // The socket goes on as before afterwards.
    const more = readBytes(pair.client, 5);
    pair.server.write('after');
    expect((await more).toString()).toBe('after');
  });

  it('does nothing while the socket still has bytes queued, or on a socket without a descriptor', async () => {
    const pair = (open = await socketPair());
    const f = fileWith(patterned(1000));
    pair.server.cork();
    pair.server.write('queued');
    expect(sendFileOn(pair.server, Buffer.alloc(0), f.fd, 0, 1000, 0)).toBeNull();
    pair.server.uncork();
    expect(sendFileOn(new net.Socket(), Buffer.alloc(0), f.fd, 0, 1000, 0)).toBeNull();
    closeSync(f.fd);
  });

  it('a reader that stops reading is cut off after the idle limit; one that leaves fails the transfer', async () => {
    const pair = (open = await socketPair());
    const f = fileWith(patterned(64 << 20));
    pair.client.pause();
    const stalled = sendFileOn(pair.server, Buffer.alloc(0), f.fd, 0, 64 << 20, 300);
    await expect(stalled).rejects.toBeInstanceOf(TimeoutError);
    pair.close();

    const second = (open = await socketPair());
    second.client.pause();
    const leaving = sendFileOn(second.server, Buffer.alloc(0), f.fd, 0, 64 << 20, 0);
    setTimeout(() => second.client.destroy(), 100);
    await expect(leaving).rejects.toBeInstanceOf(ConnectionClosedError);
    closeSync(f.fd);
  });

  it('a file that ends before the range fails the transfer', async () => {
    const pair = (open = await socketPair());
    const f = fileWith(patterned(8 << 20));
    ftruncateSync(f.fd, 1 << 20);
    const reading = readBytes(pair.client, 8 << 20).catch(() => null);
    await expect(sendFileOn(pair.server, Buffer.alloc(0), f.fd, 0, 8 << 20, 0)).rejects.toThrow('the file shrank while being sent');
    pair.server.destroy();
    await reading;
    closeSync(f.fd);
  });
});
