// A storage bound to 0.0.0.0 (issue 11 item 1): it must go by the address its tracker sees it come from,
// never 0.0.0.0 — in the tracker's list, in new file IDs, in its own peer list (no mark file for itself) and in
// the tracker's HTTP redirects.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync, readdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { FdfsClient } from '../../src/client/index.js';
import { StorageStatus } from '../../src/protocol/codes.js';
import { startTracker, startStorage, stopAll, waitFor, type TrackerHandle, type StorageHandle } from '../helpers/cluster.js';

/** A port free on every address (a wildcard bind collides with any other test's 127.x listener on that port). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '0.0.0.0', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

// Seen from a tracker on 127.x.y.z, a socket bound to 0.0.0.0 comes from 127.0.0.1 (the loopback route's source).
const SEEN_AS = '127.0.0.1';
let tracker: TrackerHandle;
let storage: StorageHandle;
let client: FdfsClient;
let trackerHttp = 0;
let storageHttp = 0;

beforeAll(async () => {
  // Debug logs show when the member list arrived (the moment a sender to a wrong "peer" would start).
  process.env.FDFS_TEST_LOG_LEVEL = 'debug';
  trackerHttp = await freePort();
  storageHttp = await freePort();
  tracker = await startTracker({ port: await freePort(), conf: { 'http.server_port': trackerHttp } });
  storage = await startStorage({
    trackers: [tracker.address], host: '0.0.0.0', port: await freePort(),
    conf: { 'http.server_port': storageHttp },
  });
  delete process.env.FDFS_TEST_LOG_LEVEL;
  client = new FdfsClient({ trackers: [tracker.address] });
  await waitFor('storage ACTIVE', async () => (await client.listStorages('group1'))[0]?.status === StorageStatus.Active);
});

afterAll(async () => {
  client?.close();
  await stopAll([storage, tracker]);
});

describe('fdfs serve with bind_addr = 0.0.0.0', () => {
  it('is listed by the address it reaches the tracker from, and new file IDs carry that address', async () => {
    const list = await client.listStorages('group1');
    expect(list.map((s) => s.ipAddr)).toEqual([SEEN_AS]);
    const id = await client.upload(Buffer.from('wildcard'), { ext: 'txt' });
    expect(client.decodeFileId(id).source).toEqual({ ipv4: SEEN_AS });
    expect((await client.downloadToBuffer(id)).toString()).toBe('wildcard');
    // Right on one host, but it says what other hosts would get.
    expect(storage.proc.output).toMatch(/reaching the tracker over loopback: other hosts would be sent to 127\.0\.0\.1/);
  });

  it('does not take itself for a replication peer (no mark file for itself)', async () => {
    const syncDir = path.join(storage.dir, 'data', 'sync');
    await client.upload(Buffer.from('second'), { ext: 'txt' });
    // The binlog is flushed every second; a sender to itself would then have written its mark.
    await waitFor('binlog written', async () => readdirSync(syncDir).some((f) => f.startsWith('binlog.')));
    // The leader's member list (logged at debug) is what starts a sender per peer.
    await waitFor('member list received', async () => /"group members"/.test(storage.proc.output));
    expect(storage.proc.output).not.toMatch(/replicating to peer/);
    expect(readdirSync(syncDir).filter((f) => f.endsWith('.mark'))).toEqual([]);
    expect(existsSync(path.join(syncDir, `${SEEN_AS}_${storage.port}.mark`))).toBe(false);
    expect(storage.proc.output).not.toMatch(/0\.0\.0\.0_\d+\.mark/);
  });

  it('the tracker HTTP entry redirects to that address, and following it downloads the file', async () => {
    const id = await client.upload(Buffer.from('via http'), { ext: 'txt' });
    const r = await fetch(`http://${tracker.host}:${trackerHttp}/${id}`, { redirect: 'manual' });
    expect(r.status).toBe(302);
    expect(new URL(r.headers.get('location')!).hostname).toBe(SEEN_AS);
    const followed = await fetch(`http://${tracker.host}:${trackerHttp}/${id}`);
    expect(followed.status).toBe(200);
    expect(await followed.text()).toBe('via http');
  });
});
