// Many-small-files benchmark (issue 12 item 7): a tracker with use_trunk_file = true (or off, for comparison) and
// one storage as real `fdfs serve` processes; N uploads of SIZE bytes at concurrency C, then a sample of reads;
// prints uploads/s, reads/s, the files on disk (trunk files vs single files) and the trunk usage of the store
// path (`fdfs storage trunk`). Bounded in count (-n) and time (--time-limit seconds); stops at whichever first.
// UNTESTED as a benchmark run (it was written, type-checked and not run at scale): the 1,000,000-file run is
//   npm run build && npx tsx scripts/bench-many-files.ts -n 1000000 -c 16 -s 2048 --time-limit 3600
// and `--trunk false` gives the same run with every file stored on its own.
import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { FdfsClient } from '../src/client/index.js';
import { startStorage, startTracker, stopAll, waitAllActive } from '../test/helpers/cluster.js';
import { runCli } from '../test/helpers/proc.js';

const { values } = parseArgs({
  options: {
    n: { type: 'string', short: 'n', default: '100000' },
    c: { type: 'string', short: 'c', default: '8' },
    s: { type: 'string', short: 's', default: '2048' },
    trunk: { type: 'string', default: 'true' },
    reads: { type: 'string', default: '10000' },
    'time-limit': { type: 'string', default: '600' },
  },
});
const COUNT = Number(values.n);
const CONCURRENCY = Number(values.c);
const SIZE = Number(values.s);
const TRUNK = values.trunk !== 'false';
const READS = Number(values.reads);
const DEADLINE = Date.now() + Number(values['time-limit']) * 1000;

/** Count the entries of `<store>/data/HH/HH/`: trunk files (6+ digits) and everything else (files, sidecars). */
function filesOnDisk(store: string): { trunkFiles: number; otherFiles: number } {
  let trunkFiles = 0;
  let otherFiles = 0;
  const data = path.join(store, 'data');
  for (const high of readdirSync(data).filter((d) => /^[0-9A-F]{2}$/.test(d))) {
    for (const low of readdirSync(path.join(data, high))) {
      for (const name of readdirSync(path.join(data, high, low))) {
        if (/^[0-9]{6,}$/.test(name)) trunkFiles++;
        else otherFiles++;
      }
    }
  }
  return { trunkFiles, otherFiles };
}

async function main(): Promise<void> {
  const tracker = await startTracker({ conf: { use_trunk_file: TRUNK } });
  const storage = await startStorage({ trackers: [tracker.address], conf: { subdir_count_per_path: 256 } });
  const client = new FdfsClient({ trackers: [tracker.address] });
  try {
    await waitAllActive(client, [storage]);
    const body = randomBytes(SIZE);
    const ids: string[] = [];
    let next = 0;
    const started = Date.now();
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
      while (next < COUNT && Date.now() < DEADLINE) {
        next++;
        ids.push(await client.upload(body, { ext: 'bin' }));
      }
    }));
    const upSecs = (Date.now() - started) / 1000;
    let read = 0;
    const readStart = Date.now();
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
      while (read < Math.min(READS, ids.length) && Date.now() < DEADLINE) {
        const id = ids[Math.floor(Math.random() * ids.length)]!;
        read++;
        await client.downloadToBuffer(id);
      }
    }));
    const readSecs = (Date.now() - readStart) / 1000;
    const trunkIds = ids.filter((id) => id.length - id.indexOf('/') - 1 === 60).length;
    console.log(JSON.stringify({
      trunk: TRUNK, size: SIZE, concurrency: CONCURRENCY,
      uploads: ids.length, uploadsPerSec: Math.round(ids.length / upSecs), trunkIds,
      reads: read, readsPerSec: Math.round(read / Math.max(readSecs, 0.001)),
      onDisk: filesOnDisk(storage.dir),
    }, null, 1));
    const usage = await runCli(['storage', 'trunk', storage.confFile]);
    console.log(usage.stdout.trim());
  } finally {
    client.close();
    await stopAll([storage, tracker]);
  }
}

await main();
