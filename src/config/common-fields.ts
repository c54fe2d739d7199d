// Schema rows shared by several roles: logging (`log_level`, `log_file_*`, `[error-log]` overrides)
// and the `http.anti_steal.*` token keys of http.conf (spec 7.1, 7.3).
import type { AllowHosts } from './allow-hosts.js';
import { keyError, type RawConf } from './ini.js';
import { at, fields, lastItem, line, type Field, type ReadContext } from './schema.js';
import {
  formatSize, formatTimeOfDay, parseBool, parseInteger, parseSize, parseTimeOfDay, type TimeOfDay,
} from './values.js';

/** Stock syslog-style names, case-insensitive in the file. */
export const LOG_LEVELS = ['emerg', 'alert', 'crit', 'error', 'warn', 'notice', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
/** Other spellings accepted for log levels. */
export const LOG_LEVEL_ALIASES: Record<string, LogLevel> = {
  emergency: 'emerg', critical: 'crit', err: 'error', warning: 'warn',
};

/** The `log_file_*` family (6.x); `[error-log]` / `[access-log]` may override each key. */
export interface LogFileSettings {
  rotateEveryday: boolean;
  rotateTime: TimeOfDay;
  compressOld: boolean;
  compressDaysBefore: number;
  /** Bytes; 0 = never rotate by size. */
  rotateOnSize: number;
  /** 0 = never delete old files. */
  keepDays: number;
  deleteOldTime: TimeOfDay;
}

export interface LogSettings {
  /** `log_level`: emerg … debug. @default 'info' */
  logLevel: LogLevel;
  /** `run_by_group` (accepted for compatibility; fdfs never changes its group). @default '' */
  runByGroup: string;
  /** `run_by_user` (accepted for compatibility; fdfs never changes its user). @default '' */
  runByUser: string;
  /** `sync_log_buff_interval`: seconds between log buffer flushes. @default 10 */
  syncLogBuffInterval: number;
  /** `log_file_rotate_everyday`. @default true */
  logFileRotateEveryday: boolean;
  /** `log_file_rotate_time`. @default 00:00 */
  logFileRotateTime: TimeOfDay;
  /** `log_file_compress_old`: gzip rotated logs. @default false */
  logFileCompressOld: boolean;
  /** `log_file_compress_days_before`. @default 1 */
  logFileCompressDaysBefore: number;
  /** `log_file_rotate_on_size`: bytes, 0 = never. @default 0 */
  logFileRotateOnSize: number;
  /** `log_file_keep_days`: 0 = keep forever. @default 15 */
  logFileKeepDays: number;
  /** `log_file_delete_old_time`. @default 01:30 */
  logFileDeleteOldTime: TimeOfDay;
  /** `[error-log]` section: `log_file_*` overrides for the error log. @default {} */
  errorLog: Partial<LogFileSettings>;
}

type LogFileKey = keyof LogFileSettings;
const LOG_FILE_KEYS: Record<LogFileKey, { key: string; parse(v: string, w: ReturnType<typeof at>): unknown; format(v: never): string }> = {
  rotateEveryday: { key: 'log_file_rotate_everyday', parse: (v) => parseBool(v), format: String },
  rotateTime: { key: 'log_file_rotate_time', parse: parseTimeOfDay, format: formatTimeOfDay },
  compressOld: { key: 'log_file_compress_old', parse: (v) => parseBool(v), format: String },
  compressDaysBefore: { key: 'log_file_compress_days_before', parse: (v, w) => parseInteger(v, w, { min: 0 }), format: String },
  rotateOnSize: { key: 'log_file_rotate_on_size', parse: (v, w) => parseSize(v, w), format: formatSize },
  keepDays: { key: 'log_file_keep_days', parse: (v, w) => parseInteger(v, w, { min: 0 }), format: String },
  deleteOldTime: { key: 'log_file_delete_old_time', parse: parseTimeOfDay, format: formatTimeOfDay },
};

/** A `[section]` of `log_file_*` overrides, e.g. `[error-log]`, `[access-log]`. */
export function logOverridesField<T, K extends keyof T>(name: K, section: string, doc: string): Field<T, K> {
  const byKey = new Map(Object.entries(LOG_FILE_KEYS).map(([f, d]) => [d.key, f as LogFileKey]));
  return {
    name, key: 'log_file_*', section, doc, defaultText: '(the global log_file_* values)',
    owns: (k) => byKey.has(k),
    read(ctx: ReadContext<T>) {
      const out: Partial<LogFileSettings> = {};
      for (const k of ctx.keys()) {
        const f = byKey.get(k);
        const item = f && lastItem(ctx, k);
        if (f && item) (out as Record<string, unknown>)[f] = LOG_FILE_KEYS[f].parse(item.value, at(item, k));
      }
      return out as T[K];
    },
    render(v) {
      return Object.entries(v as Partial<LogFileSettings>)
        .map(([f, val]) => line(LOG_FILE_KEYS[f as LogFileKey].key, LOG_FILE_KEYS[f as LogFileKey].format(val as never)));
    },
  };
}

/** The effective settings of one log file: the global `log_file_*` values with its section's overrides. */
export function effectiveLogFile(cfg: LogSettings, overrides: Partial<LogFileSettings> = cfg.errorLog): LogFileSettings {
  return {
    rotateEveryday: cfg.logFileRotateEveryday,
    rotateTime: cfg.logFileRotateTime,
    compressOld: cfg.logFileCompressOld,
    compressDaysBefore: cfg.logFileCompressDaysBefore,
    rotateOnSize: cfg.logFileRotateOnSize,
    keepDays: cfg.logFileKeepDays,
    deleteOldTime: cfg.logFileDeleteOldTime,
    ...overrides,
  };
}

/** Rows of LogSettings for any config type that includes it. */
export function logFields<T extends LogSettings>(): Array<Field<T, keyof LogSettings>> {
  const f = fields<LogSettings>();
  const rows = [
    f.oneOf('logLevel', 'log_level', 'info', LOG_LEVELS,
      'Log level, syslog names: emerg, alert, crit, error, warn, notice, info, debug.', { aliases: LOG_LEVEL_ALIASES }),
    f.str('runByGroup', 'run_by_group', '', 'Unix group to run as; empty = current. Accepted for compatibility, fdfs does not switch groups.'),
    f.str('runByUser', 'run_by_user', '', 'Unix user to run as; empty = current. Accepted for compatibility, fdfs does not switch users.'),
    f.int('syncLogBuffInterval', 'sync_log_buff_interval', 10, 'Flush the log buffer to disk every N seconds.', { min: 1 }),
    f.bool('logFileRotateEveryday', 'log_file_rotate_everyday', true, 'Rotate the log file every day at log_file_rotate_time.'),
    f.time('logFileRotateTime', 'log_file_rotate_time', '00:00', 'Time of day (HH:MM) of the daily rotation.'),
    f.bool('logFileCompressOld', 'log_file_compress_old', false, 'Compress rotated log files with gzip.'),
    f.int('logFileCompressDaysBefore', 'log_file_compress_days_before', 1, 'Compress rotated log files older than N days.', { min: 0 }),
    f.size('logFileRotateOnSize', 'log_file_rotate_on_size', 0, 'Also rotate when the log file exceeds this size (e.g. 100MB); 0 = never.'),
    f.int('logFileKeepDays', 'log_file_keep_days', 15, 'Delete log files older than N days; 0 = keep them all.', { min: 0 }),
    f.time('logFileDeleteOldTime', 'log_file_delete_old_time', '01:30', 'Time of day (HH:MM) old log files are deleted.'),
    logOverridesField<LogSettings, 'errorLog'>('errorLog', 'error-log',
      'log_file_* keys in this section override the global ones for the error log.'),
  ];
  return rows as unknown as Array<Field<T, keyof LogSettings>>;
}

/** The `http.anti_steal.*` keys shared by storage.conf and client.conf (usually via `#include http.conf`). */
export interface AntiStealSettings {
  /** `http.anti_steal.check_token`: require `token`/`ts` on HTTP downloads. @default false */
  httpAntiStealCheckToken: boolean;
  /** `http.anti_steal.token_ttl`: seconds a token stays valid. @default 600 */
  httpAntiStealTokenTtl: number;
  /** `http.anti_steal.secret_key`: token secret, required when checking is on. @default '' */
  httpAntiStealSecretKey: string;
}

export function antiStealFields<T extends AntiStealSettings>(): Array<Field<T, keyof AntiStealSettings>> {
  const f = fields<AntiStealSettings>();
  const rows = [
    f.bool('httpAntiStealCheckToken', 'http.anti_steal.check_token', false, 'Require an anti-steal token (token and ts query parameters) on HTTP downloads.'),
    f.int('httpAntiStealTokenTtl', 'http.anti_steal.token_ttl', 600, 'Seconds a token stays valid after its ts.', { min: 1 }),
    f.str('httpAntiStealSecretKey', 'http.anti_steal.secret_key', '', 'Secret key of the token (at most 128 bytes recommended); required when check_token is true.'),
  ];
  return rows as unknown as Array<Field<T, keyof AntiStealSettings>>;
}

/** ConfigError when token checking is on without a secret key. */
export function validateAntiSteal(cfg: AntiStealSettings, raw: RawConf): void {
  if (cfg.httpAntiStealCheckToken && cfg.httpAntiStealSecretKey === '') {
    throw keyError(raw, 'http.anti_steal.check_token', 'http.anti_steal.secret_key is required when http.anti_steal.check_token is true');
  }
}

/** fdfs only (issue 14): who may use the tracker and storage ports, in tracker.conf and storage.conf. */
export interface SecuritySettings {
  /** `auth_policy`: off (stock behaviour), optional (keys may authenticate), required. @default off */
  authPolicy: 'off' | 'optional' | 'required';
  /** `auth_keys_file`: the keys clients authenticate with and their rights. @default '' */
  authKeysFile: string;
  /** `auth_legacy_hosts` (repeatable): clients that keep working without a handshake. @default none */
  authLegacyHosts: AllowHosts | null;
  /** `cluster_secret_file`: the secret servers prove to each other. @default '' */
  clusterSecretFile: string;
  /** `cluster_legacy_hosts` (repeatable): stock servers, trusted without the cluster secret. @default none */
  clusterLegacyHosts: AllowHosts | null;
}

export function securityFields<T extends SecuritySettings>(): Array<Field<T, keyof SecuritySettings>> {
  const f = fields<SecuritySettings>();
  const rows = [
    f.oneOf('authPolicy', 'auth_policy', 'off', ['off', 'optional', 'required'],
      'fdfs only: client authentication on this port. off = stock behaviour; optional = keys may authenticate (and are then held to their rights), others work as before; required = only authenticated clients and auth_legacy_hosts; others get EACCES.'),
    f.str('authKeysFile', 'auth_keys_file', '', 'fdfs only: keys file ("KEY_ID RIGHTS SECRET [PREVIOUS_SECRET]" lines, made by "fdfs key create"), relative to this file; read again when it changes. Required when auth_policy is not off.', { path: true }),
    f.hostList('authLegacyHosts', 'auth_legacy_hosts', 'fdfs only, repeatable: clients (e.g. stock tools) that keep full access without a handshake under auth_policy = required; allow_hosts syntax.'),
    f.str('clusterSecretFile', 'cluster_secret_file', '', 'fdfs only: file with the secret trackers and storages prove to each other (made by "fdfs key cluster"); set, a server that cannot prove it cannot join nor replicate. Same file on every fdfs server.', { path: true }),
    f.hostList('clusterLegacyHosts', 'cluster_legacy_hosts', 'fdfs only, repeatable: stock FastDFS servers of a mixed cluster, trusted without the cluster secret; allow_hosts syntax.'),
  ];
  return rows as unknown as Array<Field<T, keyof SecuritySettings>>;
}

/** ConfigError for settings that cannot work together. */
export function validateSecurity(cfg: SecuritySettings, raw: RawConf): void {
  if (cfg.authPolicy !== 'off' && cfg.authKeysFile === '') {
    throw keyError(raw, 'auth_policy', `auth_policy = ${cfg.authPolicy} needs auth_keys_file (make one with "fdfs key create")`);
  }
  if (cfg.authPolicy === 'required' && cfg.clusterSecretFile === '') {
    throw keyError(raw, 'auth_policy', 'auth_policy = required needs cluster_secret_file, so trackers and storages can still talk to each other (make one with "fdfs key cluster FILE")');
  }
}

/** fdfs only (issue 14): who may read /metrics on a role's HTTP port. Nothing set = open, as before. */
export interface MetricsAccessSettings {
  /** `http.metrics.allow_hosts` (repeatable): hosts that may read /metrics without a token. @default none */
  httpMetricsAllowHosts: AllowHosts | null;
  /** `http.metrics.token`: bearer token that reads /metrics from anywhere. @default '' */
  httpMetricsToken: string;
}

export function metricsAccessFields<T extends MetricsAccessSettings>(): Array<Field<T, keyof MetricsAccessSettings>> {
  const f = fields<MetricsAccessSettings>();
  const rows = [
    f.hostList('httpMetricsAllowHosts', 'http.metrics.allow_hosts', 'fdfs only, repeatable: hosts that may read /metrics (allow_hosts syntax). With this or http.metrics.token set, everyone else gets 403; neither = /metrics is open.'),
    f.str('httpMetricsToken', 'http.metrics.token', '', 'fdfs only: "Authorization: Bearer <token>" reads /metrics from any host.'),
  ];
  return rows as unknown as Array<Field<T, keyof MetricsAccessSettings>>;
}

/** fdfs only (issue 14): the HMAC download token and per-prefix token policies of the storage gateway. */
export interface UrlTokenSettings {
  /** `http.token.hmac_secret`: secret of the HMAC-SHA256 `sig`/`exp` token. @default '' */
  httpTokenHmacSecret: string;
  /** `http.token.hmac_previous_secret`: still accepted while clients move to a new secret. @default '' */
  httpTokenHmacPreviousSecret: string;
  /** `http.token.rule` (repeatable): "PREFIX MODE", MODE open | md5 | hmac; the longest matching prefix wins. */
  httpTokenRules: string[];
}

export function urlTokenFields<T extends UrlTokenSettings>(): Array<Field<T, keyof UrlTokenSettings>> {
  const f = fields<UrlTokenSettings>();
  const rows = [
    f.str('httpTokenHmacSecret', 'http.token.hmac_secret', '', 'fdfs only: secret of the HMAC-SHA256 download token (sig and exp query parameters; always expires at exp). Set without check_token and rules, every download needs it.'),
    f.str('httpTokenHmacPreviousSecret', 'http.token.hmac_previous_secret', '', 'fdfs only: the previous hmac_secret, accepted too until every client signs with the new one.'),
    f.list('httpTokenRules', 'http.token.rule', 'fdfs only, repeatable: "PREFIX MODE" for files whose group/name starts with PREFIX (e.g. "group1/M00/00/ open"): open = no token, md5 = the anti-steal token or the HMAC one, hmac = the HMAC token only. The longest matching prefix wins; other files: md5 with check_token, else hmac with hmac_secret, else open.',
      { pattern: /^\s*\S+\s+(open|md5|hmac)\s*$/, patternText: 'want "PREFIX MODE" with MODE open, md5 or hmac' }),
  ];
  return rows as unknown as Array<Field<T, keyof UrlTokenSettings>>;
}

/** Rules need the secret of their mode. */
export function validateUrlTokens(cfg: UrlTokenSettings & AntiStealSettings, raw: RawConf): void {
  for (const rule of cfg.httpTokenRules) {
    const mode = rule.split(/\s+/)[1];
    if (mode === 'hmac' && !cfg.httpTokenHmacSecret) throw keyError(raw, 'http.token.rule', `"${rule}" needs http.token.hmac_secret`);
    if (mode === 'md5' && !cfg.httpAntiStealSecretKey) throw keyError(raw, 'http.token.rule', `"${rule}" needs http.anti_steal.secret_key`);
  }
}

/** fdfs only (issue 14): TLS listeners beside the plain ones, in tracker.conf and storage.conf. */
export interface TlsSettings {
  /** `tls_port`: the protocol over TLS on this port too; 0 = off. @default 0 */
  tlsPort: number;
  /** `http.tls_port`: HTTPS beside the HTTP port (gateway / tracker entry); 0 = off. @default 0 */
  httpTlsPort: number;
  /** `tls_cert_file`: PEM certificate chain (read again on SIGHUP). @default '' */
  tlsCertFile: string;
  /** `tls_key_file`: PEM private key (read again on SIGHUP). @default '' */
  tlsKeyFile: string;
  /** `tls_ca_file`: PEM CA certificates client certificates must chain to (mTLS). @default '' */
  tlsCaFile: string;
  /** `tls_verify_client`: the TLS ports require a client certificate signed by tls_ca_file. @default false */
  tlsVerifyClient: boolean;
  /** `cluster_tls`: servers talk to each other over mutual TLS only. @default false */
  clusterTls: boolean;
  /** `tracker_tls_port`: the trackers' tls_port, for a storage's cluster_tls connections. @default 0 */
  trackerTlsPort: number;
}

export function tlsFields<T extends TlsSettings>(): Array<Field<T, keyof TlsSettings>> {
  const f = fields<TlsSettings>();
  const rows = [
    f.int('tlsPort', 'tls_port', 0, 'fdfs only: also serve the FastDFS protocol over TLS on this port (the plain port stays); 0 = off. Needs tls_cert_file and tls_key_file.', { min: 0, max: 65535 }),
    f.int('httpTlsPort', 'http.tls_port', 0, 'fdfs only: also serve the HTTP gateway / tracker entry over HTTPS on this port; 0 = off. Needs tls_cert_file and tls_key_file.', { min: 0, max: 65535 }),
    f.str('tlsCertFile', 'tls_cert_file', '', 'fdfs only: PEM certificate (chain) of the TLS ports, relative to this file; read again on SIGHUP.', { path: true }),
    f.str('tlsKeyFile', 'tls_key_file', '', 'fdfs only: PEM private key of the TLS ports, relative to this file; read again on SIGHUP.', { path: true }),
    f.str('tlsCaFile', 'tls_ca_file', '', 'fdfs only: PEM CA certificates that client certificates must chain to (with tls_verify_client).', { path: true }),
    f.bool('tlsVerifyClient', 'tls_verify_client', false, 'fdfs only: the TLS ports accept only clients with a certificate signed by tls_ca_file (mutual TLS, e.g. between servers).'),
    f.bool('clusterTls', 'cluster_tls', false, 'fdfs only: servers talk to each other over mutual TLS: this server connects to trackers (tracker_tls_port) and to its group\'s storages (their tls_port, the same as this one\'s) with its own certificate, and takes storage/tracker commands only over a verified TLS connection (cluster_legacy_hosts excepted). Needs tls_port, tls_ca_file and tls_verify_client.'),
    f.int('trackerTlsPort', 'tracker_tls_port', 0, 'fdfs only: the tls_port of the trackers (one port for all), used with cluster_tls; a tracker uses its own tls_port for its peers.', { min: 0, max: 65535 }),
  ];
  return rows as unknown as Array<Field<T, keyof TlsSettings>>;
}

export function validateTls(cfg: TlsSettings, raw: RawConf): void {
  const on = cfg.tlsPort > 0 || cfg.httpTlsPort > 0;
  if (on && (!cfg.tlsCertFile || !cfg.tlsKeyFile)) {
    throw keyError(raw, cfg.tlsPort > 0 ? 'tls_port' : 'http.tls_port', 'a TLS port needs tls_cert_file and tls_key_file');
  }
  if (cfg.tlsVerifyClient && !cfg.tlsCaFile) throw keyError(raw, 'tls_verify_client', 'tls_verify_client needs tls_ca_file');
  if (cfg.clusterTls && !(cfg.tlsPort > 0 && cfg.tlsVerifyClient)) {
    throw keyError(raw, 'cluster_tls', 'cluster_tls needs tls_port, tls_ca_file and tls_verify_client = true');
  }
}
