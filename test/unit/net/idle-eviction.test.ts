// max_connections reached (net/server.ts): a new connection takes the slot of the one idle longest, whichever
// path (inline or the request loop) served it last; connections busy or idle under a second keep theirs.
import { describe, it, expect, afterEach } from 'vitest';
import net from 'node:net';
import { once } from 'node:events';
import { encodeHeader, encodeStatus } from '../../../src/protocol/header.js';
import { startTestFrameServer } from '../../helpers/frame-server.js';
import type { FrameServer } from '../../../src/net/server.js';

const INLINE_CMD = 50;
const LOOP_CMD = 51;
let server: FrameServer<object> | null = null;
const sockets: net.Socket[] = [];
afterEach(async () => {
  for (const s of sockets) s.destroy();
  sockets.length = 0;
  await server?.close();
  server = null;
});

async function start(): Promise<number> {
  const started = await startTestFrameServer(async (ctx) => {
    await ctx.conn.readRest();
    await ctx.replyPacket(encodeStatus(0, 0));
  }, {
    maxConnections: 3,
    inline: { answer: (_state, _conn, cmd) => (cmd === INLINE_CMD ? encodeStatus(0, 0) : null) },
  });
  server = started.server;
  return started.port;
}

async function connect(port: number): Promise<net.Socket> {
  const s = net.connect({ host: '127.0.0.1', port });
  sockets.push(s);
  s.on('error', () => {});
  await once(s, 'connect');
  return s;
}

/** One request and its 10-byte answer. */
async function ask(s: net.Socket, cmd: number): Promise<void> {
  const got = once(s, 'data');
  s.write(encodeHeader(0, cmd, 0));
  const [data] = await got;
  expect((data as Buffer).length).toBe(10);
}

const closed = (s: net.Socket) => s.destroyed || s.readableEnded;
/** Resolves once `s` is closed (at once if it is already). */
const gone = (s: net.Socket) => (s.destroyed ? Promise.resolve() : once(s, 'close').then(() => undefined));
/** A new connection once the server is full: resolves when `victim` was closed to make room for it. */
async function connectInPlaceOf(port: number, victim: net.Socket): Promise<net.Socket> {
  const victimGone = gone(victim);
  const s = await connect(port);
  await victimGone;
  return s;
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Past the second a connection must idle: a newcomer takes `victim`'s place, is served, and `kept` stay open. */
async function replacesAfterIdling(port: number, victim: net.Socket, kept: net.Socket[]): Promise<net.Socket> {
  await sleep(1100);
  const s = await connectInPlaceOf(port, victim);
  await ask(s, INLINE_CMD);
  expect(kept.some(closed)).toBe(false);
  return s;
}

describe('net: the longest-idle connection makes room', () => {
  it('closes the one idle longest, not one served since, on either path', async () => {
    const port = await start();
    const oldest = await connect(port);
    const viaLoop = await connect(port);
    const viaInline = await connect(port);
    await sleep(100);
    await ask(viaLoop, LOOP_CMD);
    await ask(viaInline, INLINE_CMD);
    const newcomer = await replacesAfterIdling(port, oldest, [viaLoop, viaInline]);
    await ask(viaLoop, INLINE_CMD);
    await ask(viaInline, LOOP_CMD);
    // Now the newcomer is the one idle longest (served before the other two's last requests).
    const another = await replacesAfterIdling(port, newcomer, [viaLoop, viaInline]);
    await ask(another, LOOP_CMD);
  });

  it('refuses a new connection while every connection was busy within the last second', async () => {
    const port = await start();
    const held = [await connect(port), await connect(port), await connect(port)];
    for (const s of held) await ask(s, INLINE_CMD);
    const late = await connect(port);
    await gone(late);
    for (const s of held) await ask(s, LOOP_CMD);
  });
});
