// Flags shared by every client-side command (one place, so they stay consistent).
import { Flags } from '@oclif/core';

export const clientFlags = {
  tracker: Flags.string({
    char: 't',
    summary: 'Tracker address HOST:PORT (repeatable). Default: $FDFS_TRACKER, then client.conf, then 127.0.0.1:22122.',
    multiple: true,
    helpGroup: 'CONNECTION',
  }),
  config: Flags.string({
    summary: 'Stock FastDFS client.conf to read tracker_server and timeouts from.',
    helpGroup: 'CONNECTION',
  }),
  'log-level': Flags.string({
    summary: 'Log level for diagnostics on stderr.',
    options: ['silent', 'error', 'warn', 'info', 'debug'],
    default: 'warn',
    helpGroup: 'GLOBAL',
  }),
};
