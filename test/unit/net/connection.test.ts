import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createHash } from 'node:crypto';
import { FrameServer } from '../../../src/net/server.js';
import { Connection } from '../../../src/net/connection.js';
import { Pool } from '../../../src/net/pool.js';
import { encodeHeader } from '../../../src/protocol/header.js';
import { Errno, StatusError } from '../../../src/errors.js';
import { startTestFrameServer } from '../../helpers/frame-server.js';

// Test protocol: cmd 1 = echo body, cmd 2 = md5 of a streamed body, cmd 3 = ENOENT, cmd 4 = EINVAL.
let server: FrameServer<{ n: number }>;
let port = 0;

beforeAll(async () => {
  ({ server, port } = await startTestFrameServer<{ n: number }>(async (ctx) => {
    ctx.state.n++;
    switch (ctx.header.cmd) {
      case 1:
        return ctx.reply(await ctx.conn.readRest());
      case 2: {
        const h = createHash('md5');
        for await (const c of ctx.conn.chunks()) h.update(c);
        return ctx.reply(Buffer.from(h.digest('hex') + ':' + ctx.state.n));
      }
      case 3:
        await ctx.conn.skipBody();
        throw new StatusError(Errno.ENOENT);
      default:
        throw new StatusError(Errno.EINVAL);
    }
  }, { newState: () => ({ n: 0 }), maxPkgLen: (cmd) => (cmd === 2 ? Number.MAX_SAFE_INTEGER : 1 << 16) }));
});
afterAll(() => server.close());

describe('FrameServer + Connection', () => {
  it('serves sequential requests on one connection', async () => {
    const c = await Connection.connect('127.0.0.1', port);
    for (let i = 0; i < 5; i++) {
      const body = Buffer.from(`hello ${i}`);
      const res = await c.call(Buffer.concat([encodeHeader(body.length, 1), body]));
      expect(res.toString()).toBe(`hello ${i}`);
    }
    c.destroy();
  });

  it('streams a 64 MiB body with backpressure', async () => {
    const c = await Connection.connect('127.0.0.1', port);
    const size = 64 << 20;
    const chunk = Buffer.alloc(1 << 20, 7);
    const md5 = createHash('md5');
    await c.send(encodeHeader(size, 2));
    for (let sent = 0; sent < size; sent += chunk.length) {
      md5.update(chunk);
      await c.send(chunk);
    }
    const h = await c.readResponseHeader();
    const body = (await c.readBody()).toString();
    expect(h.status).toBe(0);
    expect(body).toBe(`${md5.digest('hex')}:1`);
    c.destroy();
  });

  it('turns a status byte into StatusError and keeps the connection after ENOENT', async () => {
    const c = await Connection.connect('127.0.0.1', port);
    await expect(c.call(encodeHeader(0, 3))).rejects.toMatchObject({ errno: Errno.ENOENT });
    // Our client marks it broken like the C client, but the server keeps it open: prove it.
    const res = await c.call(Buffer.concat([encodeHeader(2, 1), Buffer.from('ok')]));
    expect(res.toString()).toBe('ok');
    c.destroy();
  });

  it('closes a storage connection after EINVAL', async () => {
    const c = await Connection.connect('127.0.0.1', port);
    await expect(c.call(encodeHeader(0, 4))).rejects.toMatchObject({ errno: Errno.EINVAL });
    await expect(c.call(Buffer.concat([encodeHeader(2, 1), Buffer.from('ok')]))).rejects.toThrow();
  });

  it('closes on an oversized pkg_len and keeps serving others', async () => {
    const bad = await Connection.connect('127.0.0.1', port);
    await expect(bad.call(encodeHeader(1 << 20, 1))).rejects.toThrow();
    const good = await Connection.connect('127.0.0.1', port);
    expect((await good.call(Buffer.concat([encodeHeader(1, 1), Buffer.from('x')]))).toString()).toBe('x');
    good.destroy();
  });

  it("call with onError 'throw' raises StatusError with the command and marks the connection broken", async () => {
    const c = await Connection.connect('127.0.0.1', port);
    await expect(c.call(encodeHeader(0, 3), { cmd: 3 })).rejects.toMatchObject({ name: 'StatusError', errno: Errno.ENOENT, cmd: 3 });
    expect(c.broken).toBe(true);
    c.destroy();
  });

  it("call with onError 'return' gives the status as a value and keeps the connection usable", async () => {
    const c = await Connection.connect('127.0.0.1', port);
    expect(await c.call(encodeHeader(0, 3), { cmd: 3, onError: 'return' })).toEqual({ status: Errno.ENOENT, body: Buffer.alloc(0) });
    expect(c.broken).toBe(false);
    const ok = await c.call(Buffer.concat([encodeHeader(2, 1), Buffer.from('ok')]), { onError: 'return' });
    expect({ status: ok.status, body: ok.body.toString() }).toEqual({ status: 0, body: 'ok' });
    c.destroy();
  });

  it('refuses an answer body over maxBody (protocol error, connection broken)', async () => {
    const c = await Connection.connect('127.0.0.1', port);
    await expect(c.call(Buffer.concat([encodeHeader(5, 1), Buffer.from('hello')]), { maxBody: 4, onError: 'return' }))
      .rejects.toMatchObject({ code: 'FDFS_ERR_PROTOCOL' });
    expect(c.broken).toBe(true);
    c.destroy();
  });

  it('open() then body() streams an answer of the announced length', async () => {
    const c = await Connection.connect('127.0.0.1', port);
    const len = await c.open(Buffer.concat([encodeHeader(3, 1), Buffer.from('abc')]), 1);
    expect(len).toBe(3);
    const parts: Buffer[] = [];
    for await (const b of c.body()) parts.push(b);
    c.done();
    expect(Buffer.concat(parts).toString()).toBe('abc');
    expect(c.localAddress).toBe('127.0.0.1');
    c.destroy();
  });

  it('pools connections per address', async () => {
    const pool = new Pool('127.0.0.1', port, { max: 2 });
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        pool.use((c) => c.call(Buffer.concat([encodeHeader(1, 1), Buffer.from(String(i))]))),
      ),
    );
    expect(results.map((r) => r.toString())).toEqual(Array.from({ length: 10 }, (_, i) => String(i)));
    pool.close();
    await expect(pool.acquire()).rejects.toMatchObject({ name: 'PoolClosedError', code: 'FDFS_ERR_POOL_CLOSED' });
  });
});
