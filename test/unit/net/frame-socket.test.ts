import { describe, it, expect, afterEach } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { closePairs, frameSocketPair as pair } from '../../helpers/socket-pair.js';
import { encodeHeader } from '../../../src/protocol/header.js';

afterEach(closePairs);

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

describe('FrameSocket over its own read buffer', () => {
  it('body bytes queued for the reader survive later reads into the buffer, small and large pieces alike', async () => {
    const { fs, client } = await pair();
    const body = Buffer.alloc(300_000);
    for (let i = 0; i < body.length; i++) body[i] = (i * 7 + (i >> 9)) & 0xff;
    // Several reads land before the reader takes anything: each must still hold its own bytes.
    client.write(encodeHeader(body.length, 11));
    for (const [from, to] of [[0, 100], [100, 5000], [5000, 120_000], [120_000, 300_000]] as const) {
      client.write(body.subarray(from, to));
      await sleep(20);
    }
    await sleep(50);
    const h = await fs.readHeader();
    expect(h!.pkgLen).toBe(body.length);
    const got = await fs.readRest();
    expect(got.equals(body)).toBe(true);
    client.destroy();
    fs.destroy();
  });

  it.each([5000, 200_000])('a request gathered from pieces is whole when answered, however the pieces came (%i bytes)', async (size) => {
    const { fs, client } = await pair();
    const seen: Buffer[] = [];
    fs.gatherable = (cmd) => cmd === 11;
    fs.inline = (cmd, b) => {
      expect(cmd).toBe(11);
      seen.push(Buffer.from(b));
      return encodeHeader(0, 100);
    };
    // The inline path only runs while the reader waits for a header.
    const next = fs.readHeader();
    const body = Buffer.from(Array.from({ length: size }, (_, i) => (i * 31 + (i >> 3)) & 0xff));
    client.write(encodeHeader(body.length, 11));
    // Pieces small and large: the gathering buffer starts small and grows past them.
    for (const [from, to] of [[0, 10], [10, 3000], [3000, Math.min(size, 40_000)], [Math.min(size, 40_000), size]] as const) {
      await sleep(20);
      if (to > from) client.write(body.subarray(from, to));
    }
    const answer = await new Promise<Buffer>((r) => client.once('data', r));
    expect(answer.equals(encodeHeader(0, 100))).toBe(true);
    expect(seen).toHaveLength(1);
    expect(seen[0]!.equals(body)).toBe(true);
    client.destroy();
    fs.destroy();
    await next.catch(() => null);
  });

  it('an inline answer and a later written one reach the peer in order', async () => {
    const { fs, client } = await pair();
    fs.inline = (cmd) => (cmd === 111 ? encodeHeader(0, 100) : null);
    const header = fs.readHeader();
    client.write(encodeHeader(0, 111));
    await sleep(20);
    client.write(encodeHeader(0, 112));
    expect((await header)!.cmd).toBe(112);
    await fs.write(Buffer.from('second'));
    const bytes: Buffer[] = [];
    await new Promise<void>((r) => client.on('data', (d: Buffer) => { bytes.push(d); if (Buffer.concat(bytes).length >= 16) r(); }));
    const all = Buffer.concat(bytes);
    expect(all.subarray(0, 10).equals(encodeHeader(0, 100))).toBe(true);
    expect(all.subarray(10).toString()).toBe('second');
    client.destroy();
    fs.destroy();
  });
});
