// Stock tracker.conf / storage.conf files (with #include, sample values and stock-only keys) run
// unchanged except for addresses and paths; a bad value names file and line and exits non-zero.
import { describe, it, expect, afterAll } from 'vitest';
import { readFileSync, writeFileSync, copyFileSync } from 'node:fs';
import path from 'node:path';
import { FdfsClient } from '../../src/client/index.js';
import { StorageStatus } from '../../src/protocol/codes.js';
import { ServerProcess, runCli, ROOT } from '../helpers/proc.js';
import { allocHost, tempDir, waitFor } from '../helpers/cluster.js';

const fixtures = path.join(ROOT, 'test/fixtures/conf');
const dir = tempDir('fdfs-stockconf-');
const procs: ServerProcess[] = [];
let client: FdfsClient | null = null;

function rewrite(file: string, values: Record<string, string | string[]>): string {
  let text = readFileSync(path.join(fixtures, file), 'utf8');
  for (const [key, v] of Object.entries(values)) {
    const re = new RegExp(`^${key.replace(/\./g, '\\.')}\\s*=.*$`, 'gm');
    const lines = (Array.isArray(v) ? v : [v]).map((x) => `${key} = ${x}`);
    let first = true;
    text = text.replace(re, () => {
      if (!first) return '';
      first = false;
      return lines.join('\n');
    });
  }
  const out = path.join(dir, file);
  writeFileSync(out, text);
  return out;
}

afterAll(async () => {
  client?.close();
  for (const p of procs) await p.stop();
});

describe('stock configuration files', () => {
  it('runs a tracker and a storage from the stock sample files (storage.conf #includes http.conf)', async () => {
    const th = allocHost();
    const sh = allocHost();
    const tconf = rewrite('tracker.conf', { bind_addr: th, base_path: dir, check_active_interval: '5', reserved_storage_space: '1%' });
    copyFileSync(path.join(fixtures, 'http.conf'), path.join(dir, 'http.conf'));
    copyFileSync(path.join(fixtures, 'mime.types'), path.join(dir, 'mime.types'));
    const sdir = path.join(dir, 'storage');
    const sconf = rewrite('storage.conf', {
      bind_addr: sh, base_path: sdir, store_path0: sdir, tracker_server: [`${th}:22122`],
      heart_beat_interval: '1', stat_report_interval: '1', subdir_count_per_path: '4',
    });
    const t = new ServerProcess('tracker', ['serve', '--role', 'tracker', '--config', tconf]);
    procs.push(t);
    await t.start();
    const s = new ServerProcess('storage', ['serve', '--role', 'storage', '--config', sconf]);
    procs.push(s);
    await s.start();
    client = new FdfsClient({ trackers: [`${th}:22122`] });
    await waitFor('ACTIVE', async () => (await client!.listStorages('group1'))[0]?.status === StorageStatus.Active);
    const id = await client.upload(Buffer.from('stock conf'), { ext: 'txt' });
    expect((await client.downloadToBuffer(id)).toString()).toBe('stock conf');
    const groups = await client.listGroups();
    // reserved_storage_space = 1% of the disk, reported as the stock tracker does.
    expect(groups[0]!.reservedMb).toBe(Math.floor(groups[0]!.totalMb * 0.01));
  });

  it('exits non-zero naming file and line for a bad value', async () => {
    const bad = path.join(dir, 'bad-tracker.conf');
    writeFileSync(bad, `base_path = ${dir}\nport = 22122\ncheck_active_interval = soon\n`);
    const r = await runCli(['serve', '--role', 'tracker', '--config', bad], { timeoutMs: 15_000 });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`${bad}:3`);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
