// allow_hosts (§10.5) on a real tracker and storage: single addresses, bracket ranges and CIDR blocks admit
// clients bound to those 127.x addresses; any other address is closed right after accept (and logged).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { FdfsClient } from '../../src/client/index.js';
import { StatusError } from '../../src/errors.js';
import { StorageStatus } from '../../src/protocol/codes.js';
import { allocHost, startTracker, startStorage, stopAll, waitFor, type TrackerHandle, type StorageHandle } from '../helpers/cluster.js';

let tracker: TrackerHandle;
let storage: StorageHandle;
const trackerHost = allocHost();
const storageHost = allocHost();
// Two consecutive client addresses for a bracket range, one for a CIDR block, one allowed nowhere.
const ranged = [allocHost(), allocHost()];
const cidr = allocHost();
const stranger = allocHost();
const clients: FdfsClient[] = [];

function clientFrom(localAddress: string): FdfsClient {
  const c = new FdfsClient({ trackers: [tracker.address], localAddress, connectTimeout: 5, networkTimeout: 10 });
  clients.push(c);
  return c;
}

beforeAll(async () => {
  const last = (h: string) => h.slice(h.lastIndexOf('.') + 1);
  const prefix = ranged[0]!.slice(0, ranged[0]!.lastIndexOf('.'));
  tracker = await startTracker({
    host: trackerHost,
    conf: { allow_hosts: [storageHost, `${prefix}.[${last(ranged[0]!)}-${last(ranged[1]!)}]`, `${cidr}/32`] },
  });
  // The storage admits the CIDR client and the first ranged one only.
  storage = await startStorage({ trackers: [tracker.address], host: storageHost, conf: { allow_hosts: [`${cidr}/32`, ranged[0]!] } });
  const admin = clientFrom(ranged[0]!);
  await waitFor('storage ACTIVE', async () => { const s = (await admin.listStorages('group1'))[0]; return s?.status === StorageStatus.Active && s.freeMb > 0; });
});

afterAll(async () => {
  for (const c of clients) c.close();
  await stopAll([storage, tracker]);
});

describe('allow_hosts', () => {
  it('admits clients from listed addresses, ranges and CIDR blocks on tracker and storage', async () => {
    for (const from of [ranged[0]!, cidr]) {
      const c = clientFrom(from);
      const id = await c.upload(Buffer.from(`from ${from}`), { ext: 'txt' });
      expect((await c.downloadToBuffer(id)).toString()).toBe(`from ${from}`);
    }
  });

  it('closes connections from any other address: the tracker refuses a stranger', async () => {
    const c = clientFrom(stranger);
    const err = await c.listGroups().then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(StatusError);
    await waitFor('refusal logged', async () => tracker.proc.output.includes(stranger) && /refused by allow_hosts/.test(tracker.proc.output), 5000);
  });

  it('the storage applies its own list: a client the tracker admits is refused by the storage', async () => {
    const c = clientFrom(ranged[1]!);
    expect((await c.listGroups()).map((g) => g.groupName)).toEqual(['group1']);
    await expect(c.upload(Buffer.from('blocked'), { ext: 'txt' })).rejects.not.toBeInstanceOf(StatusError);
    await waitFor('refusal logged by the storage', async () => storage.proc.output.includes(ranged[1]!), 5000);
  });
});
