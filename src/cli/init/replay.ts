// A plan back into answers: the YAML file the wizard saves (re-run with `fdfs init --answers FILE`), and the
// equivalent `fdfs init --yes …` command when flags can say everything (no per-storage store paths or ports).
import { isDeepStrictEqual } from 'node:util';
import { writeFile } from 'node:fs/promises';
import { mergeAnswers, planFromAnswers, type RawAnswers } from './answers.js';
import { PLAN_DEFAULTS, key, type InitPlan } from './plan.js';

/** Every answer of the plan, in the answers-file format; planFromAnswers() gives the same plan back. */
export function answersFromPlan(plan: InitPlan, out: string): RawAnswers {
  const groups: NonNullable<RawAnswers['groups']> = {};
  for (const s of plan.storages) {
    const entry = { address: key(s), httpPort: s.httpPort, ...(s.storePaths.length ? { storePaths: s.storePaths } : {}) };
    groups[s.group] = [...((groups[s.group] as unknown[] | undefined) ?? []), entry] as NonNullable<RawAnswers['groups']>[string];
  }
  return {
    out,
    trackers: plan.trackers.map(key),
    groups,
    trackerHttpPort: plan.trackerHttpPort,
    baseDir: plan.baseDir,
    confDir: plan.confDir,
    reservedStorageSpace: plan.reservedStorageSpace,
    storeLookup: plan.storeLookup,
    ...(plan.storeLookup === 'group' ? { storeGroup: plan.storeGroup } : {}),
    ...(plan.tokenSecret ? { tokenSecret: plan.tokenSecret } : {}),
    tokenTtl: plan.tokenTtl,
    ...(plan.security !== 'off' ? { security: plan.security } : {}),
    logLevel: plan.logLevel,
    bin: plan.bin,
    user: plan.user,
  };
}

/** Writes the answers as YAML (owner-only when it holds the token secret). */
export async function saveAnswers(file: string, plan: InitPlan, out: string): Promise<void> {
  const { stringify } = await import('yaml');
  const text = `# fdfs init answers: edit, then run  fdfs init --answers ${file}\n${stringify(answersFromPlan(plan, out))}`;
  await writeFile(file, text, { mode: plan.tokenSecret ? 0o600 : 0o644 });
}

const quote = (v: string) => (/^[\w@%+=:,./-]+$/.test(v) ? v : `'${v.replace(/'/g, `'\\''`)}'`);

/** `fdfs init --yes …` giving this plan, or null when only an answers file can (store paths, custom HTTP ports). */
export function yesCommand(plan: InitPlan, out: string): string | null {
  const flags: Array<[string, string | number]> = [['--out', out]];
  for (const t of plan.trackers) flags.push(['--tracker', key(t)]);
  for (const s of plan.storages) flags.push(['--storage', `${s.group}=${key(s)}`]);
  const differs = <K extends keyof typeof PLAN_DEFAULTS>(k: K, v: (typeof PLAN_DEFAULTS)[K]) => v !== PLAN_DEFAULTS[k];
  if (differs('baseDir', plan.baseDir)) flags.push(['--base-dir', plan.baseDir]);
  if (plan.storages[0] && differs('httpPort', plan.storages[0].httpPort)) flags.push(['--http-port', plan.storages[0].httpPort]);
  if (differs('trackerHttpPort', plan.trackerHttpPort)) flags.push(['--tracker-http-port', plan.trackerHttpPort]);
  if (differs('reservedStorageSpace', plan.reservedStorageSpace)) flags.push(['--reserved', plan.reservedStorageSpace]);
  if (differs('storeLookup', plan.storeLookup)) flags.push(['--store-lookup', plan.storeLookup]);
  if (plan.storeLookup === 'group') flags.push(['--store-group', plan.storeGroup]);
  if (plan.tokenSecret) flags.push(['--token-secret', plan.tokenSecret]);
  if (plan.security !== 'off') flags.push(['--security', plan.security]);
  if (differs('logLevel', plan.logLevel)) flags.push(['--log-level', plan.logLevel]);
  if (differs('bin', plan.bin)) flags.push(['--bin', plan.bin]);
  if (differs('user', plan.user)) flags.push(['--user', plan.user]);
  if (differs('confDir', plan.confDir)) flags.push(['--conf-dir', plan.confDir]);
  // What those flags would plan; anything else (store paths, a port per storage, a token ttl) needs the file.
  const asFlags: RawAnswers = {
    trackers: plan.trackers.map(key), storages: plan.storages.map((s) => `${s.group}=${key(s)}`), baseDir: plan.baseDir,
    httpPort: plan.storages[0]?.httpPort, trackerHttpPort: plan.trackerHttpPort, reservedStorageSpace: plan.reservedStorageSpace,
    storeLookup: plan.storeLookup, storeGroup: plan.storeLookup === 'group' ? plan.storeGroup : undefined, tokenSecret: plan.tokenSecret,
    security: plan.security, logLevel: plan.logLevel, bin: plan.bin, user: plan.user, confDir: plan.confDir,
  };
  let same = false;
  try {
    same = isDeepStrictEqual(planFromAnswers(mergeAnswers({}, asFlags)), plan);
  } catch {
    same = false;
  }
  if (!same) return null;
  return ['fdfs init --yes', ...flags.map(([f, v]) => `${f} ${quote(String(v))}`)].join(' ');
}
