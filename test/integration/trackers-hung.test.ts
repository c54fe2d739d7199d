// A hung tracker (SIGSTOP: it accepts connections but never answers) costs one short timeout, not 30 s per
// command: the client asks the next tracker, and remembers the hung one for its later calls.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { FdfsClient } from '../../src/client/index.js';
import { startStorage, startTracker, stopAll, waitAllActive, type StorageHandle, type TrackerHandle } from '../helpers/cluster.js';
import { runCli } from '../helpers/proc.js';

let hung: TrackerHandle;
let alive: TrackerHandle;
let storage: StorageHandle;

beforeAll(async () => {
  hung = await startTracker();
  alive = await startTracker();
  storage = await startStorage({ trackers: [hung.address, alive.address] });
  for (const t of [hung, alive]) {
    const c = new FdfsClient({ trackers: [t.address] });
    try {
      await waitAllActive(c, [storage]);
    } finally {
      c.close();
    }
  }
  hung.proc.child!.kill('SIGSTOP');
});

afterAll(async () => {
  hung?.proc.child?.kill('SIGCONT');
  await stopAll([storage, hung, alive]);
});

describe('a hung first tracker', () => {
  it('the CLI fails over to the next tracker after a short answer timeout (well before 15 s)', async () => {
    // The guard is the run's 15 s limit: the old 30 s network timeout would have been killed by it (code -1).
    const r = await runCli(['upload', '-', '--ext', 'txt', '-t', hung.address, '-t', alive.address], { input: 'via the other tracker', timeoutMs: 15_000 });
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    expect(r.stdout).toMatch(/^group1\/M00\/\S+\.txt\n$/);
    const back = await runCli(['download', r.stdout.trim(), '-', '--timeout', '2', '-t', hung.address, '-t', alive.address], { timeoutMs: 15_000 });
    expect({ code: back.code, stdout: back.stdout }).toEqual({ code: 0, stdout: 'via the other tracker' });
    const viaEnv = await runCli(['exists', r.stdout.trim(), '-t', hung.address, '-t', alive.address], { env: { FDFS_TIMEOUT: '2' }, timeoutMs: 15_000 });
    expect({ code: viaEnv.code, stdout: viaEnv.stdout }).toEqual({ code: 0, stdout: 'yes\n' });
  });

  it('the library remembers the hung tracker: later calls in the process go straight to the other one', async () => {
    const client = new FdfsClient({ trackers: [hung.address, alive.address], trackerTimeout: 2 });
    try {
      expect((await client.listGroups()).map((g) => g.groupName)).toEqual(['group1']);
      const first = client.trackerHealth();
      expect(first[0]).toMatchObject({ address: hung.address, failures: 1, lastOkAt: null });
      expect(first[0]!.lastError).toMatch(/timed out/);
      expect(first[0]!.avoidUntil).toBeGreaterThan(Date.now());
      for (let i = 0; i < 3; i++) await client.listGroups();
      // Not asked again: still the one failure.
      expect(client.trackerHealth()[0]).toMatchObject({ failures: 1 });
      expect(client.trackerHealth()[1]).toMatchObject({ address: alive.address, failures: 0, avoidUntil: null });
    } finally {
      client.close();
    }
  });
});
