// A storage that restarts to recover a lost disk is never listed ACTIVE before its recovery ends, even by a
// tracker that missed the crash: here the storage reaches the tracker through a relay that, like a host gone
// dark, keeps the dead process's connection open, so the tracker still lists it ACTIVE when it comes back.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import net from 'node:net';
import { rmSync } from 'node:fs';
import { FdfsClient } from '../../src/client/index.js';
import { StorageStatus } from '../../src/protocol/codes.js';
import {
  allocHost, restartStorage, startStorage, startTracker, stopAll, storageStatus, tempDir, waitAllActive, waitFor,
  type StorageHandle, type TrackerHandle,
} from '../helpers/cluster.js';
import { missingAt } from '../helpers/storage-direct.js';

let tracker: TrackerHandle;
let s1: StorageHandle;
let s2: StorageHandle;
let client: FdfsClient;
let relay: net.Server;
const relayed = new Set<net.Socket>();
const disk = tempDir('fdfs-disk-');

/** Forwards to the tracker from the caller's own address; a caller that dies leaves the tracker side open. */
async function startRelay(target: TrackerHandle): Promise<string> {
  const host = allocHost();
  relay = net.createServer((from) => {
    const to = net.connect({ host: target.host, port: target.port, localAddress: from.remoteAddress });
    relayed.add(from).add(to);
    from.on('data', (b) => to.write(b));
    to.on('data', (b) => from.write(b));
    from.on('error', () => {});
    to.on('error', () => from.destroy());
    to.on('close', () => from.destroy());
  });
  await new Promise<void>((resolve) => relay.listen(target.port, host, resolve));
  return `${host}:${target.port}`;
}

beforeAll(async () => {
  // A long liveness check: the tracker relies on the connection, as it would for a crash it cannot see.
  tracker = await startTracker({ conf: { check_active_interval: 120 } });
  const viaRelay = await startRelay(tracker);
  s1 = await startStorage({ trackers: [tracker.address] });
  s2 = await startStorage({ trackers: [viaRelay], conf: { store_path0: disk } });
  client = new FdfsClient({ trackers: [tracker.address] });
  await waitAllActive(client, [s1, s2]);
});

afterAll(async () => {
  client?.close();
  for (const s of relayed) s.destroy();
  relay?.close();
  await stopAll([s1, s2, tracker]);
  rmSync(disk, { recursive: true, force: true });
});

describe('a storage restarting to recover a lost disk', () => {
  it('is RECOVERY at the tracker while it waits for a peer to recover from, and ACTIVE only once recovered', async () => {
    const id = await client.upload(Buffer.from('held by both'), { ext: 'txt' });
    await waitFor('on s2', async () => (await missingAt(s2.address, [id])).length === 0, 15_000);
    await s2.proc.kill();
    expect(await storageStatus(client, s2.host)).toBe(StorageStatus.Active);
    // Its only source is away: the recovery must wait, the tracker must not send readers to s2 meanwhile.
    await s1.proc.stop();
    rmSync(disk, { recursive: true, force: true });
    await restartStorage(s2);
    await waitFor('s2 waiting for a source', async () => /disk recovery failed; retrying/.test(s2.proc.output), 15_000);
    expect(await storageStatus(client, s2.host)).toBe(StorageStatus.Recovery);
    await restartStorage(s1);
    await waitFor('s2 ACTIVE again', async () => (await storageStatus(client, s2.host)) === StorageStatus.Active, 30_000, 200);
    expect(s2.proc.output).toMatch(/store path recovered/);
    expect(await missingAt(s2.address, [id])).toEqual([]);
  });
});
