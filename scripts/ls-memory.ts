// `fdfs ls` at scale: a tracker and a storage as real `fdfs serve` processes, N small files uploaded through
// the tracker (every 10th with its original name kept as metadata), then `fdfs ls GROUP --json` streamed to a
// line counter. Reports the peak RSS (VmHWM) of the ls process (via /usr/bin/time) and of the storage's processes
// during the listing (their peaks reset just before it), for --limit L and for the whole list: flat memory
// means the two are about the same. Bounded in count and time.
//   npm run build && npx tsx scripts/ls-memory.ts [-n 100000] [-c 16] [--limit 10000] [--time-limit 1800]
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { FdfsClient } from '../src/client/index.js';
import { startStorage, startTracker, stopAll, waitAllActive } from '../test/helpers/cluster.js';
import { ROOT } from '../test/helpers/proc.js';

const { values } = parseArgs({
  options: {
    n: { type: 'string', short: 'n', default: '100000' },
    c: { type: 'string', short: 'c', default: '16' },
    limit: { type: 'string', default: '10000' },
    'time-limit': { type: 'string', default: '1800' },
  },
});
const COUNT = Number(values.n);
const CONCURRENCY = Number(values.c);
const SMALL = Number(values.limit);
const DEADLINE = Date.now() + Number(values['time-limit']) * 1000;

/** The process and its descendants. */
function tree(pid: number): number[] {
  let kids: number[] = [];
  try {
    kids = execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)]).toString().trim().split(/\s+/).filter(Boolean).map(Number);
  } catch { /* no children */ }
  return [pid, ...kids.flatMap(tree)];
}

function status(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : 0;
}

/** Run `fdfs ls` under /usr/bin/time, counting lines as they stream; resolves with the count and peak RSS (kB). */
function ls(tracker: string, extra: string[], storagePids: number[]): Promise<{ lines: number; lsPeakKb: number; storagePeakKb: number; seconds: number }> {
  for (const p of storagePids) writeFileSync(`/proc/${p}/clear_refs`, '5'); // reset VmHWM to the current RSS
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/time', ['-f', 'PEAK_KB=%M', process.execPath, path.join(ROOT, 'bin/run.js'), 'ls', 'group1', '--json', '--tracker', tracker, ...extra],
      { stdio: ['ignore', 'pipe', 'pipe'] });
    let lines = 0;
    let err = '';
    child.stdout.on('data', (b: Buffer) => { for (const c of b) if (c === 10) lines++; });
    child.stderr.on('data', (b: Buffer) => { err += b.toString(); });
    const timer = setTimeout(() => child.kill('SIGKILL'), Math.max(1000, DEADLINE - Date.now()));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const peak = /PEAK_KB=(\d+)/.exec(err);
      if (code !== 0 || !peak) return reject(new Error(`ls failed (${code}): ${err.slice(0, 500)}`));
      resolve({ lines, lsPeakKb: Number(peak[1]), storagePeakKb: Math.max(...storagePids.map((p) => status(p, 'VmHWM'))), seconds: (Date.now() - started) / 1000 });
    });
  });
}

async function main(): Promise<void> {
  const tracker = await startTracker();
  const storage = await startStorage({ trackers: [tracker.address], conf: { subdir_count_per_path: 256 } });
  const client = new FdfsClient({ trackers: [tracker.address] });
  try {
    await waitAllActive(client, [storage]);
    const t0 = Date.now();
    let next = 0;
    const worker = async () => {
      for (;;) {
        const i = next++;
        if (i >= COUNT || Date.now() > DEADLINE) return;
        await client.upload(Buffer.from(`file number ${i}\n`), { ext: 'txt', metadata: i % 10 === 0 ? { filename: `original-${i}.txt` } : undefined });
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const uploaded = Math.min(next, COUNT);
    console.log(`uploaded ${uploaded} files in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    const pids = tree(storage.proc.child!.pid!);
    const rssBefore = Math.max(...pids.map((p) => status(p, 'VmRSS')));
    const small = await ls(tracker.address, ['--limit', String(SMALL)], pids);
    const whole = await ls(tracker.address, [], pids);
    const report = {
      files: uploaded, storageProcesses: pids.length, storageRssBeforeKb: rssBefore,
      [`ls --limit ${SMALL}`]: small, 'ls (all)': whole,
    };
    console.log(JSON.stringify(report, null, 2));
    if (whole.lines !== uploaded) throw new Error(`listed ${whole.lines} of ${uploaded} files`);
  } finally {
    client.close();
    await stopAll([storage, tracker]);
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
