// client.conf schema (src/config/client-conf.ts): stock file with #include http.conf, defaults,
// tracker_server forms, anti-steal keys, bad values, and render → parse round trips.
import { describe, it, expect } from 'vitest';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { parseConfText, type WarnLog } from '../../../src/config/ini.js';
import {
  clientConfigFromRaw, defaultClientConfig, loadClientConfig, renderClientConf, type ClientConfig,
} from '../../../src/config/client-conf.js';
import { ConfigError } from '../../../src/errors.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures/conf');

function collect(): { log: WarnLog; list: Array<{ obj: Record<string, unknown>; msg: string }> } {
  const list: Array<{ obj: Record<string, unknown>; msg: string }> = [];
  return { list, log: { warn: (obj, msg) => list.push({ obj: obj as Record<string, unknown>, msg }) } };
}

function fromText(text: string, log: WarnLog = collect().log): ClientConfig {
  return clientConfigFromRaw(parseConfText(text, '/etc/fdfs/client.conf', { log }), { log });
}

describe('client.conf', () => {
  it('loads the stock sample and its http.conf without warnings', () => {
    const w = collect();
    const c = loadClientConfig(join(FIXTURES, 'client.conf'), { log: w.log });
    expect(w.list).toEqual([]);
    expect(c).toEqual({
      connectTimeout: 5, networkTimeout: 60, basePath: '/opt/fastdfs',
      trackerServers: [{ hosts: ['192.168.0.196'], port: 22122 }, { hosts: ['192.168.0.197'], port: 22122 }],
      logLevel: 'info', connectFirstBy: 'tracker', useConnectionPool: false, connectionPoolMaxIdleTime: 3600,
      loadFdfsParametersFromTracker: false, useStorageId: false, storageIdsFilename: join(FIXTURES, 'storage_ids.conf'),
      httpTrackerServerPort: 80, httpAntiStealCheckToken: false, httpAntiStealTokenTtl: 900,
      httpAntiStealSecretKey: 'FastDFS1234567890', authKeyFile: '', httpTokenHmacSecret: '', tlsCaFile: '', tlsCertFile: '', tlsKeyFile: '',
    });
  });

  it('uses the defaults of spec 10.7', () => {
    expect(fromText('tracker_server = 127.0.0.1:22122\n')).toMatchObject({
      connectTimeout: 10, networkTimeout: 30, basePath: '/tmp', useConnectionPool: false,
      loadFdfsParametersFromTracker: false, useStorageId: false, httpAntiStealCheckToken: false, httpAntiStealSecretKey: '',
    });
  });

  it('keeps tracker_server lines in order, with dual and IPv6 forms', () => {
    const c = fromText([
      'tracker_server = 192.168.2.100,122.244.141.46:22122',
      'tracker_server = [2409:8a20:42d:2f40:587a:4c47:72c0:ad8e,fe80::1ee9:90a8:1351:436c]:22122',
      'tracker_server = t3.example.com:22123',
    ].join('\n'));
    expect(c.trackerServers).toEqual([
      { hosts: ['192.168.2.100', '122.244.141.46'], port: 22122 },
      { hosts: ['2409:8a20:42d:2f40:587a:4c47:72c0:ad8e', 'fe80::1ee9:90a8:1351:436c'], port: 22122 },
      { hosts: ['t3.example.com'], port: 22123 },
    ]);
  });

  it('rejects bad values at file:line and requires tracker_server', () => {
    expect(() => fromText('tracker_server = a:1\nconnect_timeout = soon\n')).toThrow('/etc/fdfs/client.conf:2: connect_timeout: bad value "soon": not an integer');
    expect(() => fromText('tracker_server = a:1\nconnect_first_by = random\n')).toThrow(/:2: connect_first_by: /);
    expect(() => fromText('\ntracker_server = [::1:22122\n')).toThrow(/:2: tracker_server: /);
    expect(() => fromText('base_path = /x\n')).toThrow(ConfigError);
    expect(() => fromText('tracker_server = a:1\nhttp.anti_steal.check_token = true\n')).toThrow(/secret_key is required/);
  });

  it('warns about unknown keys but not about http.conf keys a client ignores', () => {
    const w = collect();
    fromText('tracker_server = a:1\nhttp.mime_types_filename = mime.types\ntracker_servers = b:1\n', w.log);
    expect(w.list).toHaveLength(1);
    expect(w.list[0]!.obj).toMatchObject({ key: 'tracker_servers', file: '/etc/fdfs/client.conf', line: 3 });
  });

  it('round-trips stock, default and custom configs', () => {
    const stock = loadClientConfig(join(FIXTURES, 'client.conf'), { log: collect().log });
    const d = defaultClientConfig({ trackerServers: [{ hosts: ['127.0.0.1'], port: 22122 }] });
    const custom: ClientConfig = {
      ...d, connectFirstBy: 'last-connected', useStorageId: true, storageIdsFilename: '/etc/fdfs/ids.conf',
      httpAntiStealCheckToken: true, httpAntiStealSecretKey: 'k', logLevel: 'error',
      trackerServers: [{ hosts: ['::1'], port: 22122 }, { hosts: ['10.0.0.1', '10.0.0.2'], port: 1 }],
    };
    for (const c of [stock, d, custom]) {
      const w = collect();
      expect(fromText(renderClientConf(c), w.log)).toEqual(c);
      expect(w.list).toEqual([]);
    }
  });
});
