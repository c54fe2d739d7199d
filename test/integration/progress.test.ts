// Progress bars for real: a 20 MB upload in a tmux terminal shows the bar (the storage is paused with
// SIGSTOP mid-transfer so the screen can be read while it is up); piped or --quiet shows nothing extra.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { randomBytes, createHash } from 'node:crypto';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { FdfsClient } from '../../src/client/index.js';
import { StorageStatus } from '../../src/protocol/codes.js';
import { startStorage, startTracker, stopAll, tempDir, waitFor, type StorageHandle, type TrackerHandle } from '../helpers/cluster.js';
import { fdfsCommand, runCli } from '../helpers/proc.js';
import { TmuxPane, tmuxAvailable } from '../helpers/tmux.js';

let tracker: TrackerHandle;
let storage: StorageHandle;
const work = tempDir('fdfs-progress-');
const big = path.join(work, 'big.bin');
const data = randomBytes(20 << 20);
const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');
const tmux = tmuxAvailable();
const ID_RE = /group1\/M00\/[0-9A-F]{2}\/[0-9A-F]{2}\/[A-Za-z0-9_-]{27}\d{3}\.bin/;
const BAR_RE = /big\.bin \[[█░]+\] \d+% \| [\d.]+ (B|KiB|MiB)\/20\.0 MiB \| [\d.]+ (B|KiB|MiB)\/s \| ETA/;

beforeAll(async () => {
  writeFileSync(big, data);
  tracker = await startTracker();
  storage = await startStorage({ trackers: [tracker.address] });
  const client = new FdfsClient({ trackers: [tracker.address] });
  try {
    await waitFor('storage ACTIVE', async () => (await client.listStorages('group1'))[0]?.status === StorageStatus.Active);
  } finally {
    client.close();
  }
});

afterAll(async () => {
  if (storage?.proc.child?.pid) process.kill(storage.proc.child.pid, 'SIGCONT');
  TmuxPane.killServer();
  await stopAll([storage, tracker]);
});

function pause(on: boolean): void {
  process.kill(storage.proc.child!.pid!, on ? 'SIGSTOP' : 'SIGCONT');
}

describe('progress bars', () => {
  it('piped: stdout has only the file ID and stderr stays empty', async () => {
    const r = await runCli(['upload', big, '-t', tracker.address]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(new RegExp(`^${ID_RE.source}\\n$`));
    const d = await runCli(['download', r.stdout.trim(), path.join(work, 'piped.bin'), '-t', tracker.address]);
    expect(d.code).toBe(0);
    expect(d.stderr + d.stdout).toBe('');
  });

  it.skipIf(tmux !== true)(`in a terminal: the upload bar is drawn while the transfer runs, then cleared${tmux === true ? '' : ` (skipped: ${tmux})`}`, async () => {
    const { cmd, args } = fdfsCommand();
    pause(true);
    let pane: TmuxPane | null = null;
    try {
      pane = new TmuxPane([cmd, ...args, 'upload', big, '-t', tracker.address], { cwd: work, cols: 140 });
      // The storage is stopped: the kernel buffers take a few MB, then the upload waits with its bar up.
      await pane.waitFor(BAR_RE);
      // Not just the first frame: it moves as bytes go out.
      const screen = await pane.waitFor(/big\.bin \[█+░+\] ([1-9]|[1-9]\d)% /, 10_000);
      expect(screen).toMatch(BAR_RE);
      pause(false);
      expect(await pane.waitExit(30_000)).toBe(0);
      const after = pane.screen();
      expect(after).toMatch(ID_RE);
      expect(after).not.toMatch(/ETA/);
      const id = ID_RE.exec(after)![0];
      // Download in the terminal too; every byte the program wrote is recorded to prove the bar was drawn.
      pane.close();
      const log = path.join(work, 'download.log');
      pane = new TmuxPane([cmd, ...args, 'download', id, 'copy.bin', '-t', tracker.address], { cwd: work, cols: 140 });
      pane.record(log);
      expect(await pane.waitExit(30_000)).toBe(0);
      expect(md5(readFileSync(path.join(work, 'copy.bin')))).toBe(md5(data));
      await waitFor('recorded output', async () => existsSync(log) && /copy\.bin \[/.test(readFileSync(log, 'utf8')), 5000);
      expect(readFileSync(log, 'utf8')).toMatch(/copy\.bin \[[█░]+\] \d+% \| [\d.]+ (B|KiB|MiB)\/20\.0 MiB/);
    } finally {
      pause(false);
      pane?.close();
    }
  });

  it.skipIf(tmux !== true)(`in a terminal with --quiet: no bar, only the file ID${tmux === true ? '' : ` (skipped: ${tmux})`}`, async () => {
    const { cmd, args } = fdfsCommand();
    pause(true);
    let pane: TmuxPane | null = null;
    try {
      pane = new TmuxPane([cmd, ...args, 'upload', big, '--quiet', '-t', tracker.address], { cwd: work, cols: 140 });
      const log = path.join(work, 'quiet.log');
      pane.record(log);
      // Long enough for a bar to have appeared (it does within ~1 s in the test above).
      await new Promise((r) => setTimeout(r, 2000));
      expect(pane.screen()).toBe('');
      pause(false);
      expect(await pane.waitExit(30_000)).toBe(0);
      expect(pane.screen()).toMatch(new RegExp(`^${ID_RE.source}`));
      expect(readFileSync(log, 'utf8')).not.toMatch(/%|ETA/);
    } finally {
      pause(false);
      pane?.close();
    }
  });
});
