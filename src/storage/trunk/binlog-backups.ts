// trunk_binlog_max_backups (spec §11.5): when a compaction replaces the trunk binlog, the old one is kept as
// `binlog.YYYYMMDDHHMMSS` (local time, stock's name) in data/trunk/, and the oldest beyond the max are deleted.
// Only the file named `binlog` is ever read, written or sent to peers; backups are for people.
import { copyFileSync, linkSync, readdirSync, unlinkSync } from 'node:fs';
import path from 'node:path';

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** `<binlog>.YYYYMMDDHHMMSS` for `when`, local time, as stock's trunk_binlog_backup_and_truncate names it. */
export function backupName(binlog: string, when: Date): string {
  const stamp = `${when.getFullYear()}${pad(when.getMonth() + 1)}${pad(when.getDate())}${pad(when.getHours())}${pad(when.getMinutes())}${pad(when.getSeconds())}`;
  return `${binlog}.${stamp}`;
}

/** The backups of `binlog` present, oldest first (the stamp sorts as text). */
export function listBackups(binlog: string): string[] {
  const base = path.basename(binlog);
  const re = new RegExp(`^${base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.\\d{14}$`);
  let names: string[];
  try {
    names = readdirSync(path.dirname(binlog));
  } catch {
    return [];
  }
  return names.filter((n) => re.test(n)).sort().map((n) => path.join(path.dirname(binlog), n));
}

/**
 * Keep the current binlog under its backup name: a second name for the same file (a hard link), so the rename
 * of the compacted file over `binlog` stays the one step that swaps them. A backup of the same second is replaced.
 */
export function keepBackup(binlog: string, when: Date): string {
  const name = backupName(binlog, when);
  try {
    linkSync(binlog, name);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') {
      unlinkSync(name);
      linkSync(binlog, name);
    } else if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP') {
      // A file system without hard links: a copy (the writers are held, the file does not change meanwhile).
      copyFileSync(binlog, name);
    } else {
      throw err;
    }
  }
  return name;
}

/** Delete the oldest backups so that at most `max` remain; the deleted paths. */
export function pruneBackups(binlog: string, max: number): string[] {
  const all = listBackups(binlog);
  const gone = all.slice(0, Math.max(0, all.length - max));
  for (const f of gone) {
    try {
      unlinkSync(f);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  return gone;
}
