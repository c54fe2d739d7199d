// The faults, each bounded in rounds and time, each run while a bounded upload load goes on; a fault's row
// counts what its load saw and checks, on every member, the files acknowledged meanwhile.
import { rmSync, truncateSync, writeFileSync, readFileSync } from 'node:fs';
import { waitAllActive, waitFor } from '../../test/helpers/cluster.js';
import { fixtures, mutate, pick, rng } from '../../test/helpers/fuzz.js';
import { runCli } from '../../test/helpers/proc.js';
import { checkAll, goodOnDisk, onDisk, waitReplicated } from './checks.js';
import { clientFor, leaderOf, restart, type Cluster } from './cluster.js';
import { errorKind, Load, type Ledger } from './ledger.js';
import { sendFrame } from './frames.js';
import { secs, type Row } from './report.js';

export interface Plan {
  uploads: number;
  concurrency: number;
  largeEvery: number;
  /** Uploads started per second by a fault's load. */
  perSecond: number;
  killRounds: number;
  stopRounds: number;
  stopMs: number;
  leaderRounds: number;
  fuzzFrames: number;
  damaged: number;
  fullAttempts: number;
  /** Bound on every wait for recovery. */
  waitMs: number;
}

export interface Ctx { c: Cluster; ledger: Ledger; plan: Plan }

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function load(x: Ctx, uploads = x.plan.uploads): Load {
  return new Load(x.c.client, x.ledger, { uploads, concurrency: x.plan.concurrency, largeEvery: x.plan.largeEvery, timeLimitMs: 120_000, perSecond: x.plan.perSecond });
}

/** The row's counts over its loads, and the check of what they acknowledged on every member. */
async function settle(x: Ctx, row: Pick<Row, 'fault' | 'rounds' | 'recover'> & { failure?: string }, loads: Load[]): Promise<Row> {
  const ids = loads.flatMap((l) => l.ids);
  const sum = (f: (l: Load) => number) => loads.reduce((n, l) => n + f(l), 0);
  const errors = new Map<string, number>();
  for (const l of loads) for (const [k, v] of l.errors) errors.set(k, (errors.get(k) ?? 0) + v);
  await waitReplicated(x.c.storages, ids, x.plan.waitMs);
  const d = await checkAll(x.c.storages, x.ledger, ids);
  for (const line of d.detail.slice(0, 10)) console.error(`  ${row.fault}: ${line}`);
  const reads = sum((l) => l.reads);
  return {
    ...row,
    load: `${sum((l) => l.ok)} / ${sum((l) => l.started)}${reads ? `; reads ${sum((l) => l.readsOk)} / ${reads}` : ''}`,
    errors, lost: d.lost, corrupt: d.corrupt + sum((l) => l.badReads),
  };
}

function recoverCell(times: Array<number | null>, limitMs: number): string {
  return times.map((t) => secs(t, limitMs)).join(', ');
}

/** 1. Load alone: every upload acknowledged, time for the group to hold all of them. */
export async function baseline(x: Ctx): Promise<Row> {
  const l = load(x);
  await l.done;
  const t = await waitReplicated(x.c.storages, l.ids, x.plan.waitMs);
  return settle(x, { fault: 'load only', rounds: '1', recover: `${secs(t, x.plan.waitMs)} (replicated)` }, [l]);
}

/** 2. kill -9 of a storage a third of the way into a load, restarted after it; recovered = both hold everything. */
export async function killStorage(x: Ctx): Promise<Row> {
  const loads: Load[] = [];
  const times: Array<number | null> = [];
  for (let r = 0; r < x.plan.killRounds; r++) {
    const victim = x.c.storages[r % 2]!;
    const l = load(x);
    loads.push(l);
    await l.reached(Math.floor(x.plan.uploads / 3));
    await victim.proc.kill();
    await l.done;
    const t0 = Date.now();
    await restart(victim);
    await waitAllActive(x.c.client, [victim], x.plan.waitMs).catch(() => undefined);
    const t = await waitReplicated(x.c.storages, x.ledger.ids, x.plan.waitMs);
    times.push(t === null ? null : Date.now() - t0);
  }
  return settle(x, { fault: 'kill -9 storage', rounds: String(x.plan.killRounds), recover: recoverCell(times, x.plan.waitMs) }, loads);
}

/** 3. SIGSTOP a storage for a few seconds during a load, then SIGCONT; recovered = both hold everything. */
export async function stopStorage(x: Ctx): Promise<Row> {
  const loads: Load[] = [];
  const times: Array<number | null> = [];
  for (let r = 0; r < x.plan.stopRounds; r++) {
    const victim = x.c.storages[r % 2]!;
    const l = load(x);
    loads.push(l);
    await l.reached(Math.floor(x.plan.uploads / 3));
    victim.proc.child!.kill('SIGSTOP');
    try {
      await sleep(x.plan.stopMs);
    } finally {
      victim.proc.child!.kill('SIGCONT');
    }
    const t0 = Date.now();
    await l.done;
    const t = await waitReplicated(x.c.storages, x.ledger.ids, x.plan.waitMs);
    times.push(t === null ? null : Date.now() - t0);
  }
  return settle(x, {
    fault: `SIGSTOP storage ${x.plan.stopMs / 1000} s`, rounds: String(x.plan.stopRounds), recover: recoverCell(times, x.plan.waitMs),
  }, loads);
}

/** 4. kill -9 of the leader tracker during a load; recovered = the survivor leads. The old one rejoins after. */
export async function killLeader(x: Ctx): Promise<Row> {
  const loads: Load[] = [];
  const times: Array<number | null> = [];
  let failure: string | undefined;
  for (let r = 0; r < x.plan.leaderRounds; r++) {
    const name = await leaderOf(x.c.trackers[0]!);
    const leader = x.c.trackers.find((t) => t.address === name)!;
    const survivor = x.c.trackers.find((t) => t !== leader)!;
    const l = load(x);
    loads.push(l);
    await l.reached(Math.floor(x.plan.uploads / 3));
    const t0 = Date.now();
    await leader.proc.kill();
    const led = await waitFor('the survivor to lead', async () => (await leaderOf(survivor)) === survivor.address, x.plan.waitMs, 100)
      .then(() => Date.now() - t0, () => null);
    times.push(led);
    // What the trackers said, for a failure that cannot be reproduced at will.
    const logs = () => `\n--- survivor ${survivor.address}:\n${survivor.proc.tail(25)}\n--- old leader ${leader.address}:\n${leader.proc.tail(25)}`;
    if (led === null) failure = `no new leader${logs()}`;
    await l.done;
    await restart(leader);
    await waitFor('the old leader to follow', async () => (await leaderOf(leader)) === survivor.address, x.plan.waitMs, 200)
      .catch(() => { failure = `the restarted tracker did not follow the new leader${logs()}`; });
    const c = clientFor([leader]);
    await waitAllActive(c, x.c.storages, x.plan.waitMs).catch(() => { failure = 'storages not ACTIVE on the restarted tracker'; });
    c.close();
  }
  return settle(x, {
    fault: 'kill -9 leader tracker', rounds: String(x.plan.leaderRounds), recover: `${recoverCell(times, x.plan.waitMs)} (new leader)`, failure,
  }, loads);
}

/** 5. Random and mutated frames into every tracker and storage port during a load; every server keeps serving. */
export async function fuzz(x: Ctx): Promise<Row> {
  const seed = Number(process.env.FUZZ_SEED ?? 0x13f5);
  const r = rng(seed);
  const base = fixtures();
  const ports = [...x.c.trackers, ...x.c.storages];
  // Uploads go on as long as the frames do.
  const l = load(x, 100 * x.plan.uploads);
  let next = 0;
  let closed = 0;
  const t0 = Date.now();
  await Promise.all(Array.from({ length: 20 }, async (_, w) => {
    const wr = rng(seed + 1000 + w);
    while (next < x.plan.fuzzFrames) {
      const i = next++;
      const to = ports[i % ports.length]!;
      if ((await sendFrame(to.host, to.port, mutate(r, pick(r, base)).bytes, wr)).closed) closed++;
    }
  }));
  const took = Date.now() - t0;
  l.stop();
  await l.done;
  const down = ports.filter((p) => !p.proc.running).map((p) => p.proc.name);
  // Still serving: a round trip through each tracker.
  const broken: string[] = [];
  for (const t of x.c.trackers) {
    const c = clientFor([t]);
    try {
      const id = await c.upload(Buffer.from('after the fuzz'), { ext: 'txt' });
      if ((await c.downloadToBuffer(id)).toString() !== 'after the fuzz') broken.push(`${t.address}: wrong bytes`);
    } catch (err) {
      broken.push(`${t.address}: ${errorKind(err)}`);
    } finally {
      c.close();
    }
  }
  const failure = down.length || broken.length ? [...down.map((d) => `${d} crashed`), ...broken].join(', ') : undefined;
  console.error(`  fuzz (seed ${seed}): ${x.plan.fuzzFrames} frames to ${ports.length} ports in ${took} ms, ${closed} connections closed by the server`);
  return settle(x, {
    fault: `fuzz: ${x.plan.fuzzFrames} frames into ${ports.length} ports`, rounds: '1', recover: 'no restart needed', failure,
  }, [l]);
}

/** 6. Copies overwritten, truncated and deleted behind one member's back; recovered = every copy good again. */
export async function silentDamage(x: Ctx): Promise<Row> {
  const victim = x.c.storages[1]!;
  // Old enough for the scrub to fetch a missing one (it leaves files younger than two intervals alone).
  const ids = x.ledger.ids.slice(0, Math.max(0, x.ledger.ids.length - 4 * x.plan.concurrency));
  const large = ids.filter((id) => x.ledger.files.get(id)!.size > 4096);
  const small = ids.filter((id) => x.ledger.files.get(id)!.size <= 4096);
  const victims = [...large.slice(0, Math.ceil(x.plan.damaged / 3)), ...small].slice(0, x.plan.damaged);
  const l = load(x, Math.ceil(x.plan.uploads / 2));
  const t0 = Date.now();
  victims.forEach((id, i) => {
    const file = onDisk(victim, id);
    if (i % 3 === 0) {
      const b = readFileSync(file);
      b[b.length >> 1] ^= 0xff;
      writeFileSync(file, b);
    } else if (i % 3 === 1) truncateSync(file, Math.floor(x.ledger.files.get(id)!.size / 2));
    else rmSync(file);
  });
  // Nobody reads them: the scrub must find the damage on its own.
  const repaired = await waitFor('every damaged copy good again', async () => victims.every((id) => goodOnDisk(victim, id, x.ledger)), x.plan.waitMs, 250)
    .then(() => Date.now() - t0, () => null);
  await l.done;
  const bad = victims.filter((id) => !goodOnDisk(victim, id, x.ledger)).length;
  const row = await settle(x, {
    fault: `silent damage: ${victims.length} copies overwritten / truncated / deleted on one member`, rounds: '1',
    recover: `${secs(repaired, x.plan.waitMs)} (scrub)`, failure: bad ? `${bad} copies not repaired` : undefined,
  }, [l]);
  const d = await checkAll(x.c.storages, x.ledger, victims);
  return { ...row, lost: row.lost + d.lost, corrupt: row.corrupt + d.corrupt };
}

/** 8. Every acknowledged file from every member with the right sha256, and `fdfs verify` finds no difference. */
export async function finalCheck(x: Ctx): Promise<Row> {
  const ids = x.ledger.ids;
  const t = await waitReplicated(x.c.storages, ids, x.plan.waitMs);
  const d = await checkAll(x.c.storages, x.ledger, ids);
  for (const line of d.detail.slice(0, 20)) console.error(`  final: ${line}`);
  const trackerArgs = x.c.trackers.flatMap((tr) => ['-t', tr.address]);
  const v = await runCli(['verify', 'group1', '--min-age', '0', '--json', ...trackerArgs], { timeoutMs: x.plan.waitMs });
  let differences = -1;
  try {
    differences = (JSON.parse(v.stdout) as { differences: number }).differences;
  } catch {
    console.error(`  fdfs verify: exit ${v.code}\n${v.stdout}${v.stderr}`);
  }
  return {
    fault: `final check: ${ids.length} files from each of ${x.c.storages.length} members; fdfs verify: ${differences} differences`,
    rounds: '1', load: '—', errors: new Map(), recover: `${secs(t, x.plan.waitMs)} (all present)`,
    lost: d.lost, corrupt: d.corrupt,
    failure: v.code !== 0 || differences !== 0 ? `fdfs verify exit ${v.code}, ${differences} differences` : undefined,
  };
}
