// Appender files end to end (spec §5.3, §5.4): upload, append, modify, truncate and regenerate through our
// client, our CLI and the npm `fdfs` client against real tracker + storage processes; contents checked byte for byte.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import zlib from 'node:zlib';
import { FdfsClient } from '../../src/client/index.js';
import { StorageStatus } from '../../src/protocol/codes.js';
import { Errno, LengthMismatchError } from '../../src/errors.js';
import { startTracker, startStorage, stopAll, waitFor, tempDir, type TrackerHandle, type StorageHandle } from '../helpers/cluster.js';
import { runCli } from '../helpers/proc.js';
import { RawConnection } from '../helpers/raw-connection.js';
import { encodeAppendHead, encodeModifyHead } from '../../src/protocol/storage-file.js';

const require = createRequire(import.meta.url);
// eslint-disable-next-line @typescript-eslint/no-require-imports
const NpmFdfs = require('fdfs') as new (cfg: unknown) => {
  upload(file: Buffer | string, opts?: unknown): Promise<string>;
};

let tracker: TrackerHandle;
let storage: StorageHandle;
let client: FdfsClient;
const work = tempDir('fdfs-api-appender-');

const text = async (id: string) => (await client.downloadToBuffer(id)).toString('latin1');
const binlog = () => readFileSync(path.join(storage.dir, 'data', 'sync', 'binlog.000'), 'utf8');
const logical = (id: string) => id.slice(id.indexOf('/') + 1);
/** Hidden temp files under the storage's data directories. */
const tempFiles = (dir: string) => (readdirSync(path.join(dir, 'data'), { recursive: true }) as string[]).filter((f) => /(^|\/)\.[^/]*\.tmp$/.test(f));

beforeAll(async () => {
  tracker = await startTracker();
  storage = await startStorage({ trackers: [tracker.address] });
  client = new FdfsClient({ trackers: [tracker.address] });
  await waitFor('storage ACTIVE', async () => { const s = (await client.listStorages('group1'))[0]; return s?.status === StorageStatus.Active && s.freeMb > 0; });
});

afterAll(async () => {
  client?.close();
  await stopAll([storage, tracker]);
});

describe('appender files through our client', () => {
  it('runs the verified stock sequence: modify(2,"AB"), append("XYZ"), truncate(5)', async () => {
    const id = await client.uploadAppender(Buffer.from('0123456789'), { ext: 'txt' });
    expect(client.decodeFileId(id).kind).toBe('appender');
    await client.modify(id, 2, Buffer.from('AB'));
    expect(await text(id)).toBe('01AB456789');
    await client.append(id, Buffer.from('XYZ'));
    expect(await text(id)).toBe('01AB456789XYZ');
    await client.truncate(id, 5);
    expect(await text(id)).toBe('01AB4');
    // The storage logs each change for replication: M name offset length, A name offset length, T name old new.
    const name = logical(id).replace(/[.]/g, '\\.');
    await waitFor('binlog A/M/T lines', async () => {
      const b = binlog();
      return new RegExp(`^\\d+ M ${name} 2 2$`, 'm').test(b) && new RegExp(`^\\d+ A ${name} 10 3$`, 'm').test(b) &&
        new RegExp(`^\\d+ T ${name} 13 5$`, 'm').test(b);
    }, 5000);
  });

  it('names appender files with the appender flag; info asks the storage for the current size and CRC', async () => {
    const id = await client.uploadAppender(Buffer.from('start'), { ext: 'log' });
    const d = client.decodeFileId(id);
    expect(d.kind).toBe('appender');
    expect(d.size).toBeUndefined();
    expect((d.sizeField >> 58n) & 1n).toBe(1n);
    expect(d.sizeField & 0xffffffffn).toBe(0n);
    expect(d.crc32).toBe(zlib.crc32(Buffer.from('start')));
    await client.append(id, Buffer.from('-more'));
    const info = await client.info(id);
    expect(info).toMatchObject({ kind: 'appender', size: 10, crc32: zlib.crc32(Buffer.from('start-more')), sourceIp: storage.host });
    // The name still carries the CRC of the initial content.
    expect(client.decodeFileId(id).crc32).toBe(zlib.crc32(Buffer.from('start')));
  });

  it('appends to an empty appender file and accepts zero-length appends and modifies', async () => {
    const id = await client.uploadAppender(Buffer.alloc(0));
    expect((await client.info(id)).size).toBe(0);
    await client.append(id, Buffer.alloc(0));
    await client.modify(id, 0, Buffer.alloc(0));
    expect((await client.info(id)).size).toBe(0);
    await client.append(id, Buffer.from('abc'));
    await client.append(id, Buffer.from('def'));
    expect(await text(id)).toBe('abcdef');
  });

  it('modifies at the end (extends), refuses an offset past the end with EINVAL and keeps the content', async () => {
    const id = await client.uploadAppender(Buffer.from('12345'));
    await client.modify(id, 5, Buffer.from('67'));
    expect(await text(id)).toBe('1234567');
    await client.modify(id, 6, Buffer.from('ABC'));
    expect(await text(id)).toBe('123456ABC');
    await expect(client.modify(id, 10, Buffer.from('x'))).rejects.toMatchObject({ errno: Errno.EINVAL });
    expect(await text(id)).toBe('123456ABC');
    // The client is still usable after the storage closed that connection.
    await client.append(id, Buffer.from('!'));
    expect(await text(id)).toBe('123456ABC!');
  });

  it('truncates to the current size (no-op), to 0, and larger (zero-filled)', async () => {
    const id = await client.uploadAppender(Buffer.from('abcdef'));
    await client.truncate(id, 6);
    expect(await text(id)).toBe('abcdef');
    await client.truncate(id, 9);
    expect(await client.downloadToBuffer(id)).toEqual(Buffer.from('abcdef\0\0\0', 'latin1'));
    await client.truncate(id);
    expect((await client.info(id)).size).toBe(0);
    expect((await client.downloadToBuffer(id)).length).toBe(0);
    await client.append(id, Buffer.from('again'));
    expect(await text(id)).toBe('again');
  });

  it('streams appends from a file path and a stream of unknown size', async () => {
    const id = await client.uploadAppender(Buffer.from('head|'));
    const f = path.join(work, 'part.bin');
    writeFileSync(f, 'from-file|');
    await client.append(id, f);
    async function* gen() {
      yield Buffer.from('from-');
      yield Buffer.from('stream');
    }
    await client.append(id, gen());
    expect(await text(id)).toBe('head|from-file|from-stream');
  });

  it('refuses a stream shorter or longer than its declared size, changes nothing, and keeps working', async () => {
    const id = await client.uploadAppender(Buffer.from('base'), { ext: 'log' });
    async function* gen(n: number) { yield Buffer.alloc(n, 0x61); }
    await expect(client.append(id, gen(3), { size: 5 })).rejects.toBeInstanceOf(LengthMismatchError);
    await expect(client.append(id, gen(8), { size: 5 })).rejects.toBeInstanceOf(LengthMismatchError);
    await expect(client.upload(gen(8), { size: 5, ext: 'bin' })).rejects.toBeInstanceOf(LengthMismatchError);
    expect(await text(id)).toBe('base');
    await client.append(id, gen(2), { size: 2 });
    expect(await text(id)).toBe('baseaa');
  });

  // A body still arriving, or cut off, is never seen by readers and changes nothing: held in memory up to
  // buff_size, in a hidden temp file past it.
  for (const size of [100, 400 << 10]) {
    it(`an append or modify of ${size} bytes still arriving is not visible; cut off, it changes nothing`, async () => {
      const id = await client.uploadAppender(Buffer.from('base'), { ext: 'log' });
      const name = logical(id);
      const heads = [encodeAppendHead({ filename: name, fileSize: size }), encodeModifyHead({ filename: name, fileOffset: 0, fileSize: size })];
      for (const head of heads) {
        const raw = await RawConnection.connect(storage);
        raw.socket.write(Buffer.concat([head, Buffer.alloc(size >> 1, 0x61)]));
        await new Promise((r) => setTimeout(r, 300));
        expect(await text(id)).toBe('base');
        expect((await client.info(id)).size).toBe(4);
        raw.socket.destroy();
        await waitFor('the storage let go of the cut request', async () => tempFiles(storage.dir).length === 0);
        expect(await text(id)).toBe('base');
      }
      const raw = await RawConnection.connect(storage);
      const answer = await raw.ask(Buffer.concat([heads[0]!, Buffer.alloc(size, 0x62)]));
      expect(answer.readUInt8(9)).toBe(0);
      raw.socket.destroy();
      expect(await text(id)).toBe('base' + 'b'.repeat(size));
    });
  }

  it('refuses appender operations on a normal file (EINVAL) and on a missing one (ENOENT)', async () => {
    const normal = await client.upload(Buffer.from('normal'), { ext: 'txt' });
    await expect(client.append(normal, Buffer.from('x'))).rejects.toMatchObject({ errno: Errno.EINVAL });
    await expect(client.truncate(normal, 0)).rejects.toMatchObject({ errno: Errno.EINVAL });
    await expect(client.regenerateAppenderFilename(normal)).rejects.toMatchObject({ errno: Errno.EINVAL });
    expect(await text(normal)).toBe('normal');
    const gone = await client.uploadAppender(Buffer.from('bye'));
    await client.delete(gone);
    await expect(client.append(gone, Buffer.from('x'))).rejects.toMatchObject({ errno: Errno.ENOENT });
  });

  it('regenerates a normal name: same directory and extension digits, final size and CRC, old name gone', async () => {
    const id = await client.uploadAppender(Buffer.from('01234'), { ext: 'log' });
    await client.append(id, Buffer.from('56789'));
    const fresh = await client.regenerateAppenderFilename(id);
    expect(fresh).not.toBe(id);
    expect(fresh.slice(0, 'group1/M00/00/00/'.length)).toBe(id.slice(0, 'group1/M00/00/00/'.length));
    expect(fresh.slice(-7)).toBe(id.slice(-7));
    const d = client.decodeFileId(fresh);
    expect(d).toMatchObject({ kind: 'normal', size: 10, crc32: zlib.crc32(Buffer.from('0123456789')), source: { ipv4: storage.host } });
    expect(await text(fresh)).toBe('0123456789');
    expect(await client.exists(id)).toBe(false);
    await expect(client.append(fresh, Buffer.from('x'))).rejects.toMatchObject({ errno: Errno.EINVAL });
    const name = logical(fresh).replace(/[.]/g, '\\.');
    await waitFor('binlog R line', async () => new RegExp(`^\\d+ R ${name} ${logical(id).replace(/[.]/g, '\\.')}$`, 'm').test(binlog()), 5000);
  });
});

describe('appender files through our CLI', () => {
  const t = () => ['--tracker', tracker.address];

  it('upload --appender, append, modify, truncate, info and regenerate', async () => {
    const up = await runCli(['upload', '-', '--appender', '--ext', 'txt', ...t()], { input: '0123456789' });
    expect(up.code, up.stderr).toBe(0);
    const id = up.stdout.trim();
    const offline = await runCli(['info', id, '--offline']);
    expect(offline.stdout).toContain('file type: appender');
    expect(offline.stdout).toContain('GET FROM SERVER: false');

    expect((await runCli(['modify', id, '2', '-', ...t()], { input: 'AB' })).code).toBe(0);
    const part = path.join(work, 'xyz.txt');
    writeFileSync(part, 'XYZ');
    const app = await runCli(['append', id, part, ...t()]);
    expect(app.code, app.stderr).toBe(0);
    expect((await runCli(['download', id, '-', ...t()])).stdout).toBe('01AB456789XYZ');
    const info = await runCli(['info', id, '--json', ...t()]);
    expect(JSON.parse(info.stdout)).toMatchObject({ getFromServer: true, fileType: 'appender', fileSize: 13 });
    expect((await runCli(['truncate', id, '5', ...t()])).code).toBe(0);
    expect((await runCli(['download', id, '-', ...t()])).stdout).toBe('01AB4');

    const past = await runCli(['modify', id, '99', '-', ...t()], { input: 'x' });
    expect(past.code).not.toBe(0);
    expect(past.stderr).toMatch(/^fdfs: .*EINVAL/m);
    const badSize = await runCli(['truncate', id, '-3', ...t()]);
    expect(badSize.code).toBe(2);

    const regen = await runCli(['regenerate', id, '--json', ...t()]);
    expect(regen.code, regen.stderr).toBe(0);
    const { newFileId } = JSON.parse(regen.stdout) as { newFileId: string };
    expect((await runCli(['info', newFileId, '--offline'])).stdout).toContain('file size: 5');
    expect((await runCli(['exists', id, ...t()])).code).toBe(3);
    const yes = await runCli(['exists', newFileId, ...t()]);
    expect(yes.code).toBe(0);
    expect(yes.stdout.trim()).toBe('yes');
    expect((await runCli(['truncate', newFileId, ...t()])).code).not.toBe(0);
  });
});

describe('appender files through the npm fdfs client', () => {
  const npm = () => new NpmFdfs({ trackers: [{ host: tracker.host, port: tracker.port }], timeout: 10_000, logger: { log() {} } });

  it('uploadAppender, append and modify land byte for byte', async () => {
    const c = npm();
    const id = await c.upload(Buffer.from('0123456789'), { method: 'uploadAppender', ext: 'txt' });
    expect(client.decodeFileId(id).kind).toBe('appender');
    await c.upload(Buffer.from('AB'), { method: 'modify', fileId: id, offset: 2 });
    await c.upload(Buffer.from('XYZ'), { method: 'append', fileId: id });
    expect(await text(id)).toBe('01AB456789XYZ');
    // Our client continues where theirs left off.
    await client.truncate(id, 5);
    expect(await text(id)).toBe('01AB4');
    await c.upload(Buffer.from('!'), { method: 'append', fileId: id });
    expect(await text(id)).toBe('01AB4!');
  });
});
