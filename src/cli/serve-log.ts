// Where and how much `fdfs serve` logs: --log-level (or FDFS_LOG_LEVEL), else the conf's log_level (the more
// verbose of the roles run); --log-file FILE, or "auto" for the stock place, <base_path>/logs/trackerd.log or
// storaged.log (fdfs.log under the tracker's base_path when one process runs both). --log-format: human lines
// (pino-pretty) when stderr is a terminal, JSON lines otherwise (pipes, files, journald), or forced either way.
import path from 'node:path';
import pinoPretty from 'pino-pretty';
import { LOG_LEVELS, type StorageConfig, type TrackerConfig } from '../config/index.js';
import { createLogger, type Logger } from '../log.js';

export const LOG_FORMATS = ['auto', 'pretty', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export interface ServeLogOptions {
  logLevel?: string;
  logFile?: string;
  logFormat?: LogFormat;
}

export function serveLog(o: ServeLogOptions, tc?: TrackerConfig, sc?: StorageConfig): { level: string; file?: string } {
  const confLevels = [tc?.logLevel, sc?.logLevel].filter((l): l is NonNullable<typeof l> => !!l);
  const verbose = confLevels.sort((a, b) => LOG_LEVELS.indexOf(b) - LOG_LEVELS.indexOf(a))[0];
  const level = o.logLevel ?? verbose ?? 'info';
  if (o.logFile !== 'auto') return { level, file: o.logFile };
  const file = tc && sc ? path.join(tc.basePath, 'logs', 'fdfs.log')
    : tc ? path.join(tc.basePath, 'logs', 'trackerd.log')
      : path.join(sc!.basePath, 'logs', 'storaged.log');
  return { level, file };
}

/** Human lines for `to` (a file, or stderr) when the format asks for them or, under auto, stderr is a terminal. */
export function wantsPretty(format: LogFormat | undefined, file: string | undefined): boolean {
  if (format === 'pretty') return true;
  if (format === 'json') return false;
  return !file && !!process.stderr.isTTY;
}

/** Bindings shown as the speaker, before the message; pino's own fields are not shown. */
const SPEAKER = ['role', 'group', 'worker'];
const HIDDEN = new Set([...SPEAKER, 'pid', 'hostname', 'level', 'time', 'msg', 'err', 'port']);

/** "storage group1: own status  from=INIT to=ACTIVE why="member list"": one line per event. */
export function humanLine(log: Record<string, unknown>): string {
  const who = [log.role, log.group, log.worker !== undefined ? `worker ${String(log.worker)}` : undefined].filter((v) => v !== undefined).join(' ');
  const facts = Object.entries(log).filter(([k, v]) => !HIDDEN.has(k) && v !== undefined)
    .map(([k, v]) => `${k}=${typeof v === 'string' && !/\s/.test(v) && v !== '' ? v : JSON.stringify(v)}`);
  return `${who ? `${who}: ` : ''}${String(log.msg ?? '')}${facts.length ? `  ${facts.join(' ')}` : ''}`;
}

/** The logger of `fdfs serve` for the level and file chosen by serveLog() and the --log-format. */
export function serveLogger(format: LogFormat | undefined, to: { level: string; file?: string }): Logger {
  if (!wantsPretty(format, to.file)) return createLogger(to);
  const stream = pinoPretty({
    destination: to.file ?? 2,
    mkdir: true,
    sync: true,
    colorize: !to.file && !!process.stderr.isTTY && !('NO_COLOR' in process.env),
    translateTime: 'SYS:HH:MM:ss',
    messageFormat: (log) => humanLine(log),
    // The facts are in the line; errors still get their message and stack below it.
    hideObject: true,
    ignore: 'pid,hostname',
  });
  return createLogger({ ...to, stream });
}
