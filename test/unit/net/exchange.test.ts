import { describe, it, expect, beforeAll, afterAll, afterEach } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { FrameServer } from '../../../src/net/server.js';
import { Connection } from '../../../src/net/connection.js';
import { readUntilTrailer, streamRequest } from '../../../src/net/exchange.js';
import { encodeHeader, PKG_LEN_UNTIL_CLOSE } from '../../../src/protocol/header.js';
import { Errno, LengthMismatchError, StatusError } from '../../../src/errors.js';
import { startTestFrameServer } from '../../helpers/frame-server.js';

// cmd 2 = md5 of a streamed body; cmd 6 = the same, read slowly (the sender's writes queue up); cmd 4 = EINVAL
// before reading the body (a storage then closes).
let server: FrameServer<object>;
let port = 0;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'fdfs-exchange-'));
  ({ server, port } = await startTestFrameServer(async (ctx) => {
    if (ctx.header.cmd === 4) throw new StatusError(Errno.EINVAL);
    const h = createHash('md5');
    for await (const c of ctx.conn.chunks()) {
      h.update(c);
      if (ctx.header.cmd === 6) await new Promise((r) => setTimeout(r, 1));
    }
    return ctx.reply(Buffer.from(h.digest('hex')));
  }));
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

async function* chunksOf(b: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < b.length; i += size) yield b.subarray(i, i + size);
}

describe('streamRequest', () => {
  it('streams an iterable body with backpressure and reads the answer', async () => {
    const c = await Connection.connect('127.0.0.1', port);
    const data = Buffer.alloc(8 << 20, 3);
    let progress = 0;
    const body = await streamRequest(c, encodeHeader(data.length, 2), chunksOf(data, 64 << 10), data.length, {
      cmd: 2, onProgress: (n) => { progress = n; },
    });
    expect(body.toString()).toBe(md5(data));
    expect(progress).toBe(data.length);
    // The connection is idle and usable again.
    expect((await streamRequest(c, encodeHeader(1, 2), chunksOf(Buffer.from('x'), 1), 1)).toString()).toBe(md5(Buffer.from('x')));
    c.destroy();
  });

  it('streams a file range', async () => {
    const f = path.join(dir, 'range');
    const data = Buffer.from(Array.from({ length: 700_000 }, (_, i) => i % 251));
    writeFileSync(f, data);
    const fh = await open(f, 'r');
    const c = await Connection.connect('127.0.0.1', port);
    try {
      const r = await streamRequest(c, encodeHeader(600_000, 2), { fh, start: 50_000 }, 600_000, { cmd: 2, onError: 'return' });
      expect(r.status).toBe(0);
      expect(r.body.toString()).toBe(md5(data.subarray(50_000, 650_000)));
    } finally {
      await fh.close();
      c.destroy();
    }
  });

  it('streams a file range of many reused read buffers byte-exact to a reader slower than the disk', async () => {
    const f = path.join(dir, 'big-range');
    const data = randomBytes(24 << 20);
    writeFileSync(f, data);
    const fh = await open(f, 'r');
    const c = await Connection.connect('127.0.0.1', port);
    try {
      const r = await streamRequest(c, encodeHeader(data.length - 12_345, 6), { fh, start: 12_345 }, data.length - 12_345, { cmd: 6, onError: 'return' });
      expect(r.status).toBe(0);
      expect(r.body.toString()).toBe(md5(data.subarray(12_345)));
    } finally {
      await fh.close();
      c.destroy();
    }
  });

  it('fails with LengthMismatchError when the body is shorter or longer than announced', async () => {
    for (const got of [5, 15]) {
      const c = await Connection.connect('127.0.0.1', port);
      await expect(streamRequest(c, encodeHeader(10, 2), chunksOf(Buffer.alloc(got), 5), 10, { cmd: 2 }))
        .rejects.toBeInstanceOf(LengthMismatchError);
      expect(c.broken).toBe(true);
      c.destroy();
    }
  });

  it('fails with LengthMismatchError and drops the connection when a file range comes up short', async () => {
    const f = path.join(dir, 'short');
    writeFileSync(f, Buffer.alloc(100));
    const fh = await open(f, 'r');
    const c = await Connection.connect('127.0.0.1', port);
    try {
      await expect(streamRequest(c, encodeHeader(200, 2), { fh, start: 0 }, 200, { onError: 'return' }))
        .rejects.toBeInstanceOf(LengthMismatchError);
      expect(c.closed || c.broken).toBe(true);
    } finally {
      await fh.close();
      c.destroy();
    }
  });

  it('reports the status of a peer that refused early instead of the write error', async () => {
    const size = 64 << 20;
    const c = await Connection.connect('127.0.0.1', port);
    await expect(streamRequest(c, encodeHeader(size, 4), chunksOf(Buffer.alloc(size), 1 << 20), size, { cmd: 4 }))
      .rejects.toMatchObject({ name: 'StatusError', errno: Errno.EINVAL });
    c.destroy();
    const d = await Connection.connect('127.0.0.1', port);
    const r = await streamRequest(d, encodeHeader(size, 4), chunksOf(Buffer.alloc(size), 1 << 20), size, { cmd: 4, onError: 'return' });
    expect(r.status).toBe(Errno.EINVAL);
    d.destroy();
  });
});

describe('readUntilTrailer', () => {
  let raw: net.Server | null = null;
  afterEach(() => raw?.close());

  /** A peer answering any request with a read-until-close body written in `parts`, then closing. */
  async function peer(parts: Buffer[]): Promise<number> {
    raw = net.createServer((s) => {
      s.once('data', async () => {
        s.write(encodeHeader(PKG_LEN_UNTIL_CLOSE, 100));
        for (const p of parts) {
          s.write(p);
          await new Promise((r) => setTimeout(r, 2));
        }
        s.end();
      });
    });
    await new Promise<void>((r) => raw!.listen(0, '127.0.0.1', () => r()));
    return (raw.address() as net.AddressInfo).port;
  }

  /** Text + its 8-byte count, cut at every size in `cuts`. */
  function stream(text: string, cut: number): Buffer[] {
    const t = Buffer.alloc(8);
    t.writeBigUInt64BE(BigInt(Buffer.byteLength(text)));
    const all = Buffer.concat([Buffer.from(text), t]);
    const parts: Buffer[] = [];
    for (let i = 0; i < all.length; i += cut) parts.push(all.subarray(i, i + cut));
    return parts;
  }

  for (const cut of [1, 3, 7, 8, 9, 1000]) {
    it(`holds back the trailer across chunk boundaries (chunks of ${cut})`, async () => {
      const text = '1700000000 C M00/00/00/a.txt\n1700000001 C M00/00/00/b.txt\n';
      const c = await Connection.connect('127.0.0.1', await peer(stream(text, cut)));
      expect(await c.open(encodeHeader(0, 26), 26)).toBe(Number.POSITIVE_INFINITY);
      const out: Buffer[] = [];
      const trailer = Buffer.alloc(8);
      const got = await readUntilTrailer(c, trailer, (b) => { out.push(Buffer.from(b)); });
      c.destroy();
      expect(got).toBe(8);
      expect(Buffer.concat(out).toString()).toBe(text);
      expect(Number(trailer.readBigUInt64BE(0))).toBe(text.length);
    });
  }

  it('reports a stream cut inside the trailer', async () => {
    const c = await Connection.connect('127.0.0.1', await peer([Buffer.from('abcde')]));
    await c.open(encodeHeader(0, 26), 26);
    const out: Buffer[] = [];
    expect(await readUntilTrailer(c, Buffer.alloc(8), (b) => { out.push(b); })).toBe(5);
    expect(out).toHaveLength(0);
    c.destroy();
  });
});
