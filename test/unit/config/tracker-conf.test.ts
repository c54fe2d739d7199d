// tracker.conf schema (src/config/tracker-conf.ts): stock file, defaults, reserved space, trunk sizes,
// cross-field checks, bad values at file:line, and render → parse round trips.
import { describe, it, expect } from 'vitest';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { parseConfText, type WarnLog } from '../../../src/config/ini.js';
import {
  defaultTrackerConfig, loadTrackerConfig, renderTrackerConf, trackerConfigFromRaw, TRACKER_FIELDS, type TrackerConfig,
} from '../../../src/config/tracker-conf.js';
import { AllowHosts } from '../../../src/config/allow-hosts.js';
import { ConfigError } from '../../../src/errors.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures/conf');
const MB = 1024 ** 2;

function collect(): { log: WarnLog; list: Array<{ obj: Record<string, unknown>; msg: string }> } {
  const list: Array<{ obj: Record<string, unknown>; msg: string }> = [];
  return { list, log: { warn: (obj, msg) => list.push({ obj: obj as Record<string, unknown>, msg }) } };
}

function fromText(text: string, log: WarnLog = collect().log): TrackerConfig {
  return trackerConfigFromRaw(parseConfText(text, '/etc/fdfs/tracker.conf', { log }), { log });
}

describe('stock tracker.conf', () => {
  it('loads the sample values without warnings', () => {
    const w = collect();
    const c = loadTrackerConfig(join(FIXTURES, 'tracker.conf'), { log: w.log });
    expect(w.list).toEqual([]);
    expect(c).toMatchObject({
      port: 22122, basePath: '/opt/fastdfs', connectTimeout: 5, networkTimeout: 60, maxConnections: 1024,
      minBuffSize: 8 * 1024, maxBuffSize: 128 * 1024, storeLookup: 2, storeGroup: 'group2', storeServer: 0,
      storePath: 0, downloadServer: 0, reservedStorageSpace: { kind: 'ratio', ratio: 0.2 }, checkActiveInterval: 120,
      useTrunkFile: false, slotMinSize: 256, slotMaxSize: MB, trunkFileSize: 64 * MB,
      trunkCreateFileTimeBase: { hour: 2, minute: 0, second: 0 }, trunkCreateFileSpaceThreshold: 20 * 1024 ** 3,
      trunkBinlogMaxBackups: 7, idTypeInFilename: 'id', trustStorageServerId: true, useConnectionPool: true,
      syncLogBuffInterval: 1, addressFamily: 'auto', responseIpAddrSize: 'auto', errorLog: {},
    });
    expect(c.storageIdsFilename).toBe(join(FIXTURES, 'storage_ids.conf'));
    expect(c.allowHosts.allows('198.51.100.7')).toBe(true);
  });

  it('reads "use_trunk_file = false " with its trailing blank as false', () => {
    expect(loadTrackerConfig(join(FIXTURES, 'tracker.conf'), { log: collect().log }).useTrunkFile).toBe(false);
  });
});

describe('tracker defaults and derived values', () => {
  it('uses the code defaults of spec 10.7', () => {
    expect(fromText('base_path = /t\n')).toMatchObject({
      port: 22122, connectTimeout: 10, networkTimeout: 60, maxConnections: 256, minBuffSize: 64 * 1024,
      maxBuffSize: 256 * 1024, storeLookup: 0, storeServer: 0, storePath: 0, downloadServer: 0,
      reservedStorageSpace: { kind: 'mb', mb: 1024 }, checkActiveInterval: 100, storageIpChangedAutoAdjust: true,
      storageSyncFileMaxDelay: 86400, storageSyncFileMaxTime: 300, slotMinSize: 256, trunkFileSize: 64 * MB,
      slotMaxSize: 8 * MB, useStorageId: false, idTypeInFilename: 'ip', trustStorageServerId: true,
      connectionPoolMaxIdleTime: 3600, threadStackSize: 256 * 1024, logLevel: 'info',
    });
    expect(fromText('base_path = /t\n').allowHosts.allowAll).toBe(true);
  });

  it('derives slot_max_size from trunk_file_size and caps it at half', () => {
    expect(fromText('base_path = /t\ntrunk_file_size = 16MB\n').slotMaxSize).toBe(2 * MB);
    expect(fromText('base_path = /t\ntrunk_file_size = 16MB\nslot_max_size = 64MB\n').slotMaxSize).toBe(8 * MB);
  });

  it('reads reserved_storage_space as MB or ratio', () => {
    expect(fromText('base_path = /t\nreserved_storage_space = 4GB\n').reservedStorageSpace).toEqual({ kind: 'mb', mb: 4096 });
    expect(fromText('base_path = /t\nreserved_storage_space = 10.5%\n').reservedStorageSpace).toEqual({ kind: 'ratio', ratio: 0.105 });
  });

  it('collects repeated allow_hosts lines', () => {
    const c = fromText('base_path = /t\nallow_hosts = 10.0.1.[1-15,20]\nallow_hosts = 192.168.5.64/26\n');
    expect(c.allowHosts.patterns).toEqual(['10.0.1.[1-15,20]', '192.168.5.64/26']);
    expect(c.allowHosts.allows('10.0.1.20')).toBe(true);
    expect(c.allowHosts.allows('192.168.5.100')).toBe(true);
    expect(c.allowHosts.allows('192.168.5.1')).toBe(false);
  });

  it('accepts log level spellings case-insensitively', () => {
    expect(fromText('base_path = /t\nlog_level = WARNING\n').logLevel).toBe('warn');
    expect(fromText('base_path = /t\nlog_level = Debug\n').logLevel).toBe('debug');
  });

  it('warns about keys of older versions (http.check_alive_*) without failing', () => {
    const w = collect();
    const c = fromText('base_path = /t\nhttp.server_port=8080\nhttp.check_alive_interval=30\n', w.log);
    // http.server_port is the tracker's HTTP entry again; the health-check keys have no effect.
    expect(c).toMatchObject({ httpServerPort: 8080, httpStorageServerPort: 8888 });
    expect(w.list.map((x) => x.obj.key)).toEqual(['http.check_alive_interval']);
  });
});

describe('trunk files', () => {
  it('loads use_trunk_file = true without a warning (trunk files are written)', () => {
    const w = collect();
    const c = fromText('base_path = /t\nuse_trunk_file = true\n', w.log);
    expect(c.useTrunkFile).toBe(true);
    expect(w.list).toEqual([]);
  });
});

describe('bad tracker values', () => {
  const cases: Array<[string, RegExp]> = [
    ['port = abc', /port: bad value "abc": not an integer/],
    ['port = 70000', /port: bad value "70000": must be between 1 and 65535/],
    ['store_lookup = 3', /store_lookup: /],
    ['store_path = 1', /store_path: bad value "1": expected one of 0, 2/],
    ['reserved_storage_space = 100%', /reserved_storage_space: .*> 0 and < 100/],
    ['reserved_storage_space = lots', /reserved_storage_space: /],
    ['trunk_file_size = 1MB', /trunk_file_size: .*must be >= 4194304/],
    ['trunk_create_file_time_base = 2am', /trunk_create_file_time_base: .*HH:MM/],
    ['id_type_in_filename = name', /id_type_in_filename: .*expected one of ip, id/],
    ['check_active_interval = 0', /check_active_interval: /],
  ];
  for (const [line, re] of cases) {
    it(`rejects "${line}" at file:line`, () => {
      expect(() => fromText(`base_path = /t\n${line}\n`)).toThrow(ConfigError);
      expect(() => fromText(`base_path = /t\n${line}\n`)).toThrow(/^\/etc\/fdfs\/tracker\.conf:2: /);
      expect(() => fromText(`base_path = /t\n${line}\n`)).toThrow(re);
    });
  }

  it('requires base_path, and store_group with store_lookup = 1', () => {
    expect(() => fromText('port = 22122\n')).toThrow('/etc/fdfs/tracker.conf: base_path is required');
    expect(() => fromText('base_path = /t\nstore_lookup = 1\n')).toThrow('/etc/fdfs/tracker.conf:2: store_group is required when store_lookup = 1');
    expect(fromText('base_path = /t\nstore_lookup = 1\nstore_group = group1\n').storeGroup).toBe('group1');
  });
});

describe('renderTrackerConf', () => {
  it('round-trips the stock fixture, defaults and a custom config without warnings', () => {
    const stock = loadTrackerConfig(join(FIXTURES, 'tracker.conf'), { log: collect().log });
    const d = defaultTrackerConfig({ basePath: '/var/fdfs' });
    const custom: TrackerConfig = {
      ...d, storeLookup: 1, storeGroup: 'group7', reservedStorageSpace: { kind: 'ratio', ratio: 0.125 },
      allowHosts: new AllowHosts(['127.0.0.1', 'host[01-03].lan']), useTrunkFile: true, slotMaxSize: 4 * MB,
      trunkCompressBinlogTimeBase: { hour: 3, minute: 15, second: 0 }, errorLog: { compressOld: true },
      bindAddr: '10.0.0.1,fe80::1', idTypeInFilename: 'id', addressFamily: 'both',
    };
    for (const c of [stock, d, custom]) {
      const w = collect();
      expect(fromText(renderTrackerConf(c), w.log)).toEqual(c);
      // The one expected warning: trunk files are not built yet.
      expect(w.list.filter((x) => x.obj.key !== 'use_trunk_file' || !c.useTrunkFile)).toEqual([]);
    }
  });

  it('comments every key with its doc and default', () => {
    const text = renderTrackerConf(defaultTrackerConfig({ basePath: '/var/fdfs' }));
    for (const f of TRACKER_FIELDS.filter((x) => !x.key.includes('*'))) {
      expect(text, f.key).toMatch(new RegExp(`# default: [^\\n]*\\n#?${f.key.replace(/\./g, '\\.')} =`));
    }
    expect(text).toContain('# default: 1024MB\nreserved_storage_space = 1024MB\n');
  });
});
