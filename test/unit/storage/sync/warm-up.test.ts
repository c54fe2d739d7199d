// The owner's sync-sender warm-up (sync/warm-up.ts), in process over real loopback connections: it pushes its
// own half of the records to the scratch receiver and removes its folder; with a daily replication window set it
// does not run at all (the window may be closed, and the scratch sender would only wait).
import { describe, it, expect, afterAll } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defaultStorageConfig } from '../../../../src/config/index.js';
import { parseTimeOfDay } from '../../../../src/config/values.js';
import { createLogger } from '../../../../src/log.js';
import { memoryScratchRoot } from '../../../../src/net/scratch-folder.js';
import { DEFAULT_SENDER_WARM_UP, warmUpSender } from '../../../../src/storage/sync/warm-up.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'fdfs-sender-warm-up-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const silent = createLogger({ level: 'silent' });
const shared = { progress: { noteReceived: () => {} }, trunk: undefined };

function config(name: string, window?: [string, string]) {
  const dir = path.join(root, name);
  return defaultStorageConfig({
    basePath: dir, storePaths: [dir], groupName: 'group1', trackerServers: [{ hosts: ['127.0.0.1'], port: 1 }], subdirCountPerPath: 4,
    ...(window ? { syncStartTime: parseTimeOfDay(window[0]), syncEndTime: parseTimeOfDay(window[1]) } : {}),
  });
}

describe('sync sender warm-up', () => {
  it('pushes every own file of the scratch binlog through three senders in turn, then removes its folder', async () => {
    const c = config('plain');
    const done = await warmUpSender(c, shared, silent, { ...DEFAULT_SENDER_WARM_UP, records: 61 });
    expect(done).not.toBeNull();
    expect(done!.pushed).toBe(31); // records 0, 2, …, 60 are its own; the odd ones are replicas it passes over
    expect(existsSync(done!.folder)).toBe(false);
    // Nothing of it on the store's filesystem when a memory filesystem took it; else nothing left there.
    const data = path.join(c.basePath, 'data');
    if (memoryScratchRoot() !== null) expect(existsSync(data)).toBe(false);
    else expect(readdirSync(data)).toEqual([]);
  });

  it('does not run when a daily sync_start_time–sync_end_time window is set', async () => {
    const c = config('window', ['01:00', '02:00']);
    expect(await warmUpSender(c, shared, silent, DEFAULT_SENDER_WARM_UP)).toBeNull();
    expect(existsSync(path.join(c.basePath, 'data'))).toBe(false);
  });
});
