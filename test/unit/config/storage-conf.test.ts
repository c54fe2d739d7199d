// storage.conf schema (src/config/storage-conf.ts): stock file + http.conf, defaults, store paths,
// sections, bad values at file:line, unknown keys, and render → parse round trips.
import { describe, it, expect } from 'vitest';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { parseConfText, type WarnLog } from '../../../src/config/ini.js';
import {
  defaultStorageConfig, loadStorageConfig, renderStorageConf, storageConfigFromRaw, STORAGE_FIELDS, type StorageConfig,
} from '../../../src/config/storage-conf.js';
import { effectiveLogFile } from '../../../src/config/common-fields.js';
import { AllowHosts } from '../../../src/config/allow-hosts.js';
import { ConfigError } from '../../../src/errors.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures/conf');
const STORAGE = join(FIXTURES, 'storage.conf');

function collect(): { log: WarnLog; list: Array<{ obj: Record<string, unknown>; msg: string }> } {
  const list: Array<{ obj: Record<string, unknown>; msg: string }> = [];
  return { list, log: { warn: (obj, msg) => list.push({ obj: obj as Record<string, unknown>, msg }) } };
}

const BASE = 'base_path = /data/fdfs\ntracker_server = 10.0.0.1:22122\n';

/** Storage config from conf text (virtual file /etc/fdfs/storage.conf). */
function fromText(text: string, log: WarnLog = collect().log): StorageConfig {
  return storageConfigFromRaw(parseConfText(text, '/etc/fdfs/storage.conf', { log }), { log });
}

function errorOf(text: string): ConfigError {
  try {
    fromText(text);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('stock storage.conf', () => {
  it('loads with its #include http.conf and no warnings', () => {
    const w = collect();
    const c = loadStorageConfig(STORAGE, { log: w.log });
    expect(w.list).toEqual([]);
    expect(c).toMatchObject({
      groupName: 'group1', port: 23000, basePath: '/opt/fastdfs', storePathCount: 1, storePaths: ['/opt/fastdfs'],
      storePathReadonly: [false], subdirCountPerPath: 256, connectTimeout: 5, networkTimeout: 60,
      heartBeatInterval: 30, statReportInterval: 60, buffSize: 256 * 1024, syncMaxThreads: 'auto', syncWaitMsec: 10,
      syncStartTime: { hour: 0, minute: 0, second: 0 }, syncEndTime: { hour: 23, minute: 59, second: 0 },
      diskRecoveryThreads: 4, syncBinlogBuffInterval: 1, threadStackSize: 512 * 1024, compressBinlog: true,
      useConnectionPool: true, httpServerPort: 8888, httpDomainName: '', logLevel: 'info', logFileKeepDays: 15,
      logFileCompressDaysBefore: 7, accessLogEnabled: false, accessLogTimePrecision: 'us', errorLog: {}, accessLog: {},
    });
    expect(c.trackerServers).toEqual([
      { hosts: ['192.168.209.121'], port: 22122 },
      { hosts: ['192.168.209.122'], port: 22122 },
    ]);
    expect(c.allowHosts.allowAll).toBe(true);
  });

  it('takes the http.conf keys, resolving file names against the conf directory', () => {
    const c = loadStorageConfig(STORAGE, { log: collect().log });
    expect(c).toMatchObject({
      httpDefaultContentType: 'application/octet-stream', httpAntiStealCheckToken: false,
      httpAntiStealTokenTtl: 900, httpAntiStealSecretKey: 'FastDFS1234567890',
      httpAntiStealTokenCheckFail: '/opt/fastdfs/conf/anti-steal.jpg', httpMultiRangeEnabled: true,
    });
    expect(c.httpMimeTypesFilename).toBe(join(FIXTURES, 'mime.types'));
  });

  it('loads a FastDFS 5.05 file, warning once per unknown key with file:line', () => {
    const w = collect();
    const c = loadStorageConfig(join(FIXTURES, 'storage-v5.conf'), { log: w.log });
    expect(c).toMatchObject({ bindAddr: '192.168.1.190', workThreads: 2, syncBinlogBuffInterval: 10, httpServerPort: 80 });
    expect(w.list.map((x) => [x.obj.key, x.obj.line])).toEqual([
      ['disk_rw_direct', 21], ['httphttp.domain_name', 48], ['http.trunk_size', 49],
    ]);
    expect(w.list[0]!.msg).toContain(`${join(FIXTURES, 'storage-v5.conf')}:21`);
  });
});

describe('storage defaults', () => {
  it('uses the stock defaults, store_path0 = base_path, and sync_binlog_buff_interval = 1', () => {
    const c = fromText(BASE);
    expect(c).toMatchObject({
      groupName: '', port: 23000, storePaths: ['/data/fdfs'], heartBeatInterval: 30, statReportInterval: 300,
      buffSize: 256 * 1024, connectTimeout: 10, networkTimeout: 30, subdirCountPerPath: 256,
      fileDistributeRotateCount: 100, syncWaitMsec: 100, syncStatFileInterval: 60, uploadPriority: 10,
      syncBinlogBuffInterval: 1, httpServerPort: 0, httpResponseMode: 'proxy', httpUrlHaveGroupName: false,
      httpUploadSecret: '', httpUploadMaxSize: 64 * 1024 * 1024,
      httpStorageSyncFileMaxDelay: 86400, httpAntiStealTokenTtl: 600, logLevel: 'info', checkStorePathMark: true,
    });
  });

  it('documents every field with a key, doc and default', () => {
    for (const f of STORAGE_FIELDS) {
      expect(f.doc.length, String(f.name)).toBeGreaterThan(10);
      expect(f.defaultText, String(f.name)).not.toBe(undefined);
    }
    expect(new Set(STORAGE_FIELDS.map((f) => f.name)).size).toBe(STORAGE_FIELDS.length);
  });

  it('gives a tracker_server without a port the tracker port 22122', () => {
    expect(fromText('base_path = /x\ntracker_server = tracker.lan\n').trackerServers).toEqual([{ hosts: ['tracker.lan'], port: 22122 }]);
  });

  it('requires base_path and tracker_server', () => {
    expect(errorOf('tracker_server = 10.0.0.1:22122\n').message).toBe('/etc/fdfs/storage.conf: base_path is required');
    expect(errorOf('base_path = /x\n').message).toContain('tracker_server is required');
  });
});

describe('store paths', () => {
  it('reads store_path<N> and store_path<N>_readonly for store_path_count paths', () => {
    const c = fromText(`${BASE}store_path_count = 3\nstore_path0 = /d0\nstore_path1 = /d1\nstore_path2 = /d2\nstore_path1_readonly = true\n`);
    expect(c.storePaths).toEqual(['/d0', '/d1', '/d2']);
    expect(c.storePathReadonly).toEqual([false, true, false]);
  });

  it('fails when a store path below the count is missing, naming store_path_count', () => {
    const err = errorOf(`${BASE}store_path_count = 2\nstore_path0 = /d0\n`);
    expect(err.message).toBe('/etc/fdfs/storage.conf:3: store_path1 is required (store_path_count = 2)');
  });

  it('warns about store paths beyond the count', () => {
    const w = collect();
    const c = fromText(`${BASE}store_path0 = /d0\nstore_path1 = /d1\n`, w.log);
    expect(c.storePaths).toEqual(['/d0']);
    expect(w.list).toHaveLength(1);
    expect(w.list[0]!.obj).toMatchObject({ key: 'store_path1', line: 4 });
  });
});

describe('bad storage values', () => {
  const cases: Array<[string, RegExp]> = [
    ['port = abc', /:3: port: bad value "abc": not an integer$/],
    ['port = 23000 # main port', /:3: port: .*inline # comments are not supported/],
    ['subdir_count_per_path = 999', /:3: subdir_count_per_path: bad value "999": must be between 1 and 256$/],
    ['store_path_count = 0', /:3: store_path_count: /],
    ['buff_size = 32KB', /:3: buff_size: bad value "32KB": must be >= 65536/],
    ['buff_size = 1.5MB', /:3: buff_size: bad value "1.5MB": not a size/],
    ['group_name = group_1', /:3: group_name: bad value "group_1": letters and digits only/],
    ['sync_start_time = 25:00', /:3: sync_start_time: /],
    ['tracker_server = 10.0.0.2:http', /:3: tracker_server: bad value "10.0.0.2:http": expected host:port/],
    ['allow_hosts = 10.0.1.[1-999]', /:3: allow_hosts: /],
    ['http.response_mode = forward', /:3: http.response_mode: bad value "forward": expected one of proxy, redirect/],
    ['file_distribute_path_mode = 2', /:3: file_distribute_path_mode: /],
  ];
  for (const [line, re] of cases) {
    it(`rejects "${line}" at file:line`, () => {
      const err = errorOf(`${BASE}${line}\n`);
      expect(err.message).toMatch(/^\/etc\/fdfs\/storage\.conf:3: /);
      expect(err.message).toMatch(re);
      expect(err).toMatchObject({ file: '/etc/fdfs/storage.conf', line: 3, code: 'FDFS_ERR_CONFIG' });
    });
  }

  it('names the included file when the bad value comes from it', () => {
    const readFile = (p: string) => {
      if (p === '/etc/fdfs/http.conf') return '\nhttp.anti_steal.token_ttl = soon\n';
      throw new Error('ENOENT');
    };
    const raw = parseConfText(`${BASE}#include http.conf\n`, '/etc/fdfs/storage.conf', { readFile, log: collect().log });
    expect(() => storageConfigFromRaw(raw, { log: collect().log })).toThrow('/etc/fdfs/http.conf:2: http.anti_steal.token_ttl: bad value "soon"');
  });

  it('requires a secret key when token checking is on', () => {
    expect(errorOf(`${BASE}http.anti_steal.check_token = yes\n`).message)
      .toBe('/etc/fdfs/storage.conf:3: http.anti_steal.secret_key is required when http.anti_steal.check_token is true');
  });
});

describe('storage sections and warnings', () => {
  it('reads [access-log] and [error-log] overrides over the global log_file_* keys', () => {
    const c = fromText(`${BASE}log_file_keep_days = 30\n[error-log]\nlog_file_keep_days = 7\n[access-log]\nenabled = on\ntime_precision = microsecond\nlog_file_rotate_on_size = 100MB\n`);
    expect(c.accessLogEnabled).toBe(true);
    expect(c.accessLogTimePrecision).toBe('us');
    expect(c.errorLog).toEqual({ keepDays: 7 });
    expect(effectiveLogFile(c).keepDays).toBe(7);
    expect(effectiveLogFile(c, c.accessLog)).toMatchObject({ keepDays: 30, rotateOnSize: 100 * 1024 ** 2 });
  });

  it('does not read a global key inside a section', () => {
    const w = collect();
    const c = fromText(`${BASE}[access-log]\nport = 1\n`, w.log);
    expect(c.port).toBe(23000);
    expect(w.list[0]!.msg).toBe('unknown storage config key "[access-log] port" at /etc/fdfs/storage.conf:4, ignored');
  });

  it('warns once per unknown key occurrence and never fails on it', () => {
    const w = collect();
    fromText(`${BASE}colour = blue\ncolour = red\n[bogus]\nx = 1\n`, w.log);
    expect(w.list.map((x) => [x.obj.key, x.obj.line, x.obj.section])).toEqual([
      ['colour', 3, undefined], ['colour', 4, undefined], ['x', 6, 'bogus'],
    ]);
  });

  it('warns when a single-valued key repeats; the last value wins', () => {
    const w = collect();
    expect(fromText(`${BASE}port = 1\nport = 2\n`, w.log).port).toBe(2);
    expect(w.list).toHaveLength(1);
    expect(w.list[0]!.msg).toContain('last value (/etc/fdfs/storage.conf:4) wins');
  });

  it('accepts stock keys fdfs ignores (use_io_uring) silently', () => {
    const w = collect();
    fromText(`${BASE}use_io_uring = true\nuse_send_zc = false\n`, w.log);
    expect(w.list).toEqual([]);
  });
});

describe('renderStorageConf', () => {
  function roundTrip(c: StorageConfig): StorageConfig {
    const w = collect();
    const back = fromText(renderStorageConf(c), w.log);
    expect(w.list).toEqual([]);
    return back;
  }

  it('round-trips the stock fixture', () => {
    const c = loadStorageConfig(STORAGE, { log: collect().log });
    expect(roundTrip(c)).toEqual(c);
  });

  it('round-trips defaults and a config far from them', () => {
    const d = defaultStorageConfig({ basePath: '/data/fdfs', trackerServers: [{ hosts: ['10.0.0.1'], port: 22122 }] });
    expect(d.storePaths).toEqual(['/data/fdfs']);
    expect(roundTrip(d)).toEqual(d);
    const c: StorageConfig = {
      ...d, groupName: 'group9', port: 23001, storePathCount: 2, storePaths: ['/d0', '/d1'], storePathReadonly: [false, true],
      trackerServers: [{ hosts: ['10.0.0.1', '203.0.113.1'], port: 22122 }, { hosts: ['2409:8a20::1'], port: 22123 }],
      allowHosts: new AllowHosts(['10.0.1.[1-15,20]', '192.168.5.64/26']), syncMaxThreads: 6, buffSize: 1024 ** 2,
      syncStartTime: { hour: 1, minute: 30, second: 15 }, accessLogEnabled: true, accessLog: { rotateOnSize: 5 * 1024 ** 2 },
      errorLog: { keepDays: 3, rotateTime: { hour: 4, minute: 0, second: 0 } }, httpAntiStealCheckToken: true,
      httpAntiStealSecretKey: 's3cret key', httpResponseMode: 'redirect', logLevel: 'debug', httpMimeTypesFilename: '/etc/mime.types',
    };
    expect(roundTrip(c)).toEqual(c);
  });

  it('writes every key with a comment and its default', () => {
    const text = renderStorageConf(loadStorageConfig(STORAGE, { log: collect().log }));
    expect(text).toContain('# default: 1\nsync_binlog_buff_interval = 1\n');
    expect(text).toContain('# default: 256KB\nbuff_size = 256KB\n');
    expect(text).toContain('[access-log]');
    for (const line of text.split('\n').filter((l) => /^[a-z]/.test(l))) {
      const before = text.split('\n')[text.split('\n').indexOf(line) - 1]!;
      expect(before.startsWith('#') || /^[a-z]/.test(before), line).toBe(true);
    }
  });
});
