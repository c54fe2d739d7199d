// tracker.conf: the typed TrackerConfig, its schema table with stock defaults (spec 10.1, 10.2, 10.4,
// 10.7), loading from a file or raw items, and rendering back as a commented conf file.
import { keyError, parseConfFile, type ParseOptions, type RawConf } from './ini.js';
import { antiStealFields, logFields, validateAntiSteal, securityFields, validateSecurity, type SecuritySettings, metricsAccessFields, type MetricsAccessSettings, tlsFields, validateTls, type TlsSettings, type AntiStealSettings, type LogSettings } from './common-fields.js';
import {
  applySchema, fields, renderConf, REQUIRED, schemaDefaults, type ApplyOptions, type Field, type Schema,
} from './schema.js';
import type { ReservedSpace, TimeOfDay } from './values.js';
import type { AllowHosts } from './allow-hosts.js';

export type AddressFamily = 'auto' | 'IPv4' | 'IPv6' | 'both';

/** The http.anti_steal keys (usually via `#include http.conf`) sign the web console's download links. */
export interface TrackerConfig extends LogSettings, AntiStealSettings, SecuritySettings, MetricsAccessSettings, TlsSettings {
  /** `disabled`: true refuses to start. @default false */
  disabled: boolean;
  /** `bind_addr`: address(es) to listen on, IPv4 and IPv6 separated by `,`; empty = all. @default '' */
  bindAddr: string;
  /** `port`. @default 22122 */
  port: number;
  /** `address_family`: auto, IPv4, IPv6 or both. @default 'auto' */
  addressFamily: AddressFamily;
  /** `response_ip_addr_size`: auto, IPv4 or IPv6 — width of IPs in query answers (spec 4.7). @default 'auto' */
  responseIpAddrSize: 'auto' | 'IPv4' | 'IPv6';
  /** `connect_timeout`: seconds. @default 10 */
  connectTimeout: number;
  /** `network_timeout`: seconds per send/recv. @default 60 */
  networkTimeout: number;
  /** `base_path`: data and logs. Required. */
  basePath: string;
  /** `max_connections`. @default 256 */
  maxConnections: number;
  /** `max_connections_per_host` (fdfs): connections one client address may hold; auto = a quarter of max_connections. @default auto */
  maxConnectionsPerHost: number | 'auto';
  /** `accept_threads` (compatibility; Node accepts on one thread). @default 1 */
  acceptThreads: number;
  /** `work_threads` (compatibility). @default 4 */
  workThreads: number;
  /** `min_buff_size`: bytes. @default 64KB */
  minBuffSize: number;
  /** `max_buff_size`: bytes. @default 256KB */
  maxBuffSize: number;
  /** `store_lookup`: 0 round robin, 1 specified group, 2 load balance. @default 0 */
  storeLookup: number;
  /** `store_group`: the group for `store_lookup = 1`. @default '' */
  storeGroup: string;
  /** `store_server`: 0 round robin, 1 first by IP/id, 2 first by priority. @default 0 */
  storeServer: number;
  /** `store_path`: 0 round robin, 2 load balance. @default 0 */
  storePath: number;
  /** `download_server`: 0 round robin, 1 source first. @default 0 */
  downloadServer: number;
  /** `reserved_storage_space`: MB or ratio (spec 10.2). @default 1024MB */
  reservedStorageSpace: ReservedSpace;
  /** `allow_hosts` (repeatable). @default * */
  allowHosts: AllowHosts;
  /** `check_active_interval`: seconds without a beat before ACTIVE → OFFLINE. @default 100 */
  checkActiveInterval: number;
  /** `thread_stack_size` (compatibility). @default 256KB */
  threadStackSize: number;
  /** `storage_ip_changed_auto_adjust`. @default true */
  storageIpChangedAutoAdjust: boolean;
  /** `storage_sync_file_max_delay`: seconds. @default 86400 */
  storageSyncFileMaxDelay: number;
  /** `storage_sync_file_max_time`: seconds. @default 300 */
  storageSyncFileMaxTime: number;
  /** `use_trunk_file`. @default false */
  useTrunkFile: boolean;
  /** `slot_min_size`: bytes. @default 256 */
  slotMinSize: number;
  /** `trunk_file_size`: bytes. @default 64MB */
  trunkFileSize: number;
  /** `slot_max_size`: bytes; at most trunk_file_size / 2. @default trunk_file_size / 8 */
  slotMaxSize: number;
  /** `trunk_alloc_alignment_size`: bytes, 0 = no alignment. @default 0 */
  trunkAllocAlignmentSize: number;
  /** `trunk_free_space_merge`. @default false */
  trunkFreeSpaceMerge: boolean;
  /** `delete_unused_trunk_files`. @default false */
  deleteUnusedTrunkFiles: boolean;
  /** `trunk_create_file_advance`. @default false */
  trunkCreateFileAdvance: boolean;
  /** `trunk_create_file_time_base`. @default 02:00 */
  trunkCreateFileTimeBase: TimeOfDay;
  /** `trunk_create_file_interval`: seconds. @default 86400 */
  trunkCreateFileInterval: number;
  /** `trunk_create_file_space_threshold`: bytes. @default 0 */
  trunkCreateFileSpaceThreshold: number;
  /** `trunk_init_check_occupying`. @default false */
  trunkInitCheckOccupying: boolean;
  /** `trunk_init_reload_from_binlog`. @default false */
  trunkInitReloadFromBinlog: boolean;
  /** `trunk_compress_binlog_min_interval`: seconds, 0 = never. @default 0 */
  trunkCompressBinlogMinInterval: number;
  /** `trunk_compress_binlog_interval`: seconds, 0 = never. @default 0 */
  trunkCompressBinlogInterval: number;
  /** `trunk_compress_binlog_time_base`. @default 03:00 */
  trunkCompressBinlogTimeBase: TimeOfDay;
  /** `trunk_binlog_max_backups`. @default 0 */
  trunkBinlogMaxBackups: number;
  /** `use_storage_id` (spec 10.3). @default false */
  useStorageId: boolean;
  /** `storage_ids_filename`, resolved against the conf file's directory. @default storage_ids.conf */
  storageIdsFilename: string;
  /** `id_type_in_filename`: ip or id. @default 'ip' */
  idTypeInFilename: 'ip' | 'id';
  /** `trust_storage_server_id`. @default true */
  trustStorageServerId: boolean;
  /** `store_slave_file_use_link`. @default false */
  storeSlaveFileUseLink: boolean;
  /** `use_connection_pool`. @default false */
  useConnectionPool: boolean;
  /** `connection_pool_max_idle_time`: seconds. @default 3600 */
  connectionPoolMaxIdleTime: number;
  /** `http.server_port`: the tracker's HTTP entry (302 to a storage holding the file); 0 = off. @default 0 */
  httpServerPort: number;
  /** `http.storage_server_port` (fdfs): the storages' http.server_port, used in the entry's redirects. @default 8888 */
  httpStorageServerPort: number;
  /** `http.storage_tls_port` (fdfs): the storages' http.tls_port, for redirects of requests that came over HTTPS; 0 = plain. @default 0 */
  httpStorageTlsPort: number;
}

const f = fields<TrackerConfig>();
const KB = 1024, MB = 1024 * KB;

/** Stock default: trunk_file_size / 8, capped at half of trunk_file_size. */
const slotMaxSize: Field<TrackerConfig, 'slotMaxSize'> = (() => {
  const base = f.size('slotMaxSize', 'slot_max_size', 0,
    'Files up to this size go into trunk files; at most trunk_file_size / 2.', { min: 1 });
  return {
    ...base, defaultText: 'trunk_file_size / 8',
    read(ctx) {
      const trunk = ctx.partial.trunkFileSize ?? 64 * MB;
      const v = ctx.items(base.key).length ? base.read(ctx) : Math.floor(trunk / 8);
      return Math.min(v, Math.floor(trunk / 2));
    },
  };
})();

export const TRACKER_FIELDS = [
  f.bool('disabled', 'disabled', false, 'true refuses to start.'),
  f.str('bindAddr', 'bind_addr', '', 'Address to listen on; an IPv4 and an IPv6 address may be given separated by a comma. Empty = all addresses.'),
  f.int('port', 'port', 22122, 'Tracker port.', { min: 1, max: 65535 }),
  f.oneOf('addressFamily', 'address_family', 'auto', ['auto', 'IPv4', 'IPv6', 'both'], 'Address family: IPv4, IPv6, auto (by bind_addr, IPv4 first) or both.'),
  f.oneOf('responseIpAddrSize', 'response_ip_addr_size', 'auto', ['auto', 'IPv4', 'IPv6'], 'Width of IP fields in answers: IPv4 (16), IPv6 (46) or auto (IPv6 when storage_ids.conf has an IPv6 address).'),
  f.int('connectTimeout', 'connect_timeout', 10, 'Connect timeout in seconds.', { min: 1 }),
  f.int('networkTimeout', 'network_timeout', 60, 'Send/receive timeout in seconds.', { min: 1 }),
  f.str('basePath', 'base_path', REQUIRED, 'Directory for data (data/) and logs (logs/).'),
  f.int('maxConnections', 'max_connections', 256, 'Maximum concurrent connections.', { min: 1 }),
  f.intOrAuto('maxConnectionsPerHost', 'max_connections_per_host', 'auto', 'fdfs only: connections one client address may hold, so a few hosts cannot take every slot; auto = a quarter of max_connections (at least 4).', { min: 1 }),
  f.int('acceptThreads', 'accept_threads', 1, 'Accept threads. Accepted for compatibility; fdfs accepts on the event loop.', { min: 1 }),
  f.int('workThreads', 'work_threads', 4, 'Network worker threads. Accepted for compatibility.', { min: 1 }),
  f.size('minBuffSize', 'min_buff_size', 64 * KB, 'Minimum network buffer size.', { min: 1 }),
  f.size('maxBuffSize', 'max_buff_size', 256 * KB, 'Maximum network buffer size.', { min: 1 }),
  f.int('storeLookup', 'store_lookup', 0, 'Group for uploads: 0 round robin, 1 the group named by store_group, 2 load balance (most free space).', { min: 0, max: 2 }),
  f.str('storeGroup', 'store_group', '', 'Group to upload to when store_lookup = 1.'),
  f.int('storeServer', 'store_server', 0, 'Storage for uploads: 0 round robin, 1 first by IP/id, 2 first by upload_priority.', { min: 0, max: 2 }),
  f.int('storePath', 'store_path', 0, 'Store path for uploads: 0 round robin, 2 load balance (most free space).', { allowed: [0, 2] }),
  f.int('downloadServer', 'download_server', 0, 'Storage for downloads: 0 round robin among synced storages, 1 the source storage first.', { min: 0, max: 1 }),
  f.reserved('reservedStorageSpace', 'reserved_storage_space', '1024MB', 'Space kept free on every storage: a size (G, M, K, T units; bare = bytes) or a percentage like 20%. A group whose free space falls to it takes no uploads.'),
  f.allowHosts('allowHosts', 'allow_hosts', 'Repeatable. Peers allowed to connect: * (all), an IP, a hostname, a CIDR block (192.168.5.64/26) or a range (10.0.1.[1-15,20], host[01-08].domain.com).'),
  f.int('checkActiveInterval', 'check_active_interval', 100, 'Seconds without a heartbeat before an ACTIVE storage is marked OFFLINE; must exceed the storages\' heart_beat_interval.', { min: 1 }),
  f.size('threadStackSize', 'thread_stack_size', 256 * KB, 'Thread stack size. Accepted for compatibility.'),
  f.bool('storageIpChangedAutoAdjust', 'storage_ip_changed_auto_adjust', true, 'Adjust automatically when a storage\'s IP address changes.'),
  f.int('storageSyncFileMaxDelay', 'storage_sync_file_max_delay', 86400, 'Seconds after which a file is assumed replicated to every storage of its group.', { min: 1 }),
  f.int('storageSyncFileMaxTime', 'storage_sync_file_max_time', 300, 'Maximum seconds replicating one file takes.', { min: 1 }),
  f.bool('useTrunkFile', 'use_trunk_file', false, 'Store small files inside trunk files.'),
  f.size('slotMinSize', 'slot_min_size', 256, 'Smallest trunk slot.', { min: 1 }),
  f.size('trunkFileSize', 'trunk_file_size', 64 * MB, 'Size of one trunk file (at least 4MB).', { min: 4 * MB }),
  slotMaxSize,
  f.size('trunkAllocAlignmentSize', 'trunk_alloc_alignment_size', 0, 'Alignment of trunk space allocations; 0 = none.'),
  f.bool('trunkFreeSpaceMerge', 'trunk_free_space_merge', false, 'Merge adjacent free trunk spaces.'),
  f.bool('deleteUnusedTrunkFiles', 'delete_unused_trunk_files', false, 'Delete trunk files that hold no file (at trunk-server start and before each trunk binlog compaction).'),
  f.bool('trunkCreateFileAdvance', 'trunk_create_file_advance', false, 'Create trunk files in advance, on the trunk_create_file_time_base / _interval schedule.'),
  f.time('trunkCreateFileTimeBase', 'trunk_create_file_time_base', '02:00', 'Time of day (HH:MM) trunk files are created in advance.'),
  f.int('trunkCreateFileInterval', 'trunk_create_file_interval', 86400, 'Seconds between advance trunk creations.', { min: 1 }),
  f.size('trunkCreateFileSpaceThreshold', 'trunk_create_file_space_threshold', 0, 'Advance creation makes trunk files until this much free trunk space exists.'),
  f.bool('trunkInitCheckOccupying', 'trunk_init_check_occupying', false, 'Leave out free trunk blocks whose slot header shows a file when the trunk server loads its free space.'),
  f.bool('trunkInitReloadFromBinlog', 'trunk_init_reload_from_binlog', false, 'Ignore storage_trunk.dat and reload free spaces from the trunk binlog (fdfs always does).'),
  f.int('trunkCompressBinlogMinInterval', 'trunk_compress_binlog_min_interval', 0, 'Minimum seconds between trunk binlog compressions; 0 = no minimum.', { min: 0 }),
  f.int('trunkCompressBinlogInterval', 'trunk_compress_binlog_interval', 0, 'Seconds between scheduled trunk binlog compressions (from trunk_compress_binlog_time_base); 0 = none.', { min: 0 }),
  f.time('trunkCompressBinlogTimeBase', 'trunk_compress_binlog_time_base', '03:00', 'Time of day (HH:MM) of trunk binlog compression.'),
  f.int('trunkBinlogMaxBackups', 'trunk_binlog_max_backups', 0, 'Old trunk binlogs kept by compaction as binlog.YYYYMMDDHHMMSS; 0 = none.', { min: 0 }),
  f.bool('useStorageId', 'use_storage_id', false, 'Identify storages by the ids in storage_ids_filename instead of their IP.'),
  f.str('storageIdsFilename', 'storage_ids_filename', 'storage_ids.conf', 'Storage ids file, relative to this file\'s directory.', { path: true }),
  f.oneOf('idTypeInFilename', 'id_type_in_filename', 'ip', ['ip', 'id'], 'What file names carry with use_storage_id: ip (the IPv4 address) or id (the storage id; needed for IPv6).'),
  f.bool('trustStorageServerId', 'trust_storage_server_id', true, 'Accept the storage id a storage sends when it joins.'),
  f.bool('storeSlaveFileUseLink', 'store_slave_file_use_link', false, 'Store slave files as symbolic links.'),
  f.bool('useConnectionPool', 'use_connection_pool', false, 'Pool outgoing connections to other trackers and storages.'),
  f.int('connectionPoolMaxIdleTime', 'connection_pool_max_idle_time', 3600, 'Seconds after which an idle pooled connection is closed.', { min: 1 }),
  f.int('httpServerPort', 'http.server_port', 0, 'Port of the tracker\'s HTTP entry: GET /group/M00/… answers 302 to a storage that holds the file; 0 = no HTTP (the stock sample sets 8080).', { min: 0, max: 65535 }),
  f.int('httpStorageServerPort', 'http.storage_server_port', 8888, 'fdfs only: the http.server_port of the storages\' gateways (one port for the whole cluster; storages do not report it), used in the HTTP entry\'s redirects.', { min: 1, max: 65535 }),
  f.int('httpStorageTlsPort', 'http.storage_tls_port', 0, 'fdfs only: the http.tls_port of the storages\' gateways; a request that came to this entry over HTTPS is redirected there (https://). 0 = to the plain HTTP port.', { min: 0, max: 65535 }),
  ...antiStealFields<TrackerConfig>(),
  ...securityFields<TrackerConfig>(),
  ...metricsAccessFields<TrackerConfig>(),
  ...tlsFields<TrackerConfig>(),
  ...logFields<TrackerConfig>(),
];

// Compile-time check that the table covers every TrackerConfig field.
type Missing = Exclude<keyof TrackerConfig, (typeof TRACKER_FIELDS)[number]['name']>;
const covered: [Missing] extends [never] ? true : Missing = true;
void covered;

export const TRACKER_SCHEMA: Schema<TrackerConfig> = {
  role: 'tracker',
  fields: TRACKER_FIELDS,
  ignored: ['use_io_uring', 'use_send_zc'],
  header: [
    'tracker.conf: FastDFS tracker configuration (stock syntax; read by fdfs and by fdfs_trackerd).',
    'One "key = value" per line; no inline comments; "#include <file>" includes another file.',
  ],
  validate(cfg, raw) {
    if (cfg.storeLookup === 1 && cfg.storeGroup === '') {
      throw keyError(raw, 'store_lookup', 'store_group is required when store_lookup = 1');
    }
    validateAntiSteal(cfg, raw);
    validateSecurity(cfg, raw);
    validateTls(cfg, raw);
  },
};

/** Pass 2 for tracker.conf. */
export function trackerConfigFromRaw(raw: RawConf, opts?: ApplyOptions): TrackerConfig {
  return applySchema(TRACKER_SCHEMA, raw, opts);
}

export function loadTrackerConfig(path: string, opts?: ParseOptions): TrackerConfig {
  return trackerConfigFromRaw(parseConfFile(path, opts), opts);
}

/** Defaults plus the given values (`basePath` has no default). */
export function defaultTrackerConfig(given: Partial<TrackerConfig> & Pick<TrackerConfig, 'basePath'>): TrackerConfig {
  return schemaDefaults(TRACKER_SCHEMA, given);
}

/** tracker.conf text with every key and its doc; parses back to `cfg`. */
export function renderTrackerConf(cfg: TrackerConfig): string {
  return renderConf(TRACKER_SCHEMA, cfg);
}
