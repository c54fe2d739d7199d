// Where and how much `fdfs serve` logs: --log-level (or FDFS_LOG_LEVEL), else the conf's log_level (the more
// verbose of the roles run); --log-file FILE, or "auto" for the stock place, <base_path>/logs/trackerd.log or
// storaged.log (fdfs.log under the tracker's base_path when one process runs both).
import path from 'node:path';
import { LOG_LEVELS, type StorageConfig, type TrackerConfig } from '../config/index.js';

export interface ServeLogOptions {
  logLevel?: string;
  logFile?: string;
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
