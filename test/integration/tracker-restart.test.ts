// A tracker restart must not make live files look deleted (issue 11 item 3). While the group's only storage
// has not re-joined, the tracker answers ENOENT as stock does; the client finds out that the group is known
// but has no ACTIVE storage and says "no storage available right now" (exit 7, not 3 = not found), the HTTP
// entry answers 503 with Retry-After, the library retries for a few seconds. Storages re-join a restarted tracker
// within seconds even with the stock 30 s heartbeat.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { FdfsClient, UnavailableError } from '../../src/client/index.js';
import { ExitCode } from '../../src/cli/exit-codes.js';
import { startTracker, startStorage, stopAll, waitAllActive, tempDir, type TrackerHandle, type StorageHandle } from '../helpers/cluster.js';
import { ServerProcess, runCli } from '../helpers/proc.js';

const TRACKER_HTTP = 8080;
const STORAGE_HTTP = 8892;
// A bound for "within seconds", far below the stock heartbeat the old behaviour waited for.
const PROMPTLY_MS = 8_000;
const DATA = randomBytes(50_000);
let tracker: TrackerHandle;
let storage: StorageHandle;
let client: FdfsClient;
let id = '';
const work = tempDir('fdfs-restart-');

beforeAll(async () => {
  tracker = await startTracker({ conf: { 'http.server_port': TRACKER_HTTP } });
  storage = await startStorage({
    trackers: [tracker.address], conf: { heart_beat_interval: 30, stat_report_interval: 60, 'http.server_port': STORAGE_HTTP },
  });
  client = new FdfsClient({ trackers: [tracker.address] });
  await waitAllActive(client, [storage]);
  id = await client.upload(DATA, { ext: 'bin' });
  // The window, held open: the storage is frozen while the tracker restarts, so it cannot re-join yet.
  process.kill(storage.proc.child!.pid!, 'SIGSTOP');
  await tracker.proc.stop();
  tracker.proc = new ServerProcess(tracker.proc.name, tracker.proc.args);
  await tracker.proc.start();
});

afterAll(async () => {
  if (storage?.proc.running) process.kill(storage.proc.child!.pid!, 'SIGCONT');
  client?.close();
  await stopAll([storage, tracker]);
});

const entry = () => `http://${tracker.host}:${TRACKER_HTTP}/${id}`;

describe('while the restarted tracker has no ACTIVE storage of the group', () => {
  it('the HTTP entry answers 503 with Retry-After, not 404', async () => {
    const r = await fetch(entry(), { redirect: 'manual' });
    expect(r.status).toBe(503);
    expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await r.text()).toMatch(/no storage of group1 is ACTIVE right now/);
  });

  it('fdfs exists and download say "no storage available right now" with exit 7, not "no" / not found', async () => {
    const exists = await runCli(['exists', '-t', tracker.address, id]);
    expect(exists.code).toBe(ExitCode.Unavailable);
    expect(exists.stdout).not.toMatch(/\bno\b/);
    expect(exists.stderr).toMatch(/no storage of group1 can serve files right now.*try again in a few seconds/);
    const dl = await runCli(['download', '-t', tracker.address, id, path.join(work, 'x.bin')]);
    expect(dl.code).toBe(ExitCode.Unavailable);
    expect(dl.stderr).not.toMatch(/ENOENT|not found/);
    const up = await runCli(['upload', '-t', tracker.address, '-g', 'group1', '-'], { input: 'x' });
    expect(up.code).toBe(ExitCode.Unavailable);
    expect(up.stderr).toMatch(/no storage of group1 can take uploads right now/);
  });

  it('a group the tracker does not know is still "not found" (exit 3)', async () => {
    const other = id.replace(/^group1\//, 'group9/');
    const r = await runCli(['exists', '-t', tracker.address, other]);
    expect(r.stdout.trim()).toBe('no');
    expect(r.code).toBe(ExitCode.NotFound);
  });

  it('the library gives UnavailableError once its short wait is over', async () => {
    const impatient = new FdfsClient({ trackers: [tracker.address], unavailableWait: 0 });
    try {
      await expect(impatient.exists(id)).rejects.toBeInstanceOf(UnavailableError);
    } finally {
      impatient.close();
    }
  });
});

describe('when the storage comes back', () => {
  it('a download waiting in the library succeeds once the storage re-joined, within seconds', async () => {
    const pending = client.downloadToBuffer(id);
    // Let the client meet the empty group first; then the storage resumes and sees the old tracker gone.
    await new Promise((r) => setTimeout(r, 300));
    process.kill(storage.proc.child!.pid!, 'SIGCONT');
    expect((await pending).equals(DATA)).toBe(true);
    await waitAllActive(client, [storage], PROMPTLY_MS);
  });

  it('exists says yes and the HTTP entry redirects to the storage again', async () => {
    const r = await runCli(['exists', '-t', tracker.address, id]);
    expect(r.stdout.trim()).toBe('yes');
    expect(r.code).toBe(0);
    const got = await fetch(entry());
    expect(got.status).toBe(200);
    expect(Buffer.from(await got.arrayBuffer()).equals(DATA)).toBe(true);
  });
});
