// `fdfs init` without prompts: an answers object (from a JSON/YAML file, then overridden by flags)
// turned into a validated InitPlan. The file format is documented in the README and `fdfs init --help`.
import { readFile } from 'node:fs/promises';
import { UsageError } from '../../errors.js';
import type { LogLevel } from '../../config/common-fields.js';
import {
  DEFAULT_STORAGE_PORT, DEFAULT_TRACKER_PORT, PLAN_DEFAULTS, checkGroupName, checkPort, nextHttpPort, parseAddress,
  validatePlan, type InitPlan, type SecurityChoice, type StoragePlan, type StoreLookup,
} from './plan.js';

type StorageEntry = string | { address?: string; host?: string; port?: number; storePaths?: string[] | string; httpPort?: number };

/** What an answers file may hold (every key optional; flags win). */
export interface RawAnswers {
  out?: string;
  baseDir?: string;
  confDir?: string;
  trackers?: string[] | string;
  /** group name → storages ('HOST:PORT' or objects). */
  groups?: Record<string, StorageEntry[] | StorageEntry>;
  /** 'GROUP=HOST:PORT' strings (the --storage flag form) or objects with a group. */
  storages?: Array<string | (Exclude<StorageEntry, string> & { group: string })>;
  httpPort?: number;
  /** The trackers' HTTP port; 0 = off. */
  trackerHttpPort?: number;
  reservedStorageSpace?: string;
  storeLookup?: StoreLookup;
  storeGroup?: string;
  tokenSecret?: string;
  tokenTtl?: number;
  security?: SecurityChoice;
  logLevel?: LogLevel;
  bin?: string;
  user?: string;
}

const KNOWN = new Set(['out', 'baseDir', 'confDir', 'trackers', 'groups', 'storages', 'httpPort', 'trackerHttpPort', 'reservedStorageSpace',
  'storeLookup', 'storeGroup', 'tokenSecret', 'tokenTtl', 'security', 'logLevel', 'bin', 'user']);

/** Reads a .json, .yaml or .yml answers file. */
export async function loadAnswersFile(file: string): Promise<RawAnswers> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read answers file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  let data: unknown;
  try {
    if (/\.ya?ml$/i.test(file)) {
      const { parse } = await import('yaml');
      data = parse(text);
    } else {
      data = JSON.parse(text);
    }
  } catch (err) {
    throw new UsageError(`answers file ${file} is not valid ${/\.ya?ml$/i.test(file) ? 'YAML' : 'JSON'}: ${(err as Error).message.split('\n')[0]}`);
  }
  if (!data || typeof data !== 'object' || Array.isArray(data)) throw new UsageError(`answers file ${file} must hold an object (key: value pairs)`);
  const unknown = Object.keys(data).filter((k) => !KNOWN.has(k));
  if (unknown.length) throw new UsageError(`answers file ${file}: unknown key(s) ${unknown.join(', ')} (known: ${[...KNOWN].join(', ')})`);
  return data as RawAnswers;
}

function list<T>(v: T[] | T | undefined): T[] {
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v : [v];
}

function storageFrom(group: string, e: StorageEntry): Omit<StoragePlan, 'httpPort'> & { httpPort?: number } {
  checkGroupName(group);
  if (typeof e === 'string') return { group, ...parseAddress(e, DEFAULT_STORAGE_PORT), storePaths: [] };
  if (!e || typeof e !== 'object') throw new UsageError(`bad storage entry in ${group}: ${JSON.stringify(e)}`);
  const addr = e.address ?? (e.host ? `${e.host}${e.port ? `:${e.port}` : ''}` : undefined);
  if (!addr) throw new UsageError(`a storage of ${group} has no address`);
  const storePaths = typeof e.storePaths === 'string' ? e.storePaths.split(',').map((s) => s.trim()).filter(Boolean) : [...(e.storePaths ?? [])];
  return {
    group, ...parseAddress(addr, DEFAULT_STORAGE_PORT), storePaths,
    httpPort: e.httpPort === undefined ? undefined : checkPort(Number(e.httpPort), `HTTP port of ${addr}`),
  };
}

/** 'GROUP=HOST[:PORT]' (the --storage flag). */
export function parseStorageFlag(text: string): { group: string; address: string } {
  const i = text.indexOf('=');
  if (i <= 0) throw new UsageError(`bad --storage "${text}" (want GROUP=HOST:PORT, e.g. group1=10.0.0.11:23000)`);
  return { group: checkGroupName(text.slice(0, i).trim()), address: text.slice(i + 1).trim() };
}

/** The plan from raw answers; HTTP ports not given are `httpPort`, `httpPort+1`, … per host. */
export function planFromAnswers(raw: RawAnswers): InitPlan {
  const httpBase = checkPort(Number(raw.httpPort ?? PLAN_DEFAULTS.httpPort), 'HTTP port');
  const trackers = list(raw.trackers).flatMap((t) => String(t).split(/[\s,]+/).filter(Boolean))
    .map((t) => parseAddress(t, DEFAULT_TRACKER_PORT));
  const partial: Array<ReturnType<typeof storageFrom>> = [];
  for (const [group, entries] of Object.entries(raw.groups ?? {})) {
    const items = list(entries);
    if (!items.length) throw new UsageError(`group ${group} has no storage`);
    for (const e of items) partial.push(storageFrom(group, e));
  }
  for (const s of list(raw.storages)) {
    if (typeof s === 'string') {
      const { group, address } = parseStorageFlag(s);
      partial.push(storageFrom(group, address));
    } else {
      partial.push(storageFrom(s?.group ?? '', s));
    }
  }
  const trackerHttpPort = Number(raw.trackerHttpPort ?? PLAN_DEFAULTS.trackerHttpPort);
  // Ports taken on each host: every server port, the trackers' HTTP port, and the HTTP ports given explicitly.
  const taken = [...trackers, ...partial, ...partial.flatMap((p) => (p.httpPort ? [{ host: p.host, port: p.httpPort }] : [])),
    ...(trackerHttpPort ? trackers.map((t) => ({ host: t.host, port: trackerHttpPort })) : [])];
  const storages: StoragePlan[] = [];
  for (const s of partial) {
    storages.push({ ...s, httpPort: s.httpPort ?? nextHttpPort(storages, s.host, httpBase, taken) });
  }
  const storeLookup = raw.storeLookup ?? (raw.storeGroup ? 'group' : PLAN_DEFAULTS.storeLookup);
  if (!['round-robin', 'group', 'load-balance'].includes(storeLookup)) {
    throw new UsageError(`bad store lookup "${storeLookup}" (round-robin, group or load-balance)`);
  }
  return validatePlan({
    trackers,
    storages,
    trackerHttpPort,
    baseDir: raw.baseDir ?? PLAN_DEFAULTS.baseDir,
    confDir: raw.confDir ?? PLAN_DEFAULTS.confDir,
    reservedStorageSpace: String(raw.reservedStorageSpace ?? PLAN_DEFAULTS.reservedStorageSpace),
    storeLookup,
    storeGroup: raw.storeGroup ?? '',
    tokenSecret: raw.tokenSecret === undefined || raw.tokenSecret === null ? '' : String(raw.tokenSecret),
    tokenTtl: Number(raw.tokenTtl ?? PLAN_DEFAULTS.tokenTtl),
    security: raw.security ?? PLAN_DEFAULTS.security,
    logLevel: (raw.logLevel ?? PLAN_DEFAULTS.logLevel) as LogLevel,
    bin: raw.bin ?? PLAN_DEFAULTS.bin,
    user: raw.user ?? PLAN_DEFAULTS.user,
  });
}

/** Flags over the file: only flags that were given replace the file's values. */
export function mergeAnswers(file: RawAnswers, flags: RawAnswers): RawAnswers {
  const out: RawAnswers = { ...file };
  for (const [k, v] of Object.entries(flags) as Array<[keyof RawAnswers, unknown]>) {
    if (v === undefined || (Array.isArray(v) && v.length === 0)) continue;
    (out as Record<string, unknown>)[k] = v;
  }
  // --storage flags replace the file's groups as a whole, so the result is what the command line says.
  if (flags.storages && list(flags.storages).length) delete out.groups;
  return out;
}
