// `fdfs monitor` text: trackers, groups and storages as cli-table3 tables with states coloured by chalk
// (plain when not a terminal), and one summary line that says healthy or why not.
import type { ChalkInstance } from 'chalk';
import { formatBytes, formatTime } from '../format.js';
import { stateLegend } from '../state-legend.js';
import type { ClusterView, StorageView } from './collect.js';

export interface RenderOptions {
  /** chalk level 0 = plain text (no colour codes, no coloured borders). */
  color: boolean;
}

const MB = 1024 * 1024;

export function mb(n: number): string {
  return formatBytes(n * MB);
}

/** '4s ago', '12m ago', or the date for older times; 'never' for 0. */
export function ago(now: number, t: number): string {
  if (t <= 0) return 'never';
  const d = now - t;
  if (d < 0) return formatTime(t);
  if (d < 120) return `${d}s ago`;
  if (d < 7200) return `${Math.floor(d / 60)}m ago`;
  return formatTime(t);
}

/** Compact size for narrow columns: 512B, 1.5K, 20.0M, 3.2G. */
export function short(bytes: number): string {
  const units = ['B', 'K', 'M', 'G', 'T', 'P'];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${bytes}B` : `${v.toFixed(1)}${units[u]}`;
}

export function lagText(s: StorageView): string {
  if (s.syncLagSeconds === null) return 'never';
  if (s.syncLagSeconds < 120) return `${s.syncLagSeconds}s`;
  if (s.syncLagSeconds < 7200) return `${Math.floor(s.syncLagSeconds / 60)}m`;
  return `${Math.floor(s.syncLagSeconds / 3600)}h`;
}

function statusColour(c: ChalkInstance, status: string): string {
  if (status === 'ACTIVE') return c.green(status);
  if (status === 'OFFLINE' || status === 'DELETED' || status === 'IP_CHANGED') return c.red(status);
  return c.yellow(status);
}

function count(total: number, success: number): string {
  return success === total ? String(total) : `${success}/${total}`;
}

export async function renderView(view: ClusterView, opts: RenderOptions): Promise<string> {
  const { Chalk } = await import('chalk');
  const { default: Table } = await import('cli-table3');
  const c = new Chalk({ level: opts.color ? 1 : 0 });
  const style = opts.color ? { head: ['cyan'], border: ['grey'] } : { head: [], border: [] };
  const table = (head: string[], align?: Array<'left' | 'right'>) =>
    new Table({ head, style: { ...style, 'padding-left': 1, 'padding-right': 1 }, ...(align ? { colAligns: align } : {}) });
  const out: string[] = [];
  const now = view.time;

  out.push(c.bold(`fdfs monitor  ${formatTime(now)}`) + (view.source ? `  (view of tracker ${view.source}${view.source === view.leader ? ', the leader' : ''})` : ''));

  const trackers = table(['tracker', 'state', 'groups', 'storages', 'problem']);
  for (const t of view.trackers) {
    const state = !t.ok ? c.red('DOWN') : t.isLeader ? c.green('leader') : t.leader ? 'follower' : c.yellow('no leader');
    trackers.push([t.address, state, t.ok ? String(t.groups) : '-', t.ok ? String(t.storages) : '-', t.error ?? (t.notActive ? c.yellow(`${t.notActive} not ACTIVE`) : '')]);
  }
  out.push(trackers.toString());

  if (view.groups.length) {
    const groups = table(['group', 'storages', 'active', 'readable', 'writable', 'total', 'free', 'reserved', 'available'],
      ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right']);
    for (const g of view.groups) {
      const active = g.activeCount === g.storageCount ? c.green(String(g.activeCount)) : c.red(String(g.activeCount));
      groups.push([g.name, String(g.storageCount), active, String(g.readableCount), String(g.writableCount), mb(g.totalMb), mb(g.freeMb),
        mb(g.reservedMb), g.availableMb > 0 ? mb(g.availableMb) : c.red(mb(0))]);
    }
    out.push(groups.toString());
  }

  if (view.storages.length) {
    const storages = table(['group', 'storage', 'state', 'disk used', 'uploads', 'downloads', 'beat', 'sync lag'],
      ['left', 'left', 'left', 'right', 'right', 'right', 'right', 'right']);
    for (const s of view.storages) {
      const pct = s.totalMb ? `${Math.round((s.usedMb / s.totalMb) * 100)}% of ` : '';
      const lag = lagText(s);
      storages.push([
        s.group, `${s.ip}:${s.port}`, statusColour(c, s.status), `${pct}${short(s.totalMb * MB)}`,
        `${count(s.uploads.total, s.uploads.success)} · ${short(s.uploads.bytes)}`,
        `${count(s.downloads.total, s.downloads.success)} · ${short(s.downloads.bytes)}`,
        ago(now, s.lastHeartBeatTime), s.syncLagSeconds === 0 ? lag : c.yellow(lag),
      ]);
    }
    out.push(storages.toString());
    out.push(c.dim(stateLegend(view.storages.map((s) => s.statusCode))));
  }

  out.push(summaryLine(view, c));
  return out.join('\n');
}

export function summaryLine(view: ClusterView, c: ChalkInstance): string {
  const s = view.summary;
  const facts = `${s.trackersUp}/${s.trackers} trackers up, ${s.groups} group(s), ${s.active}/${s.storages} storages ACTIVE, ${mb(s.availableMb)} available`;
  if (view.healthy) return `${c.green.bold('HEALTHY')}  ${facts}`;
  const why = view.problems.slice(0, 3).join('; ') + (view.problems.length > 3 ? `; and ${view.problems.length - 3} more` : '');
  const hint = s.trackersUp === 0
    ? '\n  Is a tracker running there? Start one with `fdfs serve`, or name yours with --tracker HOST:PORT, FDFS_TRACKER or --config client.conf.'
    : '';
  return `${c.red.bold('UNHEALTHY')}  ${facts}\n  ${why}${hint}`;
}
