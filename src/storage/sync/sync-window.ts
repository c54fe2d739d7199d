// sync_start_time / sync_end_time (spec §9.4 item 5): replication to peers only inside a daily window of
// local time. 00:00–23:59 (the default) is the whole day; a start after the end is a window over midnight.
import type { TimeOfDay } from '../../config/values.js';

const DAY = 24 * 3600;

function secondOfDay(t: TimeOfDay): number {
  return t.hour * 3600 + t.minute * 60 + t.second;
}

export interface SyncWindow {
  /** Replication may run at `now`. */
  isOpen(now: Date): boolean;
  /** Milliseconds from `now` until the window opens (0 when open). */
  msUntilOpen(now: Date): number;
  /** "HH:MM–HH:MM" for logs. */
  readonly text: string;
}

/** The window, or null when it is the whole day. The end minute is included (23:59 runs to midnight). */
export function syncWindow(start: TimeOfDay, end: TimeOfDay): SyncWindow | null {
  const from = secondOfDay({ ...start, second: 0 });
  const to = secondOfDay({ ...end, second: 59 });
  if (from === 0 && to >= DAY - 1) return null;
  const open = (s: number): boolean => (from <= to ? s >= from && s <= to : s >= from || s <= to);
  const pad = (n: number) => String(n).padStart(2, '0');
  return {
    text: `${pad(start.hour)}:${pad(start.minute)}–${pad(end.hour)}:${pad(end.minute)}`,
    isOpen: (now) => open(now.getHours() * 3600 + now.getMinutes() * 60 + now.getSeconds()),
    msUntilOpen(now) {
      const s = now.getHours() * 3600 + now.getMinutes() * 60 + now.getSeconds();
      if (open(s)) return 0;
      return (((from - s + DAY) % DAY) * 1000) - now.getMilliseconds();
    },
  };
}
