import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { FrameServer } from '../../../src/net/server.js';
import { Connection } from '../../../src/net/connection.js';
import { readRequestHead } from '../../../src/net/request-head.js';
import type { CommandDescriptor } from '../../../src/protocol/command.js';
import { encodeHeader } from '../../../src/protocol/header.js';
import { StorageFileCommands } from '../../../src/protocol/storage-file.js';
import { SyncCommands } from '../../../src/protocol/sync.js';
import { Errno } from '../../../src/errors.js';
import { startTestFrameServer } from '../../helpers/frame-server.js';

// A storage-role server whose handlers read a head with readRequestHead and answer it as JSON.
const DESCRIPTORS = new Map<number, CommandDescriptor<never, unknown>>(
  [...Object.values(StorageFileCommands), ...Object.values(SyncCommands)].map((d) => [d.cmd, d as CommandDescriptor<never, unknown>]),
);
let server: FrameServer<object>;
let port = 0;

beforeAll(async () => {
  ({ server, port } = await startTestFrameServer(async (ctx) => {
    const head = await readRequestHead(ctx, DESCRIPTORS.get(ctx.header.cmd)!, 1024);
    const content = ctx.conn.bodyRemaining;
    await ctx.conn.skipBody();
    return ctx.reply(Buffer.from(JSON.stringify({ head, content })));
  }));
});
afterAll(() => server.close());

const NAME = 'M00/00/00/wKgAAmVuSWyEAAAAAAAAAAAAAAA0000000.txt'.slice(0, 44);

async function ask(packet: Buffer): Promise<{ status: number; json?: { head: unknown; content: number }; closed: boolean }> {
  const c = await Connection.connect('127.0.0.1', port);
  try {
    const r = await c.call(packet, { onError: 'return' });
    await sleep(20);
    return { status: r.status, json: r.status === 0 ? JSON.parse(r.body.toString()) : undefined, closed: c.closed };
  } finally {
    c.destroy();
  }
}

/** Write `parts` with pauses between them (separate TCP segments), then read everything until close. */
async function rawExchange(parts: Buffer[], end = false): Promise<Buffer> {
  const s = net.connect({ host: '127.0.0.1', port, noDelay: true });
  await new Promise((r) => s.once('connect', r));
  const got: Buffer[] = [];
  s.on('data', (b) => got.push(b));
  const closed = new Promise((r) => s.once('close', r));
  for (const p of parts) {
    s.write(p);
    await sleep(15);
  }
  if (end) s.end();
  else {
    await sleep(50);
    s.end(encodeHeader(0, 82));
  }
  await closed;
  return Buffer.concat(got);
}

describe('readRequestHead', () => {
  it('reads a fixed head and leaves the streamed content (11)', async () => {
    const pkt = Buffer.concat([StorageFileCommands.UploadFile.encode({ storePathIndex: -1, fileSize: 5, ext: 'txt' }), Buffer.from('hello')]);
    const r = await ask(pkt);
    expect(r.status).toBe(0);
    expect(r.json).toEqual({ head: { storePathIndex: -1, fileSize: 5, ext: 'txt' }, content: 5 });
  });

  it('reads a head with a name in the same segment (24) and in separate segments (16)', async () => {
    const append = StorageFileCommands.AppendFile.encode({ filename: NAME, fileSize: 3 });
    expect((await ask(Buffer.concat([append, Buffer.from('abc')]))).json).toEqual({ head: { filename: NAME, fileSize: 3 }, content: 3 });

    const sync = SyncCommands.SyncCreateFile.encode({ fileSize: 2, timestamp: 1700000000, group: 'group1', filename: 'M00/00/00/x.txt' });
    // header | fixed 36 | name | content, each its own segment: the name is copied after the fixed part.
    const out = await rawExchange([sync.subarray(0, 10), sync.subarray(10, 46), sync.subarray(46), Buffer.from('zz')]);
    expect(out.readBigInt64BE(0)).toBe(BigInt(out.length - 10));
    expect(out[9]).toBe(0);
    expect(JSON.parse(out.subarray(10).toString())).toEqual({
      head: { fileSize: 2, timestamp: 1700000000, group: 'group1', filename: 'M00/00/00/x.txt' }, content: 2,
    });
  });

  it('reads a non-streamed body whole, bounded by maxBody (36)', async () => {
    const ok = StorageFileCommands.TruncateFile.encode({ filename: NAME, truncatedFileSize: 7 });
    expect((await ask(ok)).json).toEqual({ head: { filename: NAME, truncatedFileSize: 7 }, content: 0 });
    const big = Buffer.concat([encodeHeader(2000, StorageFileCommands.TruncateFile.cmd), Buffer.alloc(2000)]);
    const r = await ask(big);
    expect(r.status).toBe(Errno.EINVAL);
    expect(r.closed).toBe(true);
  });

  it('answers EINVAL (and the storage closes) when pkg_len is shorter than the fixed head', async () => {
    const r = await ask(Buffer.concat([encodeHeader(10, StorageFileCommands.AppendFile.cmd), Buffer.alloc(10)]));
    expect(r.status).toBe(Errno.EINVAL);
    expect(r.closed).toBe(true);
  });

  it('answers EINVAL on a name length out of range or beyond pkg_len', async () => {
    const append = (n: bigint, pkgLen: number) => {
      const b = Buffer.alloc(10 + 16);
      encodeHeader(pkgLen, StorageFileCommands.AppendFile.cmd).copy(b);
      b.writeBigInt64BE(n, 10);
      return b;
    };
    for (const [n, pkgLen] of [[43n, 16 + 43], [128n, 16 + 128], [-1n, 100], [1n << 62n, 100], [60n, 16 + 59]] as const) {
      const r = await ask(append(n, pkgLen));
      expect(r.status, `name length ${n}`).toBe(Errno.EINVAL);
    }
    const sync = Buffer.alloc(10 + 36);
    encodeHeader(36, SyncCommands.SyncCreateFile.cmd).copy(sync);
    expect((await ask(sync)).status).toBe(Errno.EINVAL); // name length 0
  });

  it('gives up quietly on a head cut short by the peer, and keeps serving others', async () => {
    const append = StorageFileCommands.AppendFile.encode({ filename: NAME, fileSize: 0 });
    expect(await rawExchange([append.subarray(0, 30)], true)).toHaveLength(0);
    expect(await rawExchange([append.subarray(0, 10 + 16)], true)).toHaveLength(0);
    expect((await ask(append)).status).toBe(0);
  });
});
