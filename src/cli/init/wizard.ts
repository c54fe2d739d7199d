// The interactive side of `fdfs init`: asks an operator for the cluster, checking every answer as it
// is typed (addresses, duplicates, empty groups), and returns the same InitPlan the flags produce.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { LOG_LEVELS, type LogLevel } from '../../config/common-fields.js';
import {
  DEFAULT_STORAGE_PORT, DEFAULT_TRACKER_PORT, PLAN_DEFAULTS, checkAbsolutePath, checkGroupName, checkPort, checkReserved,
  groupsOf, key, nextHttpPort, parseAddressList, validatePlan, type InitPlan, type SecurityChoice, type StoragePlan, type StoreLookup, type TrackerPlan,
} from './plan.js';
import { saveAnswers } from './replay.js';

export interface WizardDefaults {
  out: string;
  /** Checked when the folder is chosen, so nobody answers everything for nothing. */
  checkOut(dir: string): Promise<string | true>;
  httpPort: number;
}

export interface WizardResult {
  out: string;
  plan: InitPlan;
  /** The answers were saved to this YAML file instead of writing the files. */
  savedTo?: string;
}

/** Rounds of "go back" allowed before the wizard gives up (each is a full pass). */
const MAX_ROUNDS = 20;

/** Turns a throwing check into an inquirer `validate` (true or the message). */
function check(fn: (v: string) => unknown): (v: string) => true | string {
  return (v) => {
    try {
      fn(v);
      return true;
    } catch (err) {
      return (err as Error).message;
    }
  };
}

export async function runWizard(d: WizardDefaults, say: (line: string) => void): Promise<WizardResult | null> {
  const { input, select } = await import('@inquirer/prompts');
  say('fdfs init: a few questions, then one folder per host with its configuration, systemd units and a README.');
  say('Press Enter to take the value in parentheses. At the end you can go back (your answers become the defaults) or save them.\n');
  let prev: { out: string; plan: InitPlan } | undefined;
  for (let round = 1; round <= MAX_ROUNDS; round++) {
    const { out, plan } = await askPlan(d, prev);
    say('');
    say(`Trackers: ${plan.trackers.map(key).join(', ')}`);
    for (const g of groupsOf(plan)) say(`${g.name}: ${g.storages.map((s) => `${key(s)} (HTTP ${s.httpPort})`).join(', ')}`);
    const next = await select<'write' | 'back' | 'save'>({
      message: 'What now?',
      choices: [
        { name: `Write the files to ${out}`, value: 'write' },
        { name: 'Go back: answer again, with these answers as the defaults', value: 'back' },
        { name: 'Save these answers to a YAML file and stop (fdfs init --answers FILE writes them later)', value: 'save' },
      ],
    });
    if (next === 'write') return { out, plan };
    if (next === 'save') {
      const file = (await input({
        message: 'Answers file', default: path.resolve('fdfs-init.yaml'),
        validate: (v) => /\.ya?ml$/i.test(v.trim()) || 'a .yaml or .yml file name',
      })).trim();
      // Absolute: an answers file's `out` is read relative to the file.
      await saveAnswers(file, plan, path.resolve(out));
      return { out, plan, savedTo: file };
    }
    prev = { out, plan };
  }
  return null;
}

/** One pass of questions; `prev` (after "go back") gives every default. */
async function askPlan(d: WizardDefaults, prev?: { out: string; plan: InitPlan }): Promise<{ out: string; plan: InitPlan }> {
  const { input, select, confirm } = await import('@inquirer/prompts');
  const was = prev?.plan;
  const out = await input({ message: 'Output folder', default: prev?.out ?? d.out, validate: (v) => d.checkOut(v.trim()) });
  const baseDir = await input({
    message: 'Data folder on the hosts (each server gets a sub-folder)', default: was?.baseDir ?? PLAN_DEFAULTS.baseDir,
    validate: check((v) => checkAbsolutePath(v.trim(), 'the data folder')),
  }).then((v) => checkAbsolutePath(v.trim(), 'the data folder'));

  const trackers: TrackerPlan[] = parseAddressList(await input({
    message: `Trackers (HOST:PORT, comma separated; port ${DEFAULT_TRACKER_PORT} if left out)`, default: was?.trackers.map(key).join(', '),
    validate: check((v) => parseAddressList(v, DEFAULT_TRACKER_PORT)),
  }), DEFAULT_TRACKER_PORT);

  const trackerHttpPort = Number(await input({
    message: 'HTTP port of the trackers (redirects downloads to a storage, serves /metrics; 0 = none)',
    default: String(was?.trackerHttpPort ?? PLAN_DEFAULTS.trackerHttpPort),
    validate: check((v) => (v.trim() === '0' ? 0 : checkPort(Number(v), 'the HTTP port'))),
  }));
  const trackerHttp = trackerHttpPort ? trackers.map((t) => ({ host: t.host, port: trackerHttpPort })) : [];

  const wasGroups = was ? groupsOf(was) : [];
  const groupCount = Number(await input({
    message: 'How many groups? (each group keeps its own files; its storages are copies of each other)', default: String(wasGroups.length || 1),
    validate: (v) => (/^\d+$/.test(v.trim()) && Number(v) >= 1 && Number(v) <= 64) || 'a number from 1 to 64',
  }));

  const storages: StoragePlan[] = [];
  const groups: string[] = [];
  for (let g = 1; g <= groupCount; g++) {
    const name = (await input({
      message: `Name of group ${g}`, default: wasGroups[g - 1]?.name ?? `group${g}`,
      validate: check((v) => {
        checkGroupName(v.trim());
        if (groups.includes(v.trim())) throw new Error(`${v.trim()} is already a group`);
      }),
    })).trim();
    groups.push(name);
    const wasStorages = wasGroups.find((w) => w.name === name)?.storages ?? [];
    const addrs = parseAddressList(await input({
      message: `Storages of ${name} (HOST:PORT, comma separated; port ${DEFAULT_STORAGE_PORT} if left out)`,
      default: wasStorages.length ? wasStorages.map(key).join(', ') : undefined,
      validate: check((v) => {
        const list = parseAddressList(v, DEFAULT_STORAGE_PORT);
        for (const a of list) {
          if (trackers.some((t) => key(t) === key(a))) throw new Error(`${key(a)} is already a tracker`);
          if (trackerHttp.some((t) => key(t) === key(a))) throw new Error(`${key(a)} is the HTTP port of a tracker`);
          const other = storages.find((s) => key(s) === key(a) || (s.host === a.host && s.httpPort === a.port));
          if (other) throw new Error(`${key(a)} is already taken by the storage ${key(other)} of ${other.group}`);
        }
        const hosts = list.map((a) => a.host);
        const dup = hosts.find((h, i) => hosts.indexOf(h) !== i);
        if (dup) throw new Error(`two storages of one group on ${dup}: a group needs a distinct host per storage`);
      }),
    }), DEFAULT_STORAGE_PORT);
    for (const a of addrs) {
      // Defaults: this storage's answers from before "go back", else the previous storage's (same disks, same port).
      const before = wasStorages.find((w) => key(w) === key(a)) ?? storages.at(-1);
      const suggested = nextHttpPort(storages, a.host, before?.httpPort ?? d.httpPort, [...trackers, ...trackerHttp, ...addrs]);
      const paths = (await input({
        message: `Store paths of ${key(a)} (absolute, comma separated; empty = its data folder)`, default: before?.storePaths.join(', ') ?? '',
        validate: check((v) => v.split(',').map((p) => p.trim()).filter(Boolean).forEach((p) => checkAbsolutePath(p, 'a store path'))),
      })).split(',').map((p) => p.trim()).filter(Boolean);
      const httpPort = Number(await input({
        message: `HTTP download port of ${key(a)}`, default: String(suggested),
        validate: check((v) => {
          const p = checkPort(Number(v), 'the HTTP port');
          const clash = [...trackers, ...trackerHttp, ...addrs].some((t) => t.host === a.host && t.port === p)
            || storages.some((s) => s.host === a.host && (s.port === p || s.httpPort === p));
          if (clash) throw new Error(`port ${p} is already used on ${a.host}`);
        }),
      }));
      storages.push({ group: name, ...a, storePaths: paths, httpPort });
    }
  }

  const reservedStorageSpace = (await input({
    message: 'Space to keep free on every storage (a percentage like 10% or a size like 4GB)',
    default: was?.reservedStorageSpace ?? PLAN_DEFAULTS.reservedStorageSpace, validate: check((v) => checkReserved(v)),
  })).trim();

  let storeLookup: StoreLookup = 'load-balance';
  let storeGroup = '';
  if (groups.length > 1) {
    storeLookup = await select<StoreLookup>({
      message: 'Where should uploads go?', default: was?.storeLookup,
      choices: [
        { name: 'the group with the most free space', value: 'load-balance' },
        { name: 'each group in turn', value: 'round-robin' },
        { name: 'always one group', value: 'group' },
      ],
    });
    if (storeLookup === 'group') {
      storeGroup = await select({ message: 'Which group?', default: was?.storeGroup || undefined, choices: groups.map((g) => ({ name: g, value: g })) });
    }
  }

  let tokenSecret = '';
  if (await confirm({ message: 'Require anti-steal tokens on HTTP downloads?', default: !!was?.tokenSecret })) {
    tokenSecret = (await input({
      message: 'Token secret (shared by the storages and clients)', default: was?.tokenSecret || randomBytes(16).toString('hex'),
      validate: (v) => (v.trim() !== '' && !/\s/.test(v.trim())) || 'a secret without spaces',
    })).trim();
  }

  const security = await select<SecurityChoice>({
    message: 'Turn on authentication (keys for clients, a secret between servers)?', default: was?.security ?? 'off',
    choices: [
      { name: 'off: as stock FastDFS, anyone allowed by allow_hosts may upload and delete', value: 'off' },
      { name: 'optional: keys work and are held to their rights; clients without one still work', value: 'optional' },
      { name: 'required: only clients with a key (stock tools: list their hosts in auth_legacy_hosts)', value: 'required' },
    ],
  });

  const logLevel = await select<LogLevel>({
    message: 'Log level', default: was?.logLevel ?? 'info',
    choices: LOG_LEVELS.filter((l) => ['error', 'warn', 'notice', 'info', 'debug'].includes(l)).map((l) => ({ name: l, value: l })),
  });
  const bin = (await input({
    message: 'Path of the fdfs executable on the hosts', default: was?.bin ?? PLAN_DEFAULTS.bin,
    validate: check((v) => checkAbsolutePath(v.trim(), 'the executable path')),
  })).trim();
  const user = (await input({
    message: 'Unix user the services run as', default: was?.user ?? PLAN_DEFAULTS.user,
    validate: (v) => /^[a-z_][a-z0-9_-]{0,31}$/.test(v.trim()) || 'a Unix user name (lowercase letters, digits, _ and -)',
  })).trim();
  const confDir = (await input({
    message: 'Folder of the conf files on the hosts', default: was?.confDir ?? PLAN_DEFAULTS.confDir,
    validate: check((v) => checkAbsolutePath(v.trim(), 'the conf folder')),
  })).trim();

  const plan = validatePlan({
    trackers, storages, trackerHttpPort, baseDir, confDir, reservedStorageSpace, storeLookup, storeGroup, tokenSecret,
    tokenTtl: was?.tokenTtl ?? PLAN_DEFAULTS.tokenTtl, security, logLevel, bin, user,
  });
  return { out, plan };
}
