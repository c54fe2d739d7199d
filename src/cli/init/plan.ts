// `fdfs init` answers: the cluster plan (trackers, groups of storages, shared settings), the checks an
// operator's answers must pass, and the one parser shared by flags, answers files and the wizard.
import { isIP } from 'node:net';
import { UsageError } from '../../errors.js';
import { LOG_LEVELS, type LogLevel } from '../../config/common-fields.js';
import { parseHostPort, parseReservedSpace } from '../../config/values.js';
import { DEFAULT_STORAGE_PORT, DEFAULT_TRACKER_PORT } from '../../protocol/codes.js';
import { formatIpPort } from '../../protocol/join.js';

export interface TrackerPlan {
  host: string;
  port: number;
}

export interface StoragePlan {
  group: string;
  host: string;
  port: number;
  /** Absolute paths on the host; empty = the storage's base path (stock store_path0 default). */
  storePaths: string[];
  httpPort: number;
}

export type StoreLookup = 'round-robin' | 'group' | 'load-balance';
export type SecurityChoice = 'off' | 'optional' | 'required';
export const SECURITY_CHOICES: readonly SecurityChoice[] = ['off', 'optional', 'required'];

export interface InitPlan {
  trackers: TrackerPlan[];
  storages: StoragePlan[];
  /** The trackers' HTTP entry (redirects to a storage's gateway, /metrics); 0 = off. @default 8080 */
  trackerHttpPort: number;
  /** Data folder on every host; each server gets a sub-folder. @default /var/lib/fdfs */
  baseDir: string;
  /** Where the conf files go on the hosts (systemd units point there). @default /etc/fdfs */
  confDir: string;
  /** reserved_storage_space text, e.g. `10%` or `4GB`. @default 10% */
  reservedStorageSpace: string;
  storeLookup: StoreLookup;
  /** The group uploads go to when storeLookup = 'group'. */
  storeGroup: string;
  /** Anti-steal token secret; '' = HTTP downloads need no token. */
  tokenSecret: string;
  /** Seconds a token stays valid. @default 600 */
  tokenTtl: number;
  /** auth_policy of every server (issue 14); not off: a cluster secret and an admin key are made. @default off */
  security: SecurityChoice;
  logLevel: LogLevel;
  /** The fdfs executable on the hosts. @default /usr/local/bin/fdfs */
  bin: string;
  /** Unix user the services run as. @default fdfs */
  user: string;
}

export const PLAN_DEFAULTS = {
  baseDir: '/var/lib/fdfs',
  confDir: '/etc/fdfs',
  reservedStorageSpace: '10%',
  storeLookup: 'load-balance' as StoreLookup,
  tokenTtl: 600,
  security: 'off' as SecurityChoice,
  logLevel: 'info' as LogLevel,
  bin: '/usr/local/bin/fdfs',
  user: 'fdfs',
  httpPort: 8888,
  trackerHttpPort: 8080,
};

export const GROUP_RE = /^[A-Za-z0-9]{1,16}$/;

/** 'HOST[:PORT]' → {host, port}; one address per server (the wizard keeps dual-IP setups out). */
export function parseAddress(text: string, defaultPort: number): { host: string; port: number } {
  const t = text.trim();
  if (!t) throw new UsageError('empty address (want HOST:PORT)');
  let hp;
  try {
    hp = parseHostPort(t, undefined, defaultPort);
  } catch (err) {
    throw new UsageError(`bad address "${t}": ${(err as Error).message.replace(/^.*?: /, '')}`);
  }
  if (hp.hosts.length !== 1) throw new UsageError(`bad address "${t}": give one host per server`);
  const unusable = unusableAddress(hp.hosts[0]!);
  if (unusable) throw new UsageError(`bad address "${t}": ${unusable}; give the address the other hosts reach this server at`);
  return { host: hp.hosts[0]!, port: hp.port };
}

/** Why an IP cannot be a server's address (null when it can): other hosts could never connect to it. */
export function unusableAddress(host: string): string | null {
  const v = isIP(host);
  if (v === 4) {
    const [a, b, c, d] = host.split('.').map(Number) as [number, number, number, number];
    if (a === 0) return `${host} is in 0.0.0.0/8 ("this network", not a host)`;
    if (a === 255 && b === 255 && c === 255 && d === 255) return `${host} is the broadcast address`;
    if (a >= 224 && a <= 239) return `${host} is a multicast address`;
    if (a >= 240) return `${host} is reserved (240.0.0.0/4), not a host`;
    return null;
  }
  if (v === 6) {
    const h = host.toLowerCase();
    if (/^[0:]+$/.test(h)) return `${host} is the unspecified address, not a host`;
    if (h.startsWith('ff')) return `${host} is a multicast address`;
    return null;
  }
  // Digits and dots only but no IPv4 address (10.0.0, 1.2.3.4.5): a mistyped IP, not a host name.
  if (/^[\d.]+$/.test(host)) return `${host} is not a valid IPv4 address`;
  return null;
}

/** A comma/space separated list of addresses; duplicates within the list are refused. */
export function parseAddressList(text: string, defaultPort: number): Array<{ host: string; port: number }> {
  const items = text.split(/[\s,]+/).filter(Boolean);
  if (!items.length) throw new UsageError('give at least one address (HOST:PORT)');
  const out = items.map((i) => parseAddress(i, defaultPort));
  const seen = new Set<string>();
  for (const a of out) {
    const k = key(a);
    if (seen.has(k)) throw new UsageError(`${k} is listed twice`);
    seen.add(k);
  }
  return out;
}

export function key(a: { host: string; port: number }): string {
  return formatIpPort(a.host, a.port);
}

export function checkPort(n: number, what: string): number {
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new UsageError(`${what} must be a port number 1-65535 (got ${n})`);
  return n;
}

export function checkGroupName(name: string): string {
  if (!GROUP_RE.test(name)) throw new UsageError(`bad group name "${name}" (letters and digits, 1-16 characters)`);
  return name;
}

export function checkReserved(text: string): string {
  try {
    parseReservedSpace(text);
  } catch {
    throw new UsageError(`bad reserved space "${text}" (a percentage like 10% or a size like 4GB)`);
  }
  return text.trim();
}

export function checkAbsolutePath(p: string, what: string): string {
  if (!p.startsWith('/')) throw new UsageError(`${what} must be an absolute path (got "${p}")`);
  if (/[\s#]/.test(p)) throw new UsageError(`${what} must not contain spaces or '#' (got "${p}")`);
  return p.replace(/\/+$/, '') || '/';
}

/** Every rule the whole plan must satisfy; throws one UsageError naming every problem found. */
export function validatePlan(plan: InitPlan): InitPlan {
  const problems: string[] = [];
  const attempt = (fn: () => unknown) => {
    try {
      fn();
    } catch (err) {
      problems.push((err as Error).message);
    }
  };
  if (!plan.trackers.length) problems.push('no tracker: give at least one (--tracker HOST:PORT)');
  if (!plan.storages.length) problems.push('no storage: give at least one (--storage GROUP=HOST:PORT)');
  // One listening socket per host:port, whatever role or protocol uses it.
  const used = new Map<string, string>();
  const claim = (a: { host: string; port: number }, what: string) => {
    const k = key(a);
    const prev = used.get(k);
    if (prev) problems.push(`${k} is used twice (${prev} and ${what})`);
    else used.set(k, what);
  };
  for (const t of plan.trackers) {
    attempt(() => checkPort(t.port, `tracker ${t.host} port`));
    claim(t, 'a tracker');
    if (plan.trackerHttpPort) claim({ host: t.host, port: plan.trackerHttpPort }, `HTTP port of tracker ${key(t)}`);
  }
  if (plan.trackerHttpPort) attempt(() => checkPort(plan.trackerHttpPort, 'tracker HTTP port'));
  const groupHosts = new Map<string, Set<string>>();
  for (const s of plan.storages) {
    attempt(() => checkGroupName(s.group));
    attempt(() => checkPort(s.port, `storage ${s.host} port`));
    attempt(() => checkPort(s.httpPort, `storage ${s.host} HTTP port`));
    claim(s, `storage of ${s.group}`);
    claim({ host: s.host, port: s.httpPort }, `HTTP port of storage ${key(s)}`);
    for (const p of s.storePaths) attempt(() => checkAbsolutePath(p, `store path of ${key(s)}`));
    // FastDFS tells the storages of a group apart by IP: two on one host would be one storage.
    const hosts = groupHosts.get(s.group) ?? new Set<string>();
    if (hosts.has(s.host)) problems.push(`${s.group} has two storages on ${s.host}: a group needs a distinct host per storage`);
    hosts.add(s.host);
    groupHosts.set(s.group, hosts);
  }
  attempt(() => checkAbsolutePath(plan.baseDir, 'base dir'));
  attempt(() => checkAbsolutePath(plan.confDir, 'conf dir'));
  attempt(() => checkAbsolutePath(plan.bin, 'fdfs executable path'));
  attempt(() => checkReserved(plan.reservedStorageSpace));
  if (plan.storeLookup === 'group') {
    if (!plan.storeGroup) problems.push('store lookup "group" needs a store group (--store-group)');
    else if (!groupHosts.has(plan.storeGroup)) problems.push(`store group "${plan.storeGroup}" is not one of the groups`);
  }
  if (!/^[a-z_][a-z0-9_-]{0,31}$/.test(plan.user)) problems.push(`bad user name "${plan.user}"`);
  if (plan.tokenSecret && /\s/.test(plan.tokenSecret)) problems.push('the token secret must not contain spaces');
  if (!SECURITY_CHOICES.includes(plan.security)) problems.push(`bad security "${plan.security}" (${SECURITY_CHOICES.join(', ')})`);
  if (!Number.isInteger(plan.tokenTtl) || plan.tokenTtl < 1) problems.push('token TTL must be a positive number of seconds');
  if (!LOG_LEVELS.includes(plan.logLevel)) problems.push(`bad log level "${plan.logLevel}" (one of ${LOG_LEVELS.join(', ')})`);
  if (problems.length) throw new UsageError(problems.length === 1 ? problems[0]! : `the plan has problems:\n  - ${problems.join('\n  - ')}`);
  return plan;
}

/** Groups in the order they first appear. */
export function groupsOf(plan: Pick<InitPlan, 'storages'>): Array<{ name: string; storages: StoragePlan[] }> {
  const map = new Map<string, StoragePlan[]>();
  for (const s of plan.storages) map.set(s.group, [...(map.get(s.group) ?? []), s]);
  return [...map].map(([name, storages]) => ({ name, storages }));
}

/** An HTTP port free on `host` given the storages planned so far (start, start+1, …). */
export function nextHttpPort(storages: readonly StoragePlan[], host: string, start: number, taken: readonly { host: string; port: number }[] = []): number {
  const busy = new Set([...storages.filter((s) => s.host === host).flatMap((s) => [s.port, s.httpPort]),
    ...taken.filter((t) => t.host === host).map((t) => t.port)]);
  let p = start;
  while (busy.has(p) && p < 65535) p++;
  return p;
}

export function isIpLiteral(host: string): boolean {
  return isIP(host) !== 0;
}

export { DEFAULT_STORAGE_PORT, DEFAULT_TRACKER_PORT };
