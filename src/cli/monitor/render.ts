// `fdfs monitor` text: trackers, groups and storages as cli-table3 tables with states coloured by chalk
// (plain when not a terminal), and one summary line that says healthy or why not.
import type { ChalkInstance } from 'chalk';
import { formatBytes, formatTime } from '../format.js';
import { stateLegend } from '../state-legend.js';
import type { ClusterView, StorageView } from './collect.js';
import { fitTable, wrapLines, type Align } from './fit.js';

export interface RenderOptions {
  /** chalk level 0 = plain text (no colour codes, no coloured borders). */
  color: boolean;
  /** Columns to fit in (the terminal's under --watch). @default 80 */
  width?: number;
}

/** Narrowest layout we draw; below it lines are still never cut, only wrapped. */
export const MIN_WIDTH = 40;

const MB = 1024 * 1024;

export function mb(n: number): string {
  return formatBytes(n * MB);
}

/** '4s ago', '12m ago', '5h ago', '3d ago' (narrow enough for a column); 'never' for 0. */
export function ago(now: number, t: number): string {
  if (t <= 0) return 'never';
  const d = now - t;
  if (d < 0) return formatTime(t);
  if (d < 120) return `${d}s ago`;
  if (d < 7200) return `${Math.floor(d / 60)}m ago`;
  if (d < 172800) return `${Math.floor(d / 3600)}h ago`;
  return `${Math.floor(d / 86400)}d ago`;
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
  const c = new Chalk({ level: opts.color ? 1 : 0 });
  const width = Math.max(opts.width ?? 80, MIN_WIDTH);
  const style = opts.color ? { head: ['cyan'], border: ['grey'] } : { head: [], border: [] };
  const table = (head: string[], rows: string[][], more: { align?: Align[]; key?: number; wrap?: number; sections?: number[][] } = {}) =>
    fitTable({ head, rows, ...more }, width, style);
  const out: string[] = [];
  const now = view.time;

  out.push(wrapLines(c.bold(`fdfs monitor  ${formatTime(now)}`) + (view.source ? `  (view of tracker ${view.source}${view.source === view.leader ? ', the leader' : ''})` : ''), width, '  '));

  const trackerRows = view.trackers.map((t) => {
    const state = !t.ok ? c.red('DOWN') : t.isLeader ? c.green('leader') : t.leader ? 'follower' : c.yellow('no leader');
    return [t.address, state, t.ok ? String(t.groups) : '-', t.ok ? String(t.storages) : '-', t.error ?? (t.notActive ? c.yellow(`${t.notActive} not ACTIVE`) : '')];
  });
  out.push(await table(['tracker', 'state', 'groups', 'storages', 'problem'], trackerRows, { wrap: 4 }));

  if (view.groups.length) {
    // Counts as "active of all" and "readable/writable", sizes in the short form (1.5G): fits 80 columns
    // with a 16-letter group name.
    const rows = view.groups.map((g) => {
      const active = `${g.activeCount}/${g.storageCount}`;
      return [g.name, g.activeCount === g.storageCount ? c.green(active) : c.red(active), `${g.readableCount}/${g.writableCount}`,
        short(g.totalMb * MB), short(g.freeMb * MB), short(g.reservedMb * MB), g.availableMb > 0 ? short(g.availableMb * MB) : c.red(short(0))];
    });
    out.push(await table(['group', 'active', 'read/write', 'total', 'free', 'reserved', 'available'], rows,
      { align: ['left', 'right', 'right', 'right', 'right', 'right', 'right'] }));
    for (const g of view.groups) {
      if (!g.trunk) continue;
      const server = g.trunk.server || c.red('none yet');
      out.push(`trunk files in ${g.name}: trunk server ${server}, ${short(g.trunk.freeMb * MB)} free in trunk files, last trunk file id ${g.trunk.currentFileId}`);
    }
  }

  if (view.storages.length) {
    const rows = view.storages.map((s) => {
      const pct = s.totalMb ? `${Math.round((s.usedMb / s.totalMb) * 100)}% of ` : '';
      const lag = lagText(s);
      return [
        s.group, `${s.ip}:${s.port}`, statusColour(c, s.status), ago(now, s.lastHeartBeatTime), s.syncLagSeconds === 0 ? lag : c.yellow(lag),
        `${pct}${short(s.totalMb * MB)}`,
        `${count(s.uploads.total, s.uploads.success)} · ${short(s.uploads.bytes)}`,
        `${count(s.downloads.total, s.downloads.success)} · ${short(s.downloads.bytes)}`,
      ];
    });
    // Too wide for the terminal: a health table (state, beat, lag) and a traffic table (disk, uploads, downloads).
    out.push(await table(['group', 'storage', 'state', 'beat', 'sync lag', 'disk used', 'uploads', 'downloads'], rows,
      { align: ['left', 'left', 'left', 'right', 'right', 'right', 'right', 'right'], key: 1, sections: [[0, 1, 2, 3, 4], [1, 5, 6, 7]] }));
    out.push(c.dim(stateLegend(view.storages.map((s) => s.statusCode), width)));
  }

  out.push(wrapLines(summaryLine(view, c), width, '  '));
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
