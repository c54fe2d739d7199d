// Fault campaign: a real cluster (two trackers, a group of two storages scrubbing every 2 s, all `fdfs serve`
// processes on 127.x addresses) under a bounded upload load while faults hit it one after another: kill -9 of a
// storage, SIGSTOP, kill -9 of the leader tracker, fuzzed frames into every port, silent damage behind a
// member's back, disk full; then every acknowledged file is read from every member and `fdfs verify` runs.
// Prints a Markdown table (one row per fault) and exits 1 if anything acknowledged was lost or corrupt, or a
// server broke a promise (crashed, refused wrongly, did not repair).
//   npm run build && npx tsx scripts/fault-campaign.ts [--quick | --long]
// --quick (CI, well under a minute), default (about 2–3 minutes), --long (more rounds and files, local runs).
import { parseArgs } from 'node:util';
import { cleanup, startCluster, type Cluster } from './campaign/cluster.js';
import { diskFull } from './campaign/disk-full.js';
import {
  baseline, finalCheck, fuzz, killLeader, killStorage, silentDamage, stopStorage, type Ctx, type Plan,
} from './campaign/faults.js';
import { Ledger } from './campaign/ledger.js';
import { summary, table, type Row } from './campaign/report.js';

const PLANS: Record<'quick' | 'default' | 'long', Plan> = {
  quick: { uploads: 30, concurrency: 4, largeEvery: 8, perSecond: 20, killRounds: 1, stopRounds: 1, stopMs: 2000, leaderRounds: 1, fuzzFrames: 300, damaged: 6, fullAttempts: 8, waitMs: 30_000 },
  default: { uploads: 200, concurrency: 4, largeEvery: 8, perSecond: 40, killRounds: 3, stopRounds: 2, stopMs: 3000, leaderRounds: 2, fuzzFrames: 5000, damaged: 30, fullAttempts: 20, waitMs: 60_000 },
  long: { uploads: 600, concurrency: 8, largeEvery: 8, perSecond: 80, killRounds: 3, stopRounds: 3, stopMs: 5000, leaderRounds: 2, fuzzFrames: 20_000, damaged: 60, fullAttempts: 100, waitMs: 120_000 },
};

const { values } = parseArgs({ options: { quick: { type: 'boolean' }, long: { type: 'boolean' } } });
const mode = values.quick ? 'quick' : values.long ? 'long' : 'default';
const plan = PLANS[mode];

const servers: Cluster['all'] = [];
let stopping = false;
async function shutdown(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    await cleanup(servers).catch((err) => console.error(`cleanup: ${(err as Error).message}`));
  }
  process.exit(code);
}
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => { console.error(`\n${sig}: stopping the cluster`); void shutdown(130); });

async function main(): Promise<number> {
  const started = Date.now();
  const c = await startCluster(servers, 2);
  const x: Ctx = { c, ledger: new Ledger(), plan };
  const rows: Row[] = [];
  const faults = [baseline, killStorage, stopStorage, killLeader, fuzz, silentDamage, diskFull, finalCheck];
  try {
    for (const f of faults) {
      const t0 = Date.now();
      const row = await f(x);
      rows.push(row);
      console.error(`${row.fault}: ${((Date.now() - t0) / 1000).toFixed(1)} s${row.failure ? ` — ${row.failure}` : ''}`);
    }
  } finally {
    c.client.close();
  }
  const s = summary(rows, x.ledger.files.size);
  console.log(`Fault campaign (${mode}), ${new Date().toISOString().slice(0, 10)}, ${((Date.now() - started) / 1000).toFixed(0)} s:\n`);
  console.log(table(rows));
  console.log(`\n${s.text}`);
  return s.ok ? 0 : 1;
}

main().then((code) => shutdown(code), (err) => {
  console.error(`fault campaign failed: ${(err as Error).stack ?? err}`);
  void shutdown(2);
});
