// Root logger and child loggers with bindings; logs go to stderr (or a file), never stdout.
import { pino, type DestinationStream, type Logger, type LevelWithSilent } from 'pino';

export type { Logger };

let root: Logger = createLogger({});

export interface LogOptions {
  level?: LevelWithSilent | string;
  /** Write to this file instead of stderr. */
  file?: string;
  /** Write here instead (e.g. `fdfs serve`'s human lines on a terminal); wins over `file`. */
  stream?: DestinationStream;
}

export function createLogger(opts: LogOptions): Logger {
  const level = normaliseLevel(opts.level ?? process.env.FDFS_LOG_LEVEL ?? 'info');
  const dest = opts.stream ?? (opts.file
    ? pino.destination({ dest: opts.file, mkdir: true, sync: false })
    : pino.destination({ fd: 2, sync: true }));
  return pino({ level, base: { pid: process.pid }, serializers: { err: pino.stdSerializers.err } }, dest);
}

/** Accepts pino levels and the stock FastDFS names (emerg, alert, crit, error, warn, notice, info, debug). */
export function normaliseLevel(level: string): LevelWithSilent {
  const l = level.toLowerCase();
  const map: Record<string, LevelWithSilent> = {
    emerg: 'fatal', alert: 'fatal', crit: 'fatal', err: 'error', warning: 'warn', notice: 'info',
  };
  const v = map[l] ?? l;
  return (['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(v) ? v : 'info') as LevelWithSilent;
}

export function setRootLogger(logger: Logger): void {
  root = logger;
}

export function log(): Logger {
  return root;
}

export function child(bindings: Record<string, unknown>): Logger {
  return root.child(bindings);
}
