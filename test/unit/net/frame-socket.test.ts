import { describe, it, expect, afterEach } from 'vitest';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { FrameSocket } from '../../../src/net/frame-socket.js';
import { encodeHeader } from '../../../src/protocol/header.js';

// A FrameSocket over the accepted end of a loopback connection; the test writes on the other end.
let server: net.Server | null = null;
afterEach(() => server?.close());

async function pair(): Promise<{ fs: FrameSocket; client: net.Socket }> {
  let accepted!: (s: net.Socket) => void;
  const got = new Promise<net.Socket>((r) => { accepted = r; });
  server = net.createServer((s) => accepted(s));
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
  const client = net.connect({ port: (server.address() as net.AddressInfo).port, host: '127.0.0.1', noDelay: true });
  const fs = new FrameSocket(await got);
  return { fs, client };
}

describe('FrameSocket.readExtend', () => {
  it('returns a view of the socket chunk when the next bytes follow in it', async () => {
    const { fs, client } = await pair();
    client.write(Buffer.concat([encodeHeader(12, 1), Buffer.from('fixednameXYZ')]));
    await fs.readHeader();
    const fixed = await fs.readExact(5);
    const whole = await fs.readExtend(fixed, 4);
    expect(whole.toString()).toBe('fixedname');
    expect(whole.buffer).toBe(fixed.buffer);
    expect(fs.bodyRemaining).toBe(3);
    expect((await fs.readRest()).toString()).toBe('XYZ');
    client.destroy();
    fs.destroy();
  });

  it('copies when the bytes arrive in separate segments', async () => {
    const { fs, client } = await pair();
    client.write(Buffer.concat([encodeHeader(9, 1), Buffer.from('fixed')]));
    await fs.readHeader();
    const fixed = await fs.readExact(5);
    for (const ch of 'name') {
      await sleep(10);
      client.write(ch);
    }
    const whole = await fs.readExtend(fixed, 4);
    expect(whole.toString()).toBe('fixedname');
    expect(fs.bodyRemaining).toBe(0);
    client.destroy();
    fs.destroy();
  });

  it('refuses to read past the body', async () => {
    const { fs, client } = await pair();
    client.write(Buffer.concat([encodeHeader(6, 1), Buffer.from('fixedn')]));
    await fs.readHeader();
    const fixed = await fs.readExact(5);
    await expect(fs.readExtend(fixed, 4)).rejects.toMatchObject({ code: 'FDFS_ERR_PROTOCOL' });
    client.destroy();
    fs.destroy();
  });
});
