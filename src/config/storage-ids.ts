// storage_ids.conf (spec 10.3): `<id> <group> <host>[,<host2>][:port] [rw=...]` lines mapping
// storage ids to groups and addresses; parsing, validation and lookup by address.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError } from '../errors.js';
import { configLog, type WarnLog } from './ini.js';
import { configError, parseHostPort, type Where } from './values.js';

/** Read/write mode of a storage (6.13+); a storage with `read` or `none` never takes uploads. */
export type RwMode = 'both' | 'read' | 'write' | 'none';

const RW_MODES: Record<string, RwMode> = {
  both: 'both', all: 'both', read: 'read', readonly: 'read', write: 'write', writeonly: 'write', none: 'none',
};

export interface StorageIdEntry {
  /** Decimal id 1…16777215 as written (no leading zeros). */
  id: string;
  groupName: string;
  /** One address, or two (inner and outer IP). */
  hosts: string[];
  /** @default 23000 */
  port: number;
  /** @default 'both' */
  rwMode: RwMode;
  file: string;
  line: number;
}

export const MAX_STORAGE_ID = 16777215;
export const DEFAULT_STORAGE_PORT = 23000;

export function loadStorageIds(path: string, opts: { log?: WarnLog } = {}): StorageIdEntry[] {
  const file = resolve(path);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read storage ids file: ${(err as Error).message}`, file);
  }
  return parseStorageIds(text, file, opts);
}

/** Parses storage_ids.conf text; duplicate ids or addresses throw ConfigError naming file:line. */
export function parseStorageIds(text: string, virtualPath: string, opts: { log?: WarnLog } = {}): StorageIdEntry[] {
  const log = opts.log ?? configLog();
  const out: StorageIdEntry[] = [];
  const byId = new Map<string, StorageIdEntry>();
  const byAddr = new Map<string, StorageIdEntry>();
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!.trim();
    if (l === '' || l.startsWith('#')) continue;
    const w: Where = { file: virtualPath, line: i + 1 };
    const [id, groupName, addr, ...options] = l.split(/\s+/);
    if (!groupName || !addr) throw configError(w, `expected "<id> <group_name> <host>[:port] [rw=...]", got "${l}"`);
    if (!/^[1-9]\d*$/.test(id!) || Number(id) > MAX_STORAGE_ID) {
      throw configError(w, `bad storage id "${id}": a number 1-${MAX_STORAGE_ID} without leading zeros`);
    }
    if (!/^[A-Za-z0-9]{1,16}$/.test(groupName)) {
      throw configError(w, `bad group name "${groupName}": letters and digits only, at most 16`);
    }
    const hp = parseHostPort(addr, w, DEFAULT_STORAGE_PORT);
    const entry: StorageIdEntry = {
      id: id!, groupName, hosts: hp.hosts, port: hp.port, rwMode: 'both', file: virtualPath, line: i + 1,
    };
    for (const opt of options) {
      const m = /^rw=(.*)$/i.exec(opt);
      const mode = m ? RW_MODES[m[1]!.toLowerCase()] : undefined;
      if (m && !mode) throw configError(w, `bad rw mode "${m[1]}": expected ${Object.keys(RW_MODES).join(', ')}`);
      if (mode) entry.rwMode = mode;
      else log.warn({ file: w.file, line: w.line, option: opt }, `unknown storage id option "${opt}", ignored`);
    }
    const dupId = byId.get(entry.id);
    if (dupId) throw configError(w, `storage id ${entry.id} already defined at ${dupId.file}:${dupId.line}`);
    byId.set(entry.id, entry);
    for (const h of entry.hosts) {
      const key = `${h.toLowerCase()}:${entry.port}`;
      const dup = byAddr.get(key);
      if (dup) throw configError(w, `address ${h} port ${entry.port} already used by id ${dup.id} at ${dup.file}:${dup.line}`);
      byAddr.set(key, entry);
    }
    out.push(entry);
  }
  return out;
}

/** The entry whose addresses include `host` (and whose port is `port`, when given). */
export function findStorageId(entries: readonly StorageIdEntry[], host: string, port?: number): StorageIdEntry | undefined {
  const h = host.toLowerCase();
  return entries.find((e) => e.hosts.some((x) => x.toLowerCase() === h) && (port === undefined || e.port === port));
}
