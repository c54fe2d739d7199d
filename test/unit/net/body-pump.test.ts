// FrameSocket.pumpBody: body bytes pushed to a synchronous sink straight from the read buffer (no buffer kept per
// read), queued ones first; the sink may stop early (the rest is read as chunks), fail, or see the peer go.
import { describe, it, expect, afterEach } from 'vitest';
import type net from 'node:net';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConnectionClosedError } from '../../../src/errors.js';
import type { FrameSocket } from '../../../src/net/frame-socket.js';
import { closePairs, frameSocketPair as pair } from '../../helpers/socket-pair.js';
import { isPumpable } from '../../../src/net/body-chunks.js';
import { encodeHeader } from '../../../src/protocol/header.js';

afterEach(closePairs);

/** Wait (bounded) until the socket has read `total` bytes in all: with nobody reading, they are all queued. */
async function readAtLeast(fs: FrameSocket, total: number): Promise<void> {
  const deadline = Date.now() + 5000;
  while (fs.socket.bytesRead < total && Date.now() < deadline) await sleep(5);
  expect(fs.socket.bytesRead).toBeGreaterThanOrEqual(total);
}

/** Write `data` in pieces with pauses, so that most of it arrives while the sink is installed. */
async function trickle(client: net.Socket, data: Buffer, piece: number): Promise<void> {
  for (let at = 0; at < data.length; at += piece) {
    client.write(data.subarray(at, at + piece));
    await sleep(2);
  }
}

describe('FrameSocket.pumpBody', () => {
  it('hands over exactly the body, queued bytes first, and the next request is read as usual', async () => {
    const { fs, client } = await pair();
    const body = randomBytes(300_000);
    client.write(Buffer.concat([encodeHeader(body.length, 11), body.subarray(0, 1000)]));
    expect((await fs.readHeader())!.cmd).toBe(11);
    await sleep(20);
    const sending = trickle(client, Buffer.concat([body.subarray(1000), encodeHeader(3, 22), Buffer.from('abc')]), 50_000);
    const got: Buffer[] = [];
    const n = await fs.bodyChunks(body.length).pump((c) => {
      got.push(Buffer.from(c));
      return true;
    });
    await sending;
    expect(n).toBe(body.length);
    expect(Buffer.concat(got).equals(body)).toBe(true);
    expect(fs.bodyRemaining).toBe(0);
    expect((await fs.readHeader())!.cmd).toBe(22);
    expect((await fs.readRest()).toString()).toBe('abc');
    client.destroy();
    fs.destroy();
  });

  it('reads live bytes into one buffer it keeps reusing (nothing is kept for the sink)', async () => {
    const { fs, client } = await pair();
    const body = randomBytes(400_000);
    client.write(encodeHeader(body.length, 11));
    await fs.readHeader();
    const buffers = new Set<ArrayBufferLike>();
    let live = 0;
    const sending = trickle(client, body, 40_000);
    await fs.bodyChunks(body.length).pump((c) => {
      buffers.add(c.buffer);
      live++;
      return true;
    });
    await sending;
    expect(live).toBeGreaterThan(5);
    expect(buffers.size).toBeLessThanOrEqual(2);
    client.destroy();
    fs.destroy();
  });

  it('reads queued before the pump are read into again once the sink is done with them', async () => {
    const { fs, client } = await pair();
    const first = randomBytes(300_000);
    client.write(Buffer.concat([encodeHeader(first.length, 11), first]));
    await fs.readHeader();
    await readAtLeast(fs, 10 + first.length);
    const queuedBuffers = new Set<ArrayBufferLike>();
    await fs.bodyChunks(first.length).pump((c) => {
      queuedBuffers.add(c.buffer);
      return true;
    });
    // Queued again (each read kept): they go into the buffers given back, not new ones.
    client.write(Buffer.concat([encodeHeader(300_000, 11), randomBytes(300_000)]));
    await fs.readHeader();
    await readAtLeast(fs, 2 * 10 + first.length + 300_000);
    const later = new Set<ArrayBufferLike>();
    await fs.bodyChunks(300_000).pump((c) => {
      later.add(c.buffer);
      return true;
    });
    expect([...later].filter((b) => queuedBuffers.has(b)).length).toBeGreaterThanOrEqual(3);
    client.destroy();
    fs.destroy();
  });

  it('bytes a reader took out of a queued read before the pump are never read over', async () => {
    const { fs, client } = await pair();
    const body = randomBytes(200_000);
    // The header alone first, so the body's first read is all body (a read the pump could give back).
    client.write(encodeHeader(body.length, 11));
    await fs.readHeader();
    client.write(body);
    await readAtLeast(fs, 10 + body.length);
    const head = await fs.readExact(16);
    await fs.bodyChunks(body.length - 16).pump(() => true);
    // Later reads that are kept go into given-back buffers: never into the one `head` is a view of.
    for (let i = 0; i < 3; i++) {
      client.write(Buffer.concat([encodeHeader(300_000, 11), Buffer.alloc(300_000, 0xee)]));
      await fs.readHeader();
      await readAtLeast(fs, 10 + body.length + (i + 1) * (10 + 300_000));
      await fs.bodyChunks(300_000).pump(() => true);
    }
    expect(head.equals(body.subarray(0, 16))).toBe(true);
    client.destroy();
    fs.destroy();
  });

  it('a sink that says stop gets no more: the rest comes as chunks, in order', async () => {
    const { fs, client } = await pair();
    const body = randomBytes(200_000);
    client.write(encodeHeader(body.length, 11));
    await fs.readHeader();
    const sending = trickle(client, body, 30_000);
    const chunks = fs.bodyChunks(body.length);
    expect(isPumpable(chunks)).toBe(true);
    const first: Buffer[] = [];
    const n = await chunks.pump((c) => {
      first.push(Buffer.from(c));
      return false;
    });
    expect(first.length).toBe(1);
    expect(n).toBe(first[0]!.length);
    const rest: Buffer[] = [];
    for await (const c of chunks) rest.push(c);
    await sending;
    expect(Buffer.concat([...first, ...rest]).equals(body)).toBe(true);
    client.destroy();
    fs.destroy();
  });

  it('a sink that throws fails the pump with its error', async () => {
    const { fs, client } = await pair();
    client.write(encodeHeader(100_000, 11));
    await fs.readHeader();
    const sending = trickle(client, randomBytes(100_000), 20_000);
    const err = Object.assign(new Error('disk full'), { code: 'ENOSPC', syscall: 'write' });
    await expect(fs.bodyChunks(100_000).pump(() => { throw err; })).rejects.toBe(err);
    await sending;
    client.destroy();
    fs.destroy();
  });

  it('the peer gone mid-body: the pump rejects instead of waiting', async () => {
    const { fs, client } = await pair();
    client.write(Buffer.concat([encodeHeader(100_000, 11), randomBytes(10_000)]));
    await fs.readHeader();
    const pumping = fs.bodyChunks(100_000).pump(() => true);
    await sleep(20);
    client.destroy();
    await expect(pumping).rejects.toBeInstanceOf(ConnectionClosedError);
    fs.destroy();
  });
});
