// storage.conf (+ its usual `#include http.conf`): the typed StorageConfig, its schema table with stock
// defaults (spec 7.3, 10.5, 10.7), store_path<N> handling, loading, and rendering back as a commented file.
import { ConfigError } from '../errors.js';
import { keyError, parseConfFile, type ParseOptions, type RawConf } from './ini.js';
import {
  antiStealFields, logFields, logOverridesField, validateAntiSteal, securityFields, validateSecurity, type SecuritySettings, metricsAccessFields, type MetricsAccessSettings, tlsFields, validateTls, type TlsSettings, urlTokenFields, validateUrlTokens, type UrlTokenSettings,
  type AntiStealSettings, type LogFileSettings, type LogSettings,
} from './common-fields.js';
import {
  applySchema, fields, lastItem, line, renderConf, REQUIRED, schemaDefaults,
  type ApplyOptions, type Field, type Schema,
} from './schema.js';
import { parseBool, type HostPort, type TimeOfDay } from './values.js';
import type { AllowHosts } from './allow-hosts.js';
import type { AddressFamily } from './tracker-conf.js';

export interface StorageConfig extends LogSettings, AntiStealSettings, SecuritySettings, MetricsAccessSettings, TlsSettings, UrlTokenSettings {
  /** `disabled`: true refuses to start. @default false */
  disabled: boolean;
  /** `group_name`: [A-Za-z0-9]{1,16}; empty = ask the tracker (needs storage ids). @default '' */
  groupName: string;
  /** `bind_addr`: listen address(es); empty = all. @default '' */
  bindAddr: string;
  /** `client_bind`: also bind outgoing connections to bind_addr. @default true */
  clientBind: boolean;
  /** `port`. @default 23000 */
  port: number;
  /** `address_family`. @default 'auto' */
  addressFamily: AddressFamily;
  /** `server_id`: this storage's id in storage_ids.conf (NAT setups); empty = by local IP. @default '' */
  serverId: string;
  /** `connect_timeout`: seconds. @default 10 */
  connectTimeout: number;
  /** `network_timeout`: seconds per send/recv. @default 30 */
  networkTimeout: number;
  /** `heart_beat_interval`: seconds between STORAGE_BEATs. @default 30 */
  heartBeatInterval: number;
  /** `stat_report_interval`: seconds between REPORT_DISK_USAGE. @default 300 */
  statReportInterval: number;
  /** `base_path`: binlogs, marks, stat files, logs. Required. */
  basePath: string;
  /** `max_connections`. @default 256 */
  maxConnections: number;
  /** `max_connections_per_host` (fdfs): connections one client address may hold; auto = a quarter of max_connections. @default auto */
  maxConnectionsPerHost: number | 'auto';
  /** `buff_size`: bytes, at least 64KB. @default 256KB */
  buffSize: number;
  /** `accept_threads` (compatibility). @default 1 */
  acceptThreads: number;
  /** `work_threads` (compatibility). @default 4 */
  workThreads: number;
  /** `disk_rw_separated`. @default true */
  diskRwSeparated: boolean;
  /** `disk_reader_threads` per store path. @default 1 */
  diskReaderThreads: number;
  /** `disk_writer_threads` per store path. @default 1 */
  diskWriterThreads: number;
  /** `sync_min_threads`. @default 1 */
  syncMinThreads: number;
  /** `sync_max_threads`: a number or 'auto' (2 × store paths). @default 'auto' */
  syncMaxThreads: number | 'auto';
  /** `sync_wait_msec`: idle poll of the binlog, ms. @default 100 */
  syncWaitMsec: number;
  /** `sync_interval`: ms pause after each pushed record. @default 0 */
  syncInterval: number;
  /** `sync_start_time`: start of the daily replication window. @default 00:00 */
  syncStartTime: TimeOfDay;
  /** `sync_end_time`: end of the daily replication window. @default 23:59 */
  syncEndTime: TimeOfDay;
  /** `write_mark_file_freq`: rewrite a sync mark file every N records. @default 500 */
  writeMarkFileFreq: number;
  /** `disk_recovery_threads`. @default 1 */
  diskRecoveryThreads: number;
  /** `store_path_count`: 1…256. @default 1 */
  storePathCount: number;
  /** `store_path0` … `store_path<count-1>` (index = `Mxx`). @default [base_path] */
  storePaths: string[];
  /** `store_path<N>_readonly`: no new uploads to path N. @default all false */
  storePathReadonly: boolean[];
  /** `subdir_count_per_path`: 1…256. @default 256 */
  subdirCountPerPath: number;
  /** `tracker_server` (repeatable, required): `host[,host2]:port`. */
  trackerServers: HostPort[];
  /** `allow_hosts` (repeatable). @default * */
  allowHosts: AllowHosts;
  /** `file_distribute_path_mode`: 0 round robin, 1 random. @default 0 */
  fileDistributePathMode: number;
  /** `file_distribute_rotate_count`: files per directory before moving on. @default 100 */
  fileDistributeRotateCount: number;
  /** `fsync_after_written_bytes`: bytes, 0 = never. @default 0 */
  fsyncAfterWrittenBytes: number;
  /** `scrub_interval` (fdfs): seconds between background passes that check every copy and fetch missing files; 0 = off. @default 86400 */
  scrubInterval: number;
  /** `scrub_max_bytes_per_second` (fdfs): read rate of a scrub pass. @default 32MB */
  scrubMaxBytesPerSecond: number;
  /** `anti_entropy_interval` (fdfs): seconds for one round comparing every directory with the peers; 0 = off. @default 600 */
  antiEntropyInterval: number;
  /**
   * `sync_binlog_buff_interval`: seconds between fdatasyncs of the binlog; records themselves are written
   * through at once (stock buffers them this long), so a killed process loses none.
   * @default 1 — deliberate departure from stock (60; the stock sample uses 1).
   */
  syncBinlogBuffInterval: number;
  /** `sync_stat_file_interval`: persist storage_stat.dat every N seconds. @default 60 */
  syncStatFileInterval: number;
  /** `thread_stack_size` (compatibility). @default 512KB */
  threadStackSize: number;
  /** `upload_priority`: lower = preferred with store_server = 2. @default 10 */
  uploadPriority: number;
  /** `if_alias_prefix`: NIC alias prefix for local IP enumeration. @default '' */
  ifAliasPrefix: string;
  /** `check_file_duplicate` (FastDHT; compatibility). @default false */
  checkFileDuplicate: boolean;
  /** `file_signature_method`: hash or md5 (FastDHT). @default 'hash' */
  fileSignatureMethod: 'hash' | 'md5';
  /** `key_namespace` (FastDHT). @default 'FastDFS' */
  keyNamespace: string;
  /** `keep_alive` (FastDHT). @default false */
  keepAlive: boolean;
  /** `file_sync_skip_invalid_record`. @default false */
  fileSyncSkipInvalidRecord: boolean;
  /** `use_connection_pool`. @default false */
  useConnectionPool: boolean;
  /** `connection_pool_max_idle_time`: seconds. @default 3600 */
  connectionPoolMaxIdleTime: number;
  /** `compress_binlog`: gzip old binlog files. @default false */
  compressBinlog: boolean;
  /** `compress_binlog_time`. @default 01:30 */
  compressBinlogTime: TimeOfDay;
  /** `check_store_path_mark`. @default true */
  checkStorePathMark: boolean;
  /** `[access-log] enabled`. @default false */
  accessLogEnabled: boolean;
  /** `[access-log] time_precision`: ms or us. @default 'ms' */
  accessLogTimePrecision: 'ms' | 'us';
  /** `[access-log]` log_file_* overrides. @default {} */
  accessLog: Partial<LogFileSettings>;
  /** `http.disabled`: no HTTP download gateway. @default false */
  httpDisabled: boolean;
  /** `http.domain_name`: host name in redirect URLs; empty = this storage's IP. @default '' */
  httpDomainName: string;
  /**
   * `http.server_port`: port of the built-in HTTP gateway; 0 = off.
   * @default 0 — departure from stock (code default 80): a stock storage never served HTTP itself, so fdfs
   * serves it only when storage.conf sets the key (the stock sample sets 8888).
   */
  httpServerPort: number;
  /** `http.upload.secret` (fdfs): bearer token enabling POST /upload on the gateway; empty = no HTTP upload. @default '' */
  httpUploadSecret: string;
  /** `http.upload.max_size` (fdfs): largest body POST /upload accepts. @default 64MB */
  httpUploadMaxSize: number;
  /** `http.default_content_type`. @default 'application/octet-stream' */
  httpDefaultContentType: string;
  /** `http.mime_types_filename`, resolved against the conf file's directory. @default mime.types */
  httpMimeTypesFilename: string;
  /** `http.need_find_content_type`: Content-Type from the extension. @default true */
  httpNeedFindContentType: boolean;
  /** `http.multi_range.enabled`: allow multi-range requests. @default true */
  httpMultiRangeEnabled: boolean;
  /** `http.anti_steal.token_check_fail`: file served when a token fails; empty = 403. @default '' */
  httpAntiStealTokenCheckFail: string;
  /** `http.url_have_group_name`: URLs carry /group/ before M00. @default false */
  httpUrlHaveGroupName: boolean;
  /** `http.response_mode`: proxy or redirect for files not yet replicated here. @default 'proxy' */
  httpResponseMode: 'proxy' | 'redirect';
  /** `http.storage_sync_file_max_delay`: older missing files get 404 instead of proxy. @default 86400 */
  httpStorageSyncFileMaxDelay: number;
  /** `http.flv_support`. @default false */
  httpFlvSupport: boolean;
  /** `http.flv_extension`. @default 'flv' */
  httpFlvExtension: string;
}

const f = fields<StorageConfig>();
const KB = 1024;

const storePaths: Field<StorageConfig, 'storePaths'> = {
  name: 'storePaths', key: 'store_path0', section: '', defaultText: 'store_path0 = base_path',
  doc: 'store_path0 … store_path<N-1>: directories (disks) holding files; the index is the Mxx of file IDs, so never reorder them. Keep base_path separate from the store paths.',
  owns: (k) => /^store_path\d+$/.test(k),
  read(ctx) {
    const count = ctx.partial.storePathCount ?? 1;
    const out: string[] = [];
    for (let i = 0; i < count; i++) {
      const key = `store_path${i}`;
      const item = lastItem(ctx, key);
      if (item && item.value === '') throw new ConfigError(`${key} is empty`, item.file, item.line);
      if (item) out.push(item.value);
      else if (i === 0) out.push(ctx.partial.basePath ?? '');
      else {
        const c = ctx.items('store_path_count').at(-1);
        throw new ConfigError(`${key} is required (store_path_count = ${count})`, c?.file ?? ctx.raw.path, c?.line);
      }
    }
    for (const k of ctx.keys()) {
      const n = /^store_path(\d+)$/.exec(k);
      const item = n && Number(n[1]) >= count ? ctx.items(k).at(-1) : undefined;
      if (item) ctx.log.warn({ key: k, file: item.file, line: item.line }, `${k} ignored: beyond store_path_count = ${count}`);
    }
    return out;
  },
  render: (v) => v.map((p, i) => line(`store_path${i}`, p)),
};

const storePathReadonly: Field<StorageConfig, 'storePathReadonly'> = {
  name: 'storePathReadonly', key: 'store_path0_readonly', section: '', defaultText: 'false',
  doc: 'store_path<N>_readonly = true: no new uploads to that path; its files stay readable.',
  owns: (k) => /^store_path\d+_readonly$/.test(k),
  read: (ctx) => Array.from({ length: ctx.partial.storePathCount ?? 1 }, (_, i) => {
    const item = lastItem(ctx, `store_path${i}_readonly`);
    return item ? parseBool(item.value) : false;
  }),
  render: (v) => v.map((ro, i) => line(`store_path${i}_readonly`, String(ro))),
};

export const STORAGE_FIELDS = [
  f.bool('disabled', 'disabled', false, 'true refuses to start.'),
  f.str('groupName', 'group_name', '', 'Group this storage belongs to (letters and digits, at most 16). Empty = fetch it from the tracker (needs use_storage_id in tracker.conf).',
    { pattern: /^[A-Za-z0-9]{0,16}$/, patternText: 'letters and digits only, at most 16' }),
  f.str('bindAddr', 'bind_addr', '', 'Address to listen on (an IPv4 and an IPv6 address may be given separated by a comma); empty = all.'),
  f.bool('clientBind', 'client_bind', true, 'Bind outgoing connections to bind_addr too.'),
  f.int('port', 'port', 23000, 'Storage port.', { min: 1, max: 65535 }),
  f.oneOf('addressFamily', 'address_family', 'auto', ['auto', 'IPv4', 'IPv6', 'both'], 'Address family: IPv4, IPv6, auto (by bind_addr, IPv4 first) or both.'),
  f.str('serverId', 'server_id', '', 'This storage\'s id in storage_ids.conf, for NAT setups with trust_storage_server_id; empty = found by local IP.'),
  f.int('connectTimeout', 'connect_timeout', 10, 'Connect timeout in seconds.', { min: 1 }),
  f.int('networkTimeout', 'network_timeout', 30, 'Send/receive timeout in seconds.', { min: 1 }),
  f.int('heartBeatInterval', 'heart_beat_interval', 30, 'Seconds between heartbeats to each tracker.', { min: 1 }),
  f.int('statReportInterval', 'stat_report_interval', 300, 'Seconds between disk usage reports to each tracker.', { min: 1 }),
  f.str('basePath', 'base_path', REQUIRED, 'Directory for binlogs, sync marks, stat files and logs (data/ and logs/).'),
  f.int('maxConnections', 'max_connections', 256, 'Maximum concurrent connections.', { min: 1 }),
  f.intOrAuto('maxConnectionsPerHost', 'max_connections_per_host', 'auto', 'fdfs only: connections one client address may hold, so a few hosts cannot take every slot; auto = a quarter of max_connections (at least 4).', { min: 1 }),
  f.size('buffSize', 'buff_size', 256 * KB, 'Network and file buffer size (at least 64KB).', { min: 64 * KB }),
  f.int('acceptThreads', 'accept_threads', 1, 'Accept threads. Accepted for compatibility.', { min: 1 }),
  f.int('workThreads', 'work_threads', 4, 'Network worker threads. Accepted for compatibility.', { min: 1 }),
  f.bool('diskRwSeparated', 'disk_rw_separated', true, 'Separate disk reader and writer threads.'),
  f.int('diskReaderThreads', 'disk_reader_threads', 1, 'Disk reader threads per store path.', { min: 0 }),
  f.int('diskWriterThreads', 'disk_writer_threads', 1, 'Disk writer threads per store path.', { min: 0 }),
  f.int('syncMinThreads', 'sync_min_threads', 1, 'Minimum file sync threads.', { min: 1 }),
  f.intOrAuto('syncMaxThreads', 'sync_max_threads', 'auto', 'Maximum file sync connections per peer; auto = twice store_path_count.', { min: 1 }),
  f.int('syncWaitMsec', 'sync_wait_msec', 100, 'Milliseconds to wait before reading the binlog again when there is nothing to sync.', { min: 1 }),
  f.int('syncInterval', 'sync_interval', 0, 'Milliseconds to pause after syncing each file; 0 = none.', { min: 0 }),
  f.time('syncStartTime', 'sync_start_time', '00:00', 'Daily start (HH:MM) of replication to other storages.'),
  f.time('syncEndTime', 'sync_end_time', '23:59', 'Daily end (HH:MM) of replication to other storages.'),
  f.int('writeMarkFileFreq', 'write_mark_file_freq', 500, 'Rewrite a sync mark file after every N synced records.', { min: 1 }),
  f.int('diskRecoveryThreads', 'disk_recovery_threads', 1, 'Threads recovering a replaced disk.', { min: 1 }),
  f.int('storePathCount', 'store_path_count', 1, 'Number of store paths (1-256).', { min: 1, max: 256 }),
  storePaths,
  storePathReadonly,
  f.int('subdirCountPerPath', 'subdir_count_per_path', 256, 'N × N data directories under each store path (1-256).', { min: 1, max: 256 }),
  f.servers('trackerServers', 'tracker_server', 'Repeatable. A tracker as host:port; two addresses of one tracker as host1,host2:port; IPv6 as [addr]:port.',
    { defaultPort: 22122, required: true }),
  f.allowHosts('allowHosts', 'allow_hosts', 'Repeatable. Peers allowed to connect: * (all), an IP, a hostname, a CIDR block (192.168.5.64/26) or a range (10.0.1.[1-15,20], host[01-08].domain.com).'),
  f.int('fileDistributePathMode', 'file_distribute_path_mode', 0, 'How new files spread over data directories: 0 round robin, 1 random (by hash).', { min: 0, max: 1 }),
  f.int('fileDistributeRotateCount', 'file_distribute_rotate_count', 100, 'With round robin, move to the next directory after this many files.', { min: 1 }),
  f.size('fsyncAfterWrittenBytes', 'fsync_after_written_bytes', 0, 'fsync a file being written every N bytes; 0 = never.'),
  f.int('scrubInterval', 'scrub_interval', 86400, 'fdfs only: seconds between background scrub passes (every normal file\'s CRC-32 checked against its ID, files the group\'s other members hold and this one lacks fetched); a damaged or missing copy is fetched from a peer. 0 = off.', { min: 0 }),
  f.int('antiEntropyInterval', 'anti_entropy_interval', 600, 'fdfs only: seconds for one anti-entropy round: each directory\'s leaf digests compared with every ACTIVE peer\'s, one directory at a time, and files a peer holds that this storage lacks (or holds at a wrong size) fetched from it. 0 = off.', { min: 0 }),
  f.size('scrubMaxBytesPerSecond', 'scrub_max_bytes_per_second', 32 * KB * KB, 'fdfs only: how fast a scrub pass may read (e.g. 32MB).', { min: 1 }),
  f.int('syncBinlogBuffInterval', 'sync_binlog_buff_interval', 1, 'fdatasync the binlog every N seconds. fdfs writes each record through at once (stock buffers it for N seconds, default 60), so a killed storage loses no record of an acknowledged change.', { min: 1 }),
  f.int('syncStatFileInterval', 'sync_stat_file_interval', 60, 'Write storage_stat.dat every N seconds.', { min: 1 }),
  f.size('threadStackSize', 'thread_stack_size', 512 * KB, 'Thread stack size. Accepted for compatibility.'),
  f.int('uploadPriority', 'upload_priority', 10, 'Upload priority when the tracker uses store_server = 2; lower is preferred.'),
  f.str('ifAliasPrefix', 'if_alias_prefix', '', 'NIC alias prefix used when listing local IP addresses; empty = by OS.'),
  f.bool('checkFileDuplicate', 'check_file_duplicate', false, 'Deduplicate through FastDHT. Accepted for compatibility; fdfs does not deduplicate.'),
  f.oneOf('fileSignatureMethod', 'file_signature_method', 'hash', ['hash', 'md5'], 'FastDHT file signature: hash or md5. Accepted for compatibility.'),
  f.str('keyNamespace', 'key_namespace', 'FastDFS', 'FastDHT key namespace. Accepted for compatibility.'),
  f.bool('keepAlive', 'keep_alive', false, 'Persistent FastDHT connections. Accepted for compatibility.'),
  f.bool('fileSyncSkipInvalidRecord', 'file_sync_skip_invalid_record', false, 'Skip invalid binlog records when syncing instead of stopping.'),
  f.bool('useConnectionPool', 'use_connection_pool', false, 'Pool outgoing connections.'),
  f.int('connectionPoolMaxIdleTime', 'connection_pool_max_idle_time', 3600, 'Seconds after which an idle pooled connection is closed.', { min: 1 }),
  f.bool('compressBinlog', 'compress_binlog', false, 'gzip binlog files that are no longer written.'),
  f.time('compressBinlogTime', 'compress_binlog_time', '01:30', 'Time of day (HH:MM) of binlog compression.'),
  f.bool('checkStorePathMark', 'check_store_path_mark', true, 'Refuse a store path marked as belonging to another storage.'),
  f.int('httpServerPort', 'http.server_port', 0, 'Port of the built-in HTTP download gateway (the stock sample uses 8888); 0 = no HTTP. fdfs default 0 (stock code: 80): HTTP is served only when this key is set.', { min: 0, max: 65535 }),
  f.str('httpUploadSecret', 'http.upload.secret', '', 'fdfs only: bearer token that enables POST /upload on the HTTP gateway (Authorization: Bearer <secret>); empty = no HTTP upload.'),
  f.size('httpUploadMaxSize', 'http.upload.max_size', 64 * KB * KB, 'fdfs only: largest file POST /upload accepts (e.g. 64MB); larger bodies get HTTP 413.', { min: 1 }),
  f.bool('httpDisabled', 'http.disabled', false, 'true: no HTTP download gateway.'),
  f.str('httpDomainName', 'http.domain_name', '', 'Host name used in redirect URLs; empty = this storage\'s IP.'),
  f.str('httpDefaultContentType', 'http.default_content_type', 'application/octet-stream', 'Content-Type when the extension is unknown.'),
  f.str('httpMimeTypesFilename', 'http.mime_types_filename', 'mime.types', 'Extension to MIME type map (Apache format), relative to this file\'s directory.', { path: true }),
  f.bool('httpNeedFindContentType', 'http.need_find_content_type', true, 'Derive Content-Type from the file extension.'),
  f.bool('httpMultiRangeEnabled', 'http.multi_range.enabled', true, 'Allow multi-range requests (multipart/byteranges).'),
  ...antiStealFields<StorageConfig>(),
  ...securityFields<StorageConfig>(),
  ...metricsAccessFields<StorageConfig>(),
  ...tlsFields<StorageConfig>(),
  ...urlTokenFields<StorageConfig>(),
  f.str('httpAntiStealTokenCheckFail', 'http.anti_steal.token_check_fail', '', 'File served (HTTP 200) when a token check fails; empty = HTTP 403.', { path: true }),
  f.bool('httpUrlHaveGroupName', 'http.url_have_group_name', false, 'URLs carry the group name: /group1/M00/… instead of /M00/….'),
  f.oneOf('httpResponseMode', 'http.response_mode', 'proxy', ['proxy', 'redirect'], 'For a file not replicated here yet: proxy it from the source storage, or redirect (302) there.'),
  f.int('httpStorageSyncFileMaxDelay', 'http.storage_sync_file_max_delay', 86400, 'A missing file older than this many seconds gets 404 instead of proxy/redirect.', { min: 1 }),
  f.bool('httpFlvSupport', 'http.flv_support', false, 'FLV pseudo-streaming with start/end query parameters.'),
  f.str('httpFlvExtension', 'http.flv_extension', 'flv', 'Extension of FLV files.'),
  ...logFields<StorageConfig>(),
  f.bool('accessLogEnabled', 'enabled', false, 'Write an access log (storage_access.log).', { section: 'access-log' }),
  f.oneOf('accessLogTimePrecision', 'time_precision', 'ms', ['ms', 'us'], 'Access log time precision: ms or us.',
    { section: 'access-log', aliases: { millisecond: 'ms', microsecond: 'us' } }),
  logOverridesField<StorageConfig, 'accessLog'>('accessLog', 'access-log', 'log_file_* keys in this section override the global ones for the access log.'),
];

// Compile-time check that the table covers every StorageConfig field.
type Missing = Exclude<keyof StorageConfig, (typeof STORAGE_FIELDS)[number]['name']>;
const covered: [Missing] extends [never] ? true : Missing = true;
void covered;

export const STORAGE_SCHEMA: Schema<StorageConfig> = {
  role: 'storage',
  fields: STORAGE_FIELDS,
  ignored: ['use_io_uring', 'use_send_zc'],
  header: [
    'storage.conf: FastDFS storage configuration (stock syntax; read by fdfs and by fdfs_storaged).',
    'One "key = value" per line; no inline comments; "#include <file>" includes another file (e.g. http.conf).',
  ],
  validate(cfg, raw) {
    validateAntiSteal(cfg, raw);
    validateSecurity(cfg, raw);
    validateTls(cfg, raw);
    validateUrlTokens(cfg, raw);
    if (typeof cfg.syncMaxThreads === 'number' && cfg.syncMaxThreads < cfg.syncMinThreads) {
      throw keyError(raw, 'sync_max_threads', 'sync_max_threads must be >= sync_min_threads');
    }
  },
};

/** Pass 2 for storage.conf. */
export function storageConfigFromRaw(raw: RawConf, opts?: ApplyOptions): StorageConfig {
  return applySchema(STORAGE_SCHEMA, raw, opts);
}

export function loadStorageConfig(path: string, opts?: ParseOptions): StorageConfig {
  return storageConfigFromRaw(parseConfFile(path, opts), opts);
}

/** Defaults plus the given values; store_path0 defaults to `basePath`. */
export function defaultStorageConfig(
  given: Partial<StorageConfig> & Pick<StorageConfig, 'basePath' | 'trackerServers'>,
): StorageConfig {
  return schemaDefaults(STORAGE_SCHEMA, given);
}

/** storage.conf text with every key and its doc; parses back to `cfg`. */
export function renderStorageConf(cfg: StorageConfig): string {
  return renderConf(STORAGE_SCHEMA, cfg);
}
