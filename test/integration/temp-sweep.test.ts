// A storage killed with -9 in the middle of an upload leaves its temp file behind; the next run removes it in
// the background, and never touches the temp files of uploads that run now.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import net from 'node:net';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { FdfsClient } from '../../src/client/index.js';
import { BufWriter } from '../../src/protocol/buf.js';
import { StorageCmd, StorageStatus } from '../../src/protocol/codes.js';
import { restartStorage, startStorage, startTracker, stopAll, waitFor, type StorageHandle, type TrackerHandle } from '../helpers/cluster.js';

let tracker: TrackerHandle;
let storage: StorageHandle;
let client: FdfsClient;

function tempFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir)) {
      const p = path.join(dir, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (/^\..*\.tmp$/.test(e)) out.push(p);
    }
  };
  walk(path.join(storage.dir, 'data'));
  return out;
}

/** An upload that announces `size` bytes, sends `sent` of them and then stalls with the socket open. */
function stalledUpload(sent: number, size = 10 << 20): net.Socket {
  const head = new BufWriter(15).u8(0).i64(size).fixed('bin', 6).finish(StorageCmd.UploadFile);
  head.writeBigInt64BE(BigInt(15 + size), 0);
  const s = net.connect({ host: storage.host, port: storage.port });
  s.on('error', () => {});
  s.write(Buffer.concat([head, Buffer.alloc(sent, 7)]));
  return s;
}

beforeAll(async () => {
  tracker = await startTracker();
  storage = await startStorage({ trackers: [tracker.address], conf: { network_timeout: 60 } });
  client = new FdfsClient({ trackers: [tracker.address] });
  await waitFor('ACTIVE', async () => (await client.listStorages('group1'))[0]?.status === StorageStatus.Active);
});

afterAll(async () => {
  client?.close();
  await stopAll([storage, tracker]);
});

describe('temp files of a crashed run', () => {
  it('are removed after a restart; temp files of running uploads are left alone', async () => {
    const before = stalledUpload(300_000);
    const orphans = await waitFor('a temp file being written', async () => {
      const t = tempFiles();
      return t.length === 1 && statSync(t[0]!).size > 0 ? t : null;
    }, 10_000);
    await storage.proc.kill();
    before.destroy();
    expect(tempFiles()).toEqual(orphans);
    await restartStorage(storage);
    const now = stalledUpload(100_000);
    try {
      await waitFor('the orphan removed', async () => !tempFiles().includes(orphans[0]!), 15_000);
      await waitFor('the sweep reported', async () => /temp files of an earlier run removed/.test(storage.proc.output), 15_000);
      expect(storage.proc.output).toMatch(/"removed":1\b/);
      const current = tempFiles();
      expect(current.length).toBe(1);
      expect(current[0]).not.toBe(orphans[0]);
    } finally {
      now.destroy();
    }
    await waitFor('ACTIVE again', async () => (await client.listStorages('group1'))[0]?.status === StorageStatus.Active, 20_000);
    const id = await client.upload(Buffer.from('after the sweep'), { ext: 'txt' });
    expect((await client.downloadToBuffer(id)).toString()).toBe('after the sweep');
    await waitFor('no temp file left', async () => tempFiles().length === 0, 10_000);
  });
});
