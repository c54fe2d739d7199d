// `fdfs bench` against a real tracker and storage: every phase runs every operation, --json gives the
// figures per phase, text gives one line per phase; a bad size is refused before anything is uploaded.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { FdfsClient } from '../../src/client/index.js';
import { startStorage, startTracker, stopAll, waitAllActive, type StorageHandle, type TrackerHandle } from '../helpers/cluster.js';
import { runCli } from '../helpers/proc.js';
import { expectPlainFailure } from '../helpers/cli-expect.js';

let tracker: TrackerHandle;
let storage: StorageHandle;
let client: FdfsClient;
const t = () => ['--tracker', tracker.address];

beforeAll(async () => {
  tracker = await startTracker();
  storage = await startStorage({ trackers: [tracker.address] });
  client = new FdfsClient({ trackers: [tracker.address] });
  await waitAllActive(client, [storage]);
});

afterAll(async () => {
  client?.close();
  await stopAll([storage, tracker]);
});

describe('fdfs bench', () => {
  it('--json --delete: upload, download and delete phases, each with every operation done and no errors', async () => {
    const r = await runCli(['bench', '-n', '12', '-s', '1KB', '-c', '3', '--delete', '--json', ...t()]);
    expect(r.code, r.stderr).toBe(0);
    const { results } = JSON.parse(r.stdout) as { results: Array<Record<string, number | string>> };
    expect(results.map((p) => p.phase)).toEqual(['upload', 'download', 'delete']);
    for (const p of results) {
      expect(p).toMatchObject({ ops: 12, errors: 0 });
      expect(Object.keys(p).sort()).toEqual(['errors', 'maxMs', 'mbPerSec', 'opsPerSec', 'ops', 'p50Ms', 'p99Ms', 'phase', 'seconds'].sort());
      expect(p.opsPerSec).toBeGreaterThan(0);
    }
  });

  it('text: a header, then one line per phase with ops/s and latencies', async () => {
    const r = await runCli(['bench', '-n', '4', '-s', '100', '-c', '2', ...t()]);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe('4 files × 100 bytes, concurrency 2');
    expect(lines.slice(1).map((l) => l.split(/\s+/)[0])).toEqual(['upload', 'download']);
    for (const l of lines.slice(1)) expect(l).toMatch(/^\w+\s+4 ops in [\d.]+ s: [\d.]+ ops\/s, [\d.]+ MB\/s, latency p50 [\d.]+ ms, p99 [\d.]+ ms, max [\d.]+ ms$/);
  });

  it('refuses a bad size in one line before contacting anything, and out-of-range counts (exit 2)', async () => {
    expectPlainFailure(await runCli(['bench', '-s', 'xyz', ...t()]), 5, /^fdfs: bad value "xyz": not a size/);
    const zero = await runCli(['bench', '-n', '0', ...t()]);
    expect(zero.code).toBe(2);
    expect(zero.stderr).toMatch(/Expected an integer greater than or equal to 1/);
  });
});
