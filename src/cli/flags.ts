// Flags shared by every client-side command, and the arguments and flags several commands take
// (one place, so their wording stays the same everywhere).
import { Args, Flags } from '@oclif/core';

export const clientFlags = {
  tracker: Flags.string({
    char: 't',
    summary: 'Tracker address HOST:PORT (repeatable). Default: $FDFS_TRACKER, then client.conf, then 127.0.0.1:22122.',
    multiple: true,
    multipleNonGreedy: true,
    helpGroup: 'CONNECTION',
  }),
  config: Flags.string({
    summary: 'Stock FastDFS client.conf to read tracker_server and timeouts from.',
    helpGroup: 'CONNECTION',
  }),
  timeout: Flags.integer({
    summary: 'Seconds to wait for a connection, and for a tracker to answer, before trying the next tracker. Default: $FDFS_TIMEOUT, else 5.',
    min: 1,
    helpGroup: 'CONNECTION',
  }),
  'key-file': Flags.string({
    summary: 'Key to authenticate with ("KEY_ID SECRET", from "fdfs key create"). Default: $FDFS_KEY_FILE, then client.conf auth_key_file.',
    helpGroup: 'CONNECTION',
  }),
  'tls-ca': Flags.string({
    summary: 'Connect over TLS, trusting this PEM CA file: --tracker is then a tracker\'s tls_port; storages are reached on the TLS port their tracker advertises.',
    helpGroup: 'CONNECTION',
  }),
  'tls-cert': Flags.string({ summary: 'PEM client certificate for servers with tls_verify_client (with --tls-key).', dependsOn: ['tls-ca', 'tls-key'], helpGroup: 'CONNECTION' }),
  'tls-key': Flags.string({ summary: 'PEM key of --tls-cert.', dependsOn: ['tls-cert'], helpGroup: 'CONNECTION' }),
  'log-level': Flags.string({
    summary: 'Log level for diagnostics on stderr.',
    options: ['silent', 'error', 'warn', 'info', 'debug'],
    default: 'warn',
    helpGroup: 'GLOBAL',
  }),
};

/** Fresh instances per command: oclif writes each argument's name into its object. */
export const sharedArgs = {
  fileId: () => Args.string({ description: 'file ID (group/M00/…)', required: true }),
  appenderId: () => Args.string({ description: 'appender file ID', required: true }),
  content: () => Args.string({ description: 'local file, or - for standard input', required: true }),
};

export const sharedFlags = {
  quiet: () => Flags.boolean({ char: 'q', summary: 'No progress bar.' }),
};
