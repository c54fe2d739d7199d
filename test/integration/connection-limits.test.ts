// max_connections cannot be used to lock clients out: connections that sit idle give their slot to new
// ones (the longest idle first), while busy connections are never cut; and one address cannot take more than
// max_connections_per_host of them. Real tracker and storage.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { randomBytes } from 'node:crypto';
import { Connection } from '../../src/net/connection.js';
import { CommonCmd } from '../../src/protocol/codes.js';
import { encodeHeader } from '../../src/protocol/header.js';
import { FdfsClient } from '../../src/client/index.js';
import { allocHost, startStorage, startTracker, stopAll, waitAllActive, type StorageHandle, type TrackerHandle } from '../helpers/cluster.js';

const MAX = 6;
const PER_HOST = 3;
let tracker: TrackerHandle;
let storage: StorageHandle;
/** A tracker whose slots one address may fill only in part. */
let capped: TrackerHandle;

beforeAll(async () => {
  // These tests fill every slot from one address: the per-host cap is as high as the total.
  tracker = await startTracker({ conf: { max_connections: MAX, max_connections_per_host: MAX } });
  capped = await startTracker({ conf: { max_connections: 4 * PER_HOST, max_connections_per_host: PER_HOST } });
  storage = await startStorage({ trackers: [tracker.address], conf: { max_connections: MAX, max_connections_per_host: MAX, work_threads: 1 } });
  const c = new FdfsClient({ trackers: [tracker.address] });
  await waitAllActive(c, [storage]);
  c.close();
});

afterAll(async () => {
  await stopAll([storage, tracker, capped]);
});

/** `n` connections to `host:port` that each answer one ACTIVE_TEST and then stay open, idle. */
async function idlers(host: string, port: number, n: number, localAddress?: string): Promise<Connection[]> {
  const conns: Connection[] = [];
  for (let i = 0; i < n; i++) {
    const c = await Connection.connect(host, port, { connectTimeout: 5, networkTimeout: 10, localAddress });
    await c.call(encodeHeader(0, CommonCmd.ActiveTest, 0), { cmd: CommonCmd.ActiveTest, maxBody: 0 });
    conns.push(c);
  }
  return conns;
}

describe('max_connections filled with idle connections', () => {
  it('still serves uploads and downloads: the longest-idle connections are closed for the new ones', async () => {
    const held = [
      // The storage's own connection to the tracker takes the last slot there.
      ...await idlers(tracker.host, tracker.port, MAX - 1),
      ...await idlers(storage.host, storage.port, MAX),
    ];
    try {
      await new Promise((r) => setTimeout(r, 1200));
      const client = new FdfsClient({ trackers: [tracker.address], connectTimeout: 3, networkTimeout: 5 });
      try {
        const data = randomBytes(2000);
        const id = await client.upload(data);
        expect((await client.downloadToBuffer(id)).equals(data)).toBe(true);
      } finally {
        client.close();
      }
    } finally {
      for (const c of held) c.destroy();
    }
  });

  it('refuses a new connection while every slot is busy within the last second', async () => {
    // The first test's connections are gone once the storage has seen them close.
    await new Promise((r) => setTimeout(r, 300));
    const held = await idlers(storage.host, storage.port, MAX);
    try {
      // Fresh from their request: not idle long enough to give up their slots.
      const extra = await Connection.connect(storage.host, storage.port, { connectTimeout: 3, networkTimeout: 3 })
        .then((c) => c.call(encodeHeader(0, CommonCmd.ActiveTest, 0), { cmd: CommonCmd.ActiveTest, maxBody: 0 }).finally(() => c.destroy()))
        .then(() => 'served', (err: Error) => err.message);
      expect(extra).not.toBe('served');
    } finally {
      for (const c of held) c.destroy();
    }
  });
});

/** 'served' when one ACTIVE_TEST from `localAddress` is answered, else the error. */
function activeTest(server: TrackerHandle, localAddress: string): Promise<string> {
  return Connection.connect(server.host, server.port, { connectTimeout: 3, networkTimeout: 3, localAddress })
    .then((c) => c.call(encodeHeader(0, CommonCmd.ActiveTest, 0), { cmd: CommonCmd.ActiveTest, maxBody: 0 }).finally(() => c.destroy()))
    .then(() => 'served', (err: Error) => err.message);
}

describe('max_connections_per_host', () => {
  it('one address holding its share of busy connections is refused more, while another address is served', async () => {
    const greedy = allocHost();
    const held = await idlers(capped.host, capped.port, PER_HOST, greedy);
    try {
      expect(await activeTest(capped, greedy)).not.toBe('served');
      expect(await activeTest(capped, allocHost())).toBe('served');
      // Once idle, the greedy address's own oldest connection gives its slot to its new one.
      await new Promise((r) => setTimeout(r, 1200));
      expect(await activeTest(capped, greedy)).toBe('served');
    } finally {
      for (const c of held) c.destroy();
    }
  });
});
