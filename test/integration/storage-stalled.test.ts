// A storage that stops answering in the middle of a request (SIGSTOP: connections stay open, nothing moves)
// costs a client the network timeout (10 s by default; a large write already queued adds one more period, Node's
// rule), not stock's half minute, and the client says so.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { randomBytes } from 'node:crypto';
import { FdfsClient } from '../../src/client/index.js';
import { startStorage, startTracker, stopAll, waitAllActive, type StorageHandle, type TrackerHandle } from '../helpers/cluster.js';

let tracker: TrackerHandle;
let storage: StorageHandle;
let client: FdfsClient;

beforeAll(async () => {
  tracker = await startTracker({ conf: { check_active_interval: 120 } });
  storage = await startStorage({ trackers: [tracker.address], conf: { work_threads: 1 } });
  client = new FdfsClient({ trackers: [tracker.address] });
  await waitAllActive(client, [storage]);
});

afterAll(async () => {
  storage?.proc.child?.kill('SIGCONT');
  client?.close();
  await stopAll([storage, tracker]);
});

describe('a stalled storage', () => {
  it('fails an upload within the default network timeout instead of hanging for 30 s', async () => {
    const id = await client.upload(randomBytes(1000));
    expect(id).toMatch(/^group1\//);
    storage.proc.child!.kill('SIGSTOP');
    // A guard against the old 30 s, not a benchmark: the timeout is 10 s.
    const outcome = await Promise.race([
      client.upload(randomBytes(4000)).then(() => 'stored', (err: Error) => err.message),
      new Promise<string>((r) => setTimeout(() => r('still waiting after 25 s'), 25_000)),
    ]);
    expect(outcome).not.toBe('stored');
    expect(outcome).not.toBe('still waiting after 25 s');
    expect(outcome).toMatch(/stopped answering during the upload \(nothing moved for 10 s; 4000 of 4000 bytes sent; nothing was stored\)/);
    storage.proc.child!.kill('SIGCONT');
    expect((await client.downloadToBuffer(id)).length).toBe(1000);
  }, 40_000);
});
