// Issue 14, security off (the default): servers answer the handshake commands as stock does (EINVAL), and a
// client holding a key still works with them, as it does with stock servers.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { randomBytes } from 'node:crypto';
import { FdfsClient } from '../../src/client/index.js';
import { Errno } from '../../src/errors.js';
import { Connection } from '../../src/net/connection.js';
import { encodeHelloRequest, newNonce } from '../../src/protocol/auth.js';
import { CommonCmd, FdfsAuthCmd } from '../../src/protocol/codes.js';
import { encodeHeader } from '../../src/protocol/header.js';
import { startStorage, startTracker, stopAll, waitAllActive, type StorageHandle, type TrackerHandle } from '../helpers/cluster.js';

let tracker: TrackerHandle;
let storage: StorageHandle;
let client: FdfsClient;

beforeAll(async () => {
  tracker = await startTracker();
  storage = await startStorage({ trackers: [tracker.address] });
  client = new FdfsClient({ trackers: [tracker.address], key: { id: 'app', secret: randomBytes(32) } });
  await waitAllActive(client, [storage]);
}, 40_000);

afterAll(async () => {
  client?.close();
  await stopAll([storage, tracker]);
});

describe('security off', () => {
  it('HELLO gets EINVAL like any unknown command; the tracker keeps the connection', async () => {
    const hello = encodeHelloRequest({ clientNonce: newNonce(), keyId: 'app' });
    const t = await Connection.connect(tracker.host, tracker.port);
    try {
      expect((await t.call(hello, { cmd: FdfsAuthCmd.Hello, onError: 'return' })).status).toBe(Errno.EINVAL);
      await t.call(encodeHeader(0, CommonCmd.ActiveTest), { cmd: CommonCmd.ActiveTest, maxBody: 0 });
    } finally {
      t.destroy();
    }
    const s = await Connection.connect(storage.host, storage.port);
    try {
      expect((await s.call(hello, { cmd: FdfsAuthCmd.Hello, onError: 'return' })).status).toBe(Errno.EINVAL);
    } finally {
      s.destroy();
    }
  });

  it('a client with a key uploads, downloads and deletes as without one', async () => {
    const data = randomBytes(2000);
    const id = await client.upload(data);
    expect((await client.downloadToBuffer(id)).equals(data)).toBe(true);
    await client.delete(id);
    expect(await client.exists(id)).toBe(false);
  });
});
