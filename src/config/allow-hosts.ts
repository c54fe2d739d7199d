// `allow_hosts` (spec 10.5): parses `*`, IPs, hostnames, CIDR blocks and bracket ranges
// (`10.0.1.[1-15,20]`, `host[01-08,20-25].domain.com`) and answers whether a peer IP may connect.
import { BlockList, isIP } from 'node:net';
import { lookup as dnsLookup } from 'node:dns/promises';
import { configError, isHostOrIp, type Where } from './values.js';

/** Most addresses one pattern may expand to (the stock reader expands them into a list as well). */
export const MAX_EXPANSION = 65536;

export type HostLookup = (host: string) => Promise<string[]>;

const defaultLookup: HostLookup = async (host) =>
  (await dnsLookup(host, { all: true })).map((a) => a.address);

/**
 * The set of peers allowed to connect. `*` (or no pattern at all) allows everyone. Hostnames match
 * only after `resolve()` has looked them up; IPs and CIDR blocks match at once.
 */
export class AllowHosts {
  /** The patterns as written in the config, in order (`['*']` for the default). */
  readonly patterns: string[];
  readonly allowAll: boolean;
  #ips = new BlockList();
  #hostnames: string[] = [];
  #resolved = new Set<string>();

  constructor(patterns: string[] = ['*'], where: Where[] = []) {
    this.patterns = patterns.length ? [...patterns] : ['*'];
    this.allowAll = this.patterns.some((p) => p.trim() === '*');
    if (this.allowAll) return;
    patterns.forEach((p, i) => this.#add(p.trim(), where[i]));
  }

  /** Everyone allowed (the stock default `allow_hosts = *`). */
  static all(): AllowHosts {
    return new AllowHosts(['*']);
  }

  /** From repeated `allow_hosts` items; bad patterns throw ConfigError with their file:line. */
  static fromItems(items: Array<{ value: string; file?: string; line?: number }>, key = 'allow_hosts'): AllowHosts {
    return new AllowHosts(items.map((i) => i.value), items.map((i) => ({ key, file: i.file, line: i.line })));
  }

  /** Hostnames named by the patterns (after range expansion); they need `resolve()`. */
  get hostnames(): readonly string[] {
    return this.#hostnames;
  }

  /** Looks up every hostname pattern (call at server start); failures leave that name unmatched. */
  async resolve(lookup: HostLookup = defaultLookup): Promise<void> {
    const found = await Promise.all(this.#hostnames.map((h) => lookup(h).catch(() => [] as string[])));
    this.#resolved = new Set(found.flat().map(normaliseIp));
  }

  /** True when a peer at `ip` may connect (IPv4-mapped IPv6 `::ffff:a.b.c.d` counts as IPv4). */
  allows(ip: string): boolean {
    if (this.allowAll) return true;
    const addr = normaliseIp(ip);
    const family = isIP(addr);
    if (family === 0) return false;
    return this.#ips.check(addr, family === 4 ? 'ipv4' : 'ipv6') || this.#resolved.has(addr);
  }

  #add(pattern: string, at: Where | undefined): void {
    const cidr = /^([^/]+)\/(\d{1,3})$/.exec(pattern);
    if (cidr) {
      const family = isIP(cidr[1]!);
      const bits = Number(cidr[2]);
      if (family === 0 || bits > (family === 4 ? 32 : 128)) {
        throw configError(at, `bad CIDR block "${pattern}"`);
      }
      this.#ips.addSubnet(cidr[1]!, bits, family === 4 ? 'ipv4' : 'ipv6');
      return;
    }
    for (const entry of expandRanges(pattern, at)) {
      const family = isIP(entry);
      if (family) this.#ips.addAddress(entry, family === 4 ? 'ipv4' : 'ipv6');
      else if (isHostOrIp(entry)) this.#hostnames.push(entry.toLowerCase());
      else throw configError(at, `"${entry}" (from "${pattern}") is not an IP address, hostname or CIDR block`);
    }
  }
}

/** Strips an IPv6 zone (`%eth0`) and the IPv4-mapped prefix. */
function normaliseIp(ip: string): string {
  let a = ip.trim();
  const pct = a.indexOf('%');
  if (pct >= 0) a = a.slice(0, pct);
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(a);
  return mapped ? mapped[1]! : a.toLowerCase();
}

/**
 * Expands every `[a-b,c]` group of a pattern: `10.0.1.[1-3]` → 10.0.1.1 … 10.0.1.3. A bound written
 * with a leading zero sets the width (`[01-08]` → 01 … 08). `[ipv6]` is an IPv6 address, not a range.
 */
export function expandRanges(pattern: string, at?: Where): string[] {
  const open = pattern.indexOf('[');
  if (open < 0) {
    if (pattern.includes(']')) throw configError(at, `unbalanced "]" in "${pattern}"`);
    return [pattern];
  }
  const close = pattern.indexOf(']', open);
  if (close < 0) throw configError(at, `unbalanced "[" in "${pattern}"`);
  const inner = pattern.slice(open + 1, close);
  const head = pattern.slice(0, open);
  const rest = pattern.slice(close + 1);
  if (head === '' && rest === '' && isIP(inner) === 6) return [inner];
  if (!/^\d+(-\d+)?(,\d+(-\d+)?)*$/.test(inner.replace(/\s+/g, ''))) {
    throw configError(at, `bad range "[${inner}]" in "${pattern}" (expected e.g. [1-15,20])`);
  }
  const tails = expandRanges(rest, at);
  const out: string[] = [];
  for (const part of inner.replace(/\s+/g, '').split(',')) {
    const [a, b = a] = part.split('-') as [string, string?];
    const lo = Number(a), hi = Number(b);
    if (hi < lo) throw configError(at, `bad range "${part}" in "${pattern}": end before start`);
    const width = a.length > 1 && a.startsWith('0') ? a.length : 0;
    if (out.length + (hi - lo + 1) * tails.length > MAX_EXPANSION) {
      throw configError(at, `"${pattern}" expands to more than ${MAX_EXPANSION} entries`);
    }
    for (let n = lo; n <= hi; n++) {
      const num = String(n).padStart(width, '0');
      for (const t of tails) out.push(`${head}${num}${t}`);
    }
  }
  return out;
}
