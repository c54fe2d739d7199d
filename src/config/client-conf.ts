// client.conf (+ an optional `#include http.conf`): the typed ClientConfig, its schema table with stock
// defaults (spec 10.7, 7.3), loading, and rendering back as a commented conf file.
import { parseConfFile, type ParseOptions, type RawConf } from './ini.js';
import {
  antiStealFields, LOG_LEVEL_ALIASES, LOG_LEVELS, validateAntiSteal, type AntiStealSettings, type LogLevel,
} from './common-fields.js';
import { applySchema, fields, renderConf, schemaDefaults, type ApplyOptions, type Schema } from './schema.js';
import type { HostPort } from './values.js';

export interface ClientConfig extends AntiStealSettings {
  /** `connect_timeout`: seconds. @default 10 */
  connectTimeout: number;
  /** `network_timeout`: seconds per send/recv. @default 30 */
  networkTimeout: number;
  /** `base_path`: log directory. @default '/tmp' */
  basePath: string;
  /** `tracker_server` (repeatable, required): `host[,host2]:port`, IPv6 as `[addr]:port`. */
  trackerServers: HostPort[];
  /** `log_level`. @default 'info' */
  logLevel: LogLevel;
  /** `connect_first_by`: which address of a dual-IP storage to try first. @default 'tracker' */
  connectFirstBy: 'tracker' | 'last-connected';
  /** `use_connection_pool`. @default false */
  useConnectionPool: boolean;
  /** `connection_pool_max_idle_time`: seconds. @default 3600 */
  connectionPoolMaxIdleTime: number;
  /** `load_fdfs_parameters_from_tracker`: fetch use_storage_id etc. with command 75 at start. @default false */
  loadFdfsParametersFromTracker: boolean;
  /** `use_storage_id` (when not loading parameters from the tracker). @default false */
  useStorageId: boolean;
  /** `storage_ids_filename`, resolved against the conf file's directory. @default storage_ids.conf */
  storageIdsFilename: string;
  /** `http.tracker_server_port`: tracker HTTP port, for example URLs. @default 80 */
  httpTrackerServerPort: number;
  /** `http.token.hmac_secret` (fdfs): signs HMAC download tokens (`fdfs token --hmac`). @default '' */
  httpTokenHmacSecret: string;
  /** `tls_ca_file` (fdfs): talk TLS, trusting this CA (tracker_server then names tls_ports). @default '' */
  tlsCaFile: string;
  /** `tls_cert_file` / `tls_key_file` (fdfs): client certificate for tls_verify_client servers. @default '' */
  tlsCertFile: string;
  tlsKeyFile: string;
  /** `auth_key_file` (fdfs): the key to authenticate with ("KEY_ID SECRET"); empty = none. @default '' */
  authKeyFile: string;
}

const f = fields<ClientConfig>();

export const CLIENT_FIELDS = [
  f.int('connectTimeout', 'connect_timeout', 10, 'Connect timeout in seconds.', { min: 1 }),
  f.int('networkTimeout', 'network_timeout', 30, 'Send/receive timeout in seconds.', { min: 1 }),
  f.str('basePath', 'base_path', '/tmp', 'Directory for the client\'s log files.'),
  f.servers('trackerServers', 'tracker_server', 'Repeatable. A tracker as host:port; two addresses of one tracker as host1,host2:port; IPv6 as [addr]:port.',
    { defaultPort: 22122, required: true }),
  f.oneOf('logLevel', 'log_level', 'info', LOG_LEVELS, 'Log level, syslog names: emerg, alert, crit, error, warn, notice, info, debug.',
    { aliases: LOG_LEVEL_ALIASES }),
  f.oneOf('connectFirstBy', 'connect_first_by', 'tracker', ['tracker', 'last-connected'], 'For storages with two addresses, try first: tracker (the one the tracker returned) or last-connected.'),
  f.bool('useConnectionPool', 'use_connection_pool', false, 'Keep connections to trackers and storages open for reuse.'),
  f.int('connectionPoolMaxIdleTime', 'connection_pool_max_idle_time', 3600, 'Seconds after which an idle pooled connection is closed.', { min: 1 }),
  f.bool('loadFdfsParametersFromTracker', 'load_fdfs_parameters_from_tracker', false, 'Fetch use_storage_id and related parameters from the tracker at start instead of this file.'),
  f.bool('useStorageId', 'use_storage_id', false, 'Storages are identified by ids (storage_ids_filename); used when not loading parameters from the tracker.'),
  f.str('storageIdsFilename', 'storage_ids_filename', 'storage_ids.conf', 'Storage ids file, relative to this file\'s directory.', { path: true }),
  f.str('httpTokenHmacSecret', 'http.token.hmac_secret', '', 'fdfs only: secret of the HMAC-SHA256 download tokens "fdfs token --hmac" signs (the storage gateway\'s http.token.hmac_secret).'),
  f.str('tlsCaFile', 'tls_ca_file', '', 'fdfs only: connect over TLS trusting this PEM CA file; tracker_server then gives the trackers\' tls_port, storages are reached on the TLS port their tracker advertises.', { path: true }),
  f.str('tlsCertFile', 'tls_cert_file', '', 'fdfs only: PEM client certificate for servers with tls_verify_client (with tls_key_file).', { path: true }),
  f.str('tlsKeyFile', 'tls_key_file', '', 'fdfs only: PEM key of tls_cert_file.', { path: true }),
  f.str('authKeyFile', 'auth_key_file', '', 'fdfs only: key file ("KEY_ID SECRET", made by "fdfs key create") to authenticate with, relative to this file; empty = no authentication.', { path: true }),
  f.int('httpTrackerServerPort', 'http.tracker_server_port', 80, 'HTTP port of the trackers, for example URLs.', { min: 1, max: 65535 }),
  ...antiStealFields<ClientConfig>(),
];

// Compile-time check that the table covers every ClientConfig field.
type Missing = Exclude<keyof ClientConfig, (typeof CLIENT_FIELDS)[number]['name']>;
const covered: [Missing] extends [never] ? true : Missing = true;
void covered;

export const CLIENT_SCHEMA: Schema<ClientConfig> = {
  role: 'client',
  fields: CLIENT_FIELDS,
  // http.conf keys a client has no use for (client.conf often does `#include http.conf`).
  ignored: [
    'http.default_content_type', 'http.mime_types_filename', 'http.anti_steal.token_check_fail',
    'http.multi_range.enabled', 'http.need_find_content_type',
    'http.token.hmac_previous_secret', 'http.token.rule', 'http.metrics.allow_hosts', 'http.metrics.token',
  ],
  header: [
    'client.conf: FastDFS client configuration (stock syntax; read by fdfs and by the fdfs_* tools).',
    'One "key = value" per line; no inline comments; "#include <file>" includes another file (e.g. http.conf).',
  ],
  validate: validateAntiSteal,
};

/** Pass 2 for client.conf. */
export function clientConfigFromRaw(raw: RawConf, opts?: ApplyOptions): ClientConfig {
  return applySchema(CLIENT_SCHEMA, raw, opts);
}

export function loadClientConfig(path: string, opts?: ParseOptions): ClientConfig {
  return clientConfigFromRaw(parseConfFile(path, opts), opts);
}

/** Defaults plus the given values (`trackerServers` has no default). */
export function defaultClientConfig(given: Partial<ClientConfig> & Pick<ClientConfig, 'trackerServers'>): ClientConfig {
  return schemaDefaults(CLIENT_SCHEMA, given);
}

/** client.conf text with every key and its doc; parses back to `cfg`. */
export function renderClientConf(cfg: ClientConfig): string {
  return renderConf(CLIENT_SCHEMA, cfg);
}
