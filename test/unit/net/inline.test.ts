// Inline answers (net/server.ts InlinePort): a small request arriving whole while the connection is between
// requests is answered synchronously; everything else takes the async loop, and order is always kept.
import { describe, it, expect, afterEach } from 'vitest';
import net from 'node:net';
import { encodeHeader, encodeStatus } from '../../../src/protocol/header.js';
import { startTestFrameServer } from '../../helpers/frame-server.js';
import type { FrameServer } from '../../../src/net/server.js';

const INLINE_CMD = 50;
const SLOW_CMD = 51;
/** Slower still: its answer comes long after exchange()'s 10 ms pause, however loaded the machine. */
const SLOWER_CMD = 53;
/** Gathered whole up to 1000 body bytes, then answered inline (like a small upload). */
const GATHER_CMD = 52;
let server: FrameServer<object> | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

/** The server's side of the last connection that asked an inline question. */
let lastServerSocket: net.Socket | null = null;

/** Writes the server made on its sockets' handles (counted from a socket's first inline request on). */
let serverWrites = 0;
const counted = new WeakSet<object>();
function countWrites(sock: net.Socket): void {
  const handle = (sock as unknown as { _handle: { writeBuffer: (...a: unknown[]) => number } | null })._handle;
  if (!handle || counted.has(handle)) return;
  counted.add(handle);
  const orig = handle.writeBuffer;
  handle.writeBuffer = function (this: unknown, ...a: unknown[]) {
    serverWrites++;
    return orig.apply(this, a);
  };
}

const frame = (cmd: number, body: Buffer) => Buffer.concat([encodeHeader(body.length, cmd, 0), body]);
/** Answer body: which path answered ('i' inline, 's' slow) and the request body echoed. */
const answer = (path: string, body: Buffer) => Buffer.concat([encodeStatus(0, 1 + body.length), Buffer.from(path), body]);

async function start(opts: { networkTimeout?: number } = {}) {
  const started = await startTestFrameServer(async (ctx) => {
    const body = await ctx.conn.readRest();
    // The slow path waits a little, so an answer sent out of turn would show.
    if (ctx.header.cmd === SLOW_CMD) await new Promise((r) => setTimeout(r, 20));
    if (ctx.header.cmd === SLOWER_CMD) await new Promise((r) => setTimeout(r, 250));
    // A declined gathered request marked '!!' is answered late, its body held meanwhile.
    if (ctx.header.cmd === GATHER_CMD && body[1] === 0x21) await new Promise((r) => setTimeout(r, 250));
    await ctx.replyPacket(answer('s', body));
  }, {
    ...opts,
    inline: {
      answer: (_state, conn, cmd, body) => {
        countWrites(conn.socket);
        lastServerSocket = conn.socket;
        return (cmd === INLINE_CMD || cmd === GATHER_CMD) && body[0] !== 0x21 ? answer('i', body) : null;
      },
      gathers: (cmd, bodyLength) => cmd === GATHER_CMD && bodyLength <= 1000,
    },
  });
  server = started.server;
  return started.port;
}

/** Send the chunks (with a pause between them), read `n` answers; returns each answer's path + body text. */
async function exchange(port: number, chunks: Buffer[], n: number): Promise<string[]> {
  const sock = net.connect(port, '127.0.0.1');
  await new Promise((r) => sock.once('connect', r));
  const got: Buffer[] = [];
  const done = new Promise<string[]>((resolve, reject) => {
    let buf = Buffer.alloc(0);
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 10) {
        const len = Number(buf.readBigUInt64BE(0));
        if (buf.length < 10 + len) break;
        got.push(buf.subarray(10, 10 + len));
        buf = buf.subarray(10 + len);
      }
      if (got.length === n) resolve(got.map((g) => g.toString()));
    });
    sock.on('error', reject);
    setTimeout(() => reject(new Error(`only ${got.length} of ${n} answers`)), 5000).unref();
  });
  for (const c of chunks) {
    sock.write(c);
    await new Promise((r) => setTimeout(r, 10));
  }
  try {
    return await done;
  } finally {
    sock.destroy();
  }
}

describe('net: inline answers', () => {
  it('answers a whole small request inline and the rest through the loop, in order', async () => {
    const port = await start();
    const out = await exchange(port, [frame(INLINE_CMD, Buffer.from('a')), frame(SLOW_CMD, Buffer.from('b')), frame(INLINE_CMD, Buffer.from('c'))], 3);
    expect(out).toEqual(['ia', 'sb', 'ic']);
  });

  it('declined inline requests (null) are answered by the loop', async () => {
    const port = await start();
    expect(await exchange(port, [frame(INLINE_CMD, Buffer.from('!x')), frame(INLINE_CMD, Buffer.from('y'))], 2)).toEqual(['s!x', 'iy']);
  });

  it('pipelined requests in one chunk and a request split over chunks take the loop, answers in order', async () => {
    const port = await start();
    const two = Buffer.concat([frame(SLOW_CMD, Buffer.from('1')), frame(INLINE_CMD, Buffer.from('2'))]);
    const split = frame(INLINE_CMD, Buffer.from('345'));
    const out = await exchange(port, [two, split.subarray(0, 7), split.subarray(7), frame(INLINE_CMD, Buffer.from('6'))], 4);
    expect(out).toEqual(['s1', 's2', 's345', 'i6']);
  });

  it('a request arriving while the loop is busy with a slow one waits its turn', async () => {
    const port = await start();
    const out = await exchange(port, [frame(SLOWER_CMD, Buffer.from('slow')), frame(INLINE_CMD, Buffer.from('next'))], 2);
    expect(out).toEqual(['sslow', 'snext']);
  });

  it('a connection whose first request was answered inline may idle past network_timeout', async () => {
    const port = await start({ networkTimeout: 1 });
    const sock = net.connect(port, '127.0.0.1');
    await new Promise((r) => sock.once('connect', r));
    sock.write(frame(INLINE_CMD, Buffer.from('first')));
    await new Promise((r) => sock.once('data', r));
    const closed = new Promise<boolean>((resolve) => {
      sock.once('close', () => resolve(true));
      setTimeout(() => resolve(false), 1800).unref();
    });
    expect(await closed).toBe(false);
    sock.destroy();
  });

  it('between requests no timer is armed (Node would move it on every read and write); a stalled request on the loop still times out', async () => {
    const port = await start({ networkTimeout: 1 });
    const sock = net.connect(port, '127.0.0.1');
    await new Promise((r) => sock.once('connect', r));
    const closed = new Promise<void>((resolve) => sock.once('close', () => resolve()));
    sock.on('error', () => {});
    sock.write(frame(INLINE_CMD, Buffer.from('first')));
    await new Promise((r) => sock.once('data', r));
    expect(lastServerSocket!.timeout ?? 0).toBe(0);
    // A request the loop serves (its answer ends the exchange): no timer afterwards either.
    sock.write(frame(SLOW_CMD, Buffer.from('loop')));
    await new Promise((r) => sock.once('data', r));
    await new Promise((r) => setTimeout(r, 20));
    expect(lastServerSocket!.timeout ?? 0).toBe(0);
    // Its head, then part of a body that never comes whole: the loop waits on the peer, armed; dropped.
    const head = encodeHeader(10, SLOW_CMD, 0);
    sock.write(Buffer.concat([head, Buffer.from('abc')]));
    const dropped = await Promise.race([closed.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 8000).unref())]);
    expect(dropped).toBe(true);
  });

  it('a gathered request split over several chunks is answered inline once whole; bytes after it take their turn', async () => {
    const port = await start();
    const big = frame(GATHER_CMD, Buffer.alloc(900, 0x61));
    const tail = Buffer.concat([big.subarray(600), frame(SLOW_CMD, Buffer.from('after'))]);
    const out = await exchange(port, [big.subarray(0, 20), big.subarray(20, 300), big.subarray(300, 600), tail], 2);
    expect(out).toEqual([`i${'a'.repeat(900)}`, 'safter']);
  });

  it('a gathered request the inline answer declines goes whole to the loop; over the size it is never held', async () => {
    const port = await start();
    const declined = frame(GATHER_CMD, Buffer.from(`!${'b'.repeat(700)}`));
    const large = frame(GATHER_CMD, Buffer.alloc(2000, 0x63));
    const out = await exchange(port, [declined.subarray(0, 100), declined.subarray(100), large.subarray(0, 500), large.subarray(500)], 2);
    expect(out).toEqual([`s!${'b'.repeat(700)}`, `s${'c'.repeat(2000)}`]);
  });

  it('a declined gathered request keeps its bytes while other connections gather and are answered inline', async () => {
    const port = await start();
    const declined = frame(GATHER_CMD, Buffer.from(`!!${'x'.repeat(600)}`));
    const held = exchange(port, [declined.subarray(0, 100), declined.subarray(100)], 1);
    await new Promise((r) => setTimeout(r, 60));
    // Meanwhile, gathered requests on another connection (each in two chunks) take gather buffers and give them back.
    const others = Array.from({ length: 4 }, (_, k) => frame(GATHER_CMD, Buffer.alloc(600, 0x61 + k)));
    const answered = await exchange(port, others.flatMap((f) => [f.subarray(0, 50), f.subarray(50)]), 4);
    expect(answered).toEqual(others.map((_, k) => `i${String.fromCharCode(0x61 + k).repeat(600)}`));
    expect(await held).toEqual([`s!!${'x'.repeat(600)}`]);
  });

  it('requests pipelined in one chunk and answered inline leave in one write, in order', async () => {
    const port = await start();
    serverWrites = 0;
    const three = Buffer.concat(['a', 'b', 'c'].map((x) => frame(GATHER_CMD, Buffer.from(x.repeat(300)))));
    const out = await exchange(port, [three], 3);
    expect(out).toEqual(['ia', 'ib', 'ic'].map((x) => x[0] + x[1]!.repeat(300)));
    expect(serverWrites).toBe(1);
  });

  it('pipelined requests where one is declined: the inline answers before it leave first, the rest take the loop', async () => {
    const port = await start();
    const chunk = Buffer.concat([frame(GATHER_CMD, Buffer.from('a')), frame(GATHER_CMD, Buffer.from('!b')), frame(INLINE_CMD, Buffer.from('c'))]);
    expect(await exchange(port, [chunk, frame(INLINE_CMD, Buffer.from('d'))], 4)).toEqual(['ia', 's!b', 'sc', 'id']);
  });
});
