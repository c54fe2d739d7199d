// Value parsers for .conf strings (spec 10.2, 10.5, 10.6): booleans, integers, sizes, percentages,
// times of day and host:port lists. Each throws ConfigError naming key and file:line.
import { isIP } from 'node:net';
import { ConfigError } from '../errors.js';

/** Where a value came from, for error messages. */
export interface Where {
  key?: string;
  file?: string;
  line?: number;
}

export function configError(at: Where | undefined, msg: string): ConfigError {
  return new ConfigError(at?.key ? `${at.key}: ${msg}` : msg, at?.file, at?.line);
}

function badValue(at: Where | undefined, value: string, want: string): ConfigError {
  const hint = value.includes('#') ? ' (inline # comments are not supported)' : '';
  return configError(at, `bad value "${value}": ${want}${hint}`);
}

/** true for `true`, `yes`, `on` (any case) and `1`; anything else is false, as in stock. */
export function parseBool(value: string): boolean {
  return /^(true|yes|on|1)$/i.test(value.trim());
}

export interface IntRange {
  min?: number;
  max?: number;
}

function checkRange(n: number, value: string, at: Where | undefined, r: IntRange, unit = ''): number {
  const lo = r.min, hi = r.max;
  if ((lo !== undefined && n < lo) || (hi !== undefined && n > hi)) {
    const want = lo !== undefined && hi !== undefined ? `must be between ${lo}${unit} and ${hi}${unit}`
      : lo !== undefined ? `must be >= ${lo}${unit}` : `must be <= ${hi}${unit}`;
    throw configError(at, `bad value "${value}": ${want}`);
  }
  return n;
}

/** A decimal integer (optional sign), checked against `range`. */
export function parseInteger(value: string, at?: Where, range: IntRange = {}): number {
  const v = value.trim();
  if (!/^[+-]?\d+$/.test(v)) throw badValue(at, value, 'not an integer');
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw badValue(at, value, 'integer out of range');
  return checkRange(n, value, at, range);
}

const UNIT: Record<string, number> = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 };

/** A byte count: integer plus optional K/M/G/T (any case) and optional B (`256KB`, `64MB`, `20G`); bare = bytes. */
export function parseSize(value: string, at?: Where, range: IntRange = {}): number {
  const m = /^(\d+)\s*([KMGT]?)B?$/i.exec(value.trim());
  if (!m) throw badValue(at, value, 'not a size (e.g. 512, 256KB, 64MB, 20G)');
  const n = Number(m[1]) * UNIT[m[2]!.toUpperCase()]!;
  if (!Number.isSafeInteger(n)) throw badValue(at, value, 'size out of range');
  return checkRange(n, value, at, range);
}

/** Shortest exact text for a byte count (`256KB`, `64MB`, `1000`). */
export function formatSize(bytes: number): string {
  for (const u of ['T', 'G', 'M', 'K'] as const) {
    const d = UNIT[u]!;
    if (bytes >= d && bytes % d === 0) return `${bytes / d}${u}B`;
  }
  return String(bytes);
}

/** `reserved_storage_space`: an absolute amount (kept in MB) or a ratio of the total (0 < ratio < 1). */
export type ReservedSpace = { kind: 'mb'; mb: number } | { kind: 'ratio'; ratio: number };

/** Spec 10.2: a size with optional unit (stored as whole MB), or `NN.NN%` with 0 < x < 100. */
export function parseReservedSpace(value: string, at?: Where): ReservedSpace {
  const v = value.trim();
  if (v.endsWith('%')) {
    const pct = v.slice(0, -1).trim();
    if (!/^\d+(\.\d+)?$|^\.\d+$/.test(pct)) throw badValue(at, value, 'not a percentage (e.g. 20%)');
    const x = Number(pct);
    if (!(x > 0 && x < 100)) throw badValue(at, value, 'percentage must be > 0 and < 100');
    return { kind: 'ratio', ratio: x / 100 };
  }
  const bytes = parseSize(v, at);
  return { kind: 'mb', mb: Math.floor(bytes / 1024 ** 2) };
}

/** Exact conf text for a reserved space (`20%`, `12.5%`, `1024MB`); parses back to the same value. */
export function formatReservedSpace(r: ReservedSpace): string {
  return r.kind === 'mb' ? `${r.mb}MB` : `${Number((r.ratio * 100).toPrecision(12))}%`;
}

/** The form the tracker sends in STORAGE_PARAMETER_REQ (spec 8.2): `<n>MB` or `<x.xx>%`. */
export function formatReservedSpaceParam(r: ReservedSpace): string {
  return r.kind === 'mb' ? `${r.mb}MB` : `${(r.ratio * 100).toFixed(2)}%`;
}

export interface TimeOfDay {
  hour: number;
  minute: number;
  second: number;
}

/** `HH:MM` (optionally `HH:MM:SS`), hour 0–23, minute and second 0–59. */
export function parseTimeOfDay(value: string, at?: Where): TimeOfDay {
  const m = /^(\d{1,2}):(\d{1,2})(?::(\d{1,2}))?$/.exec(value.trim());
  const t = m && { hour: Number(m[1]), minute: Number(m[2]), second: Number(m[3] ?? 0) };
  if (!t || t.hour > 23 || t.minute > 59 || t.second > 59) throw badValue(at, value, 'not a time of day HH:MM');
  return t;
}

export function formatTimeOfDay(t: TimeOfDay): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(t.hour)}:${p(t.minute)}${t.second ? `:${p(t.second)}` : ''}`;
}

/** One server line: one or two addresses of the same server (inner/outer IP) and its port. */
export interface HostPort {
  hosts: string[];
  port: number;
}

const HOST_RE = /^[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?(\.[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?)*\.?$/;

/** 0.0.0.0 / :: listen on every interface: never an address to tell others (issue 11 item 1). */
export function isWildcardAddress(addr: string): boolean {
  const a = addr.trim();
  return a === '0.0.0.0' || a === '::' || a === '[::]' || a === '::0';
}

/** True for an IP literal or a syntactically valid hostname. */
export function isHostOrIp(host: string): boolean {
  return isIP(host) !== 0 || (HOST_RE.test(host) && !/^[\d.]+$/.test(host));
}

/**
 * `host[,host2]:port` as in `tracker_server`; IPv6 in brackets: `[ip6]:port`, `[ip6a,ip6b]:port`,
 * `10.0.0.1,[ip6]:port`. Without `:port`, `defaultPort` is used (an error if none is given).
 */
export function parseHostPort(value: string, at?: Where, defaultPort?: number): HostPort {
  const v = value.trim();
  let hostPart = v;
  let port = defaultPort;
  const m = /^(.*):(\d+)$/.exec(v);
  if (m && !hasBareColon(m[1]!)) {
    hostPart = m[1]!;
    port = Number(m[2]);
  } else if (hasBareColon(v) && isIP(v) !== 6) {
    throw badValue(at, value, 'expected host:port with a numeric port (IPv6 as [addr]:port)');
  }
  if (port === undefined) throw badValue(at, value, 'expected host:port');
  if (!(port >= 1 && port <= 65535)) throw badValue(at, value, 'port must be a number 1-65535');
  const hosts = splitHosts(hostPart);
  if (!hosts || hosts.length === 0 || hosts.length > 2) {
    throw badValue(at, value, 'expected host[,host2]:port (IPv6 as [addr]:port)');
  }
  for (const h of hosts) {
    if (!isHostOrIp(h)) throw badValue(at, value, `"${h}" is not an IP address or hostname`);
  }
  return { hosts, port };
}

/** A ':' outside brackets: a port separator or an unbracketed IPv6 address. */
function hasBareColon(s: string): boolean {
  return s.replace(/\[[^\]]*\]/g, '').includes(':');
}

/** Splits `a,b`, `[x,y]` or `a,[x]` into bare addresses; undefined if malformed. */
function splitHosts(part: string): string[] | undefined {
  const whole = /^\[([^\]]*)\]$/.exec(part);
  if (whole) return whole[1]!.split(',').map((h) => h.trim());
  const out: string[] = [];
  for (const piece of part.split(/,(?![^[]*\])/)) {
    const p = piece.trim();
    const b = /^\[([^\]]*)\]$/.exec(p);
    if (b) out.push(b[1]!.trim());
    else if (p.includes('[') || p.includes(']') || (p.includes(':') && isIP(p) !== 6)) return undefined;
    else out.push(p);
  }
  return out;
}

/** Conf text for a HostPort, IPv6 addresses bracketed (`[::1],10.0.0.1:22122`). */
export function formatHostPort(hp: HostPort): string {
  return `${hp.hosts.map((h) => (h.includes(':') ? `[${h}]` : h)).join(',')}:${hp.port}`;
}

/** One of `values`, matched case-insensitively (aliases map other spellings); returns the canonical form. */
export function parseEnum<V extends string>(
  value: string, values: readonly V[], at?: Where, aliases: Record<string, V> = {},
): V {
  const l = value.trim().toLowerCase();
  const hit = values.find((x) => x.toLowerCase() === l) ?? aliases[l];
  if (hit === undefined) throw badValue(at, value, `expected one of ${values.join(', ')}`);
  return hit;
}
