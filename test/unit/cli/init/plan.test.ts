// fdfs init without prompts: answers → plan (checks, HTTP ports, names), files rendered in stock
// format that load back through our own conf readers, and the refusal to overwrite.
import { describe, it, expect } from 'vitest';
import { mkdtempSync, writeFileSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { planFromAnswers, loadAnswersFile, mergeAnswers } from '../../../../src/cli/init/answers.js';
import { renderPlan, writePlan, layoutHosts } from '../../../../src/cli/init/render.js';
import { parseAddress, unusableAddress } from '../../../../src/cli/init/plan.js';
import { loadClientConfig, loadStorageConfig, loadTrackerConfig } from '../../../../src/config/index.js';

const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'fdfs-init-unit-'));

const basic = {
  trackers: ['10.0.0.1:22122', '10.0.0.2'],
  storages: ['group1=10.0.0.11:23000', 'group1=10.0.0.12', 'group2=10.0.0.11:23001'],
  baseDir: '/srv/fdfs',
};

describe('plan from answers', () => {
  it('fills defaults, numbers HTTP ports per host and names files when a host runs several servers', () => {
    const plan = planFromAnswers(basic);
    expect(plan.trackers).toEqual([{ host: '10.0.0.1', port: 22122 }, { host: '10.0.0.2', port: 22122 }]);
    expect(plan.storages.map((s) => [s.group, s.host, s.port, s.httpPort])).toEqual([
      ['group1', '10.0.0.11', 23000, 8888], ['group1', '10.0.0.12', 23000, 8888], ['group2', '10.0.0.11', 23001, 8889],
    ]);
    expect(plan).toMatchObject({ reservedStorageSpace: '10%', storeLookup: 'load-balance', tokenSecret: '', user: 'fdfs' });
    const h11 = layoutHosts(plan).find((h) => h.host === '10.0.0.11')!;
    expect(h11.storages.map((s) => [s.conf, s.unit, s.basePath])).toEqual([
      ['storage-group1-23000.conf', 'fdfs-storage-group1-23000.service', '/srv/fdfs/storage-group1-23000'],
      ['storage-group2-23001.conf', 'fdfs-storage-group2-23001.service', '/srv/fdfs/storage-group2-23001'],
    ]);
    const h12 = layoutHosts(plan).find((h) => h.host === '10.0.0.12')!;
    expect(h12.storages[0]).toMatchObject({ conf: 'storage.conf', unit: 'fdfs-storage.service', basePath: '/srv/fdfs/storage' });
  });

  it('names every problem: duplicate host:port, two storages of a group on one host, empty input', () => {
    expect(() => planFromAnswers({ trackers: ['10.0.0.1:22122'], storages: ['group1=10.0.0.1:22122'] }))
      .toThrow(/10\.0\.0\.1:22122 is used twice \(a tracker and storage of group1\)/);
    expect(() => planFromAnswers({ trackers: ['10.0.0.1'], storages: ['group1=10.0.0.5:23000', 'group1=10.0.0.5:23001'] }))
      .toThrow(/group1 has two storages on 10\.0\.0\.5/);
    expect(() => planFromAnswers({ trackers: ['10.0.0.1'], groups: { g1: [{ address: '10.0.0.5:23000', httpPort: 23000 }] } }))
      .toThrow(/10\.0\.0\.5:23000 is used twice \(storage of g1 and HTTP port of storage 10\.0\.0\.5:23000\)/);
    // A default HTTP port that a server already uses moves to the next free one.
    expect(planFromAnswers({ trackers: ['10.0.0.1'], storages: ['g1=10.0.0.5:23000'], httpPort: 23000 }).storages[0]!.httpPort).toBe(23001);
    expect(() => planFromAnswers({ trackers: ['10.0.0.1'], storages: ['g1=10.0.0.1:8080'] }))
      .toThrow(/10\.0\.0\.1:8080 is used twice \(HTTP port of tracker 10\.0\.0\.1:22122 and storage of g1\)/);
    expect(planFromAnswers({ trackers: ['10.0.0.1'], storages: ['g1=10.0.0.1:8080'], trackerHttpPort: 0 }).trackerHttpPort).toBe(0);
    expect(() => planFromAnswers({ trackers: [], storages: [] })).toThrow(/no tracker[\s\S]*no storage/);
    expect(() => planFromAnswers({ trackers: ['10.0.0.999'], storages: ['g=10.0.0.5'] })).toThrow(/bad address "10\.0\.0\.999"/);
    expect(() => planFromAnswers({ trackers: ['10.0.0.1'], storages: ['bad group=10.0.0.5'] })).toThrow(/bad group name/);
    expect(() => planFromAnswers({ trackers: ['10.0.0.1'], groups: { g1: [] } })).toThrow(/group g1 has no storage/);
    expect(() => planFromAnswers({ ...basic, storeLookup: 'group', storeGroup: 'nope' })).toThrow(/store group "nope" is not one of the groups/);
    expect(() => planFromAnswers({ ...basic, reservedStorageSpace: '150%' })).toThrow(/bad reserved space/);
    expect(() => planFromAnswers({ ...basic, baseDir: 'relative' })).toThrow(/base dir must be an absolute path/);
  });

  it('reads YAML and JSON answers files; flags override them; unknown keys are refused', async () => {
    const dir = tmp();
    const yaml = path.join(dir, 'a.yaml');
    writeFileSync(yaml, [
      'trackers: [10.0.0.1:22122]',
      'groups:',
      '  group1:',
      '    - 10.0.0.11:23000',
      '    - { address: 10.0.0.12:23000, storePaths: [/data1, /data2], httpPort: 8080 }',
      'reservedStorageSpace: 4GB',
      'tokenSecret: s3cret',
      '',
    ].join('\n'));
    const fromYaml = await loadAnswersFile(yaml);
    const plan = planFromAnswers(mergeAnswers(fromYaml, { reservedStorageSpace: '5%', trackers: undefined }));
    expect(plan.reservedStorageSpace).toBe('5%');
    expect(plan.storages[1]).toEqual({ group: 'group1', host: '10.0.0.12', port: 23000, storePaths: ['/data1', '/data2'], httpPort: 8080 });
    expect(plan.tokenSecret).toBe('s3cret');
    const json = path.join(dir, 'a.json');
    writeFileSync(json, JSON.stringify({ trackers: '10.0.0.1', storages: ['group1=10.0.0.11'], colour: 'blue' }));
    await expect(loadAnswersFile(json)).rejects.toThrow(/unknown key\(s\) colour/);
    writeFileSync(json, '{ "trackers": ');
    await expect(loadAnswersFile(json)).rejects.toThrow(/not valid JSON/);
  });
});

describe('addresses', () => {
  it('refuses addresses no other host can reach: 0.0.0.0/8, multicast, broadcast, reserved, malformed; takes host names', () => {
    for (const [bad, why] of [['0.0.0.12', /0\.0\.0\.12 is in 0\.0\.0\.0\/8/], ['0.0.0.0:22122', /this network/], ['224.0.0.5', /multicast/],
      ['239.255.0.1', /multicast/], ['255.255.255.255', /broadcast/], ['250.1.2.3', /reserved/], ['[::]:22122', /unspecified/],
      ['[ff02::1]:22122', /multicast/], ['10.0.0', /not an IP address or hostname/], ['10.0.0.300', /not an IP address or hostname/]] as const) {
      expect(() => parseAddress(bad, 22122), bad).toThrow(why);
    }
    expect(unusableAddress('1.2.3.4.5')).toMatch(/not a valid IPv4 address/);
    expect(parseAddress('tracker-1.example.com', 22122)).toEqual({ host: 'tracker-1.example.com', port: 22122 });
    expect(parseAddress('10.0.0.12:22123', 22122)).toEqual({ host: '10.0.0.12', port: 22123 });
    expect(() => planFromAnswers({ trackers: ['0.0.0.12'], storages: ['group1=10.0.0.11'] })).toThrow(/bad address "0\.0\.0\.12"/);
  });
});

describe('rendered files', () => {
  it('writes stock-format confs that load back to the plan, units running fdfs serve, and READMEs', async () => {
    const plan = planFromAnswers({ ...basic, tokenSecret: 'k3y', reservedStorageSpace: '4GB', storeLookup: 'group', storeGroup: 'group2' });
    const out = tmp();
    const files = renderPlan(plan);
    await writePlan(out, files, true, [plan.tokenSecret]);
    const t = loadTrackerConfig(path.join(out, '10.0.0.1/tracker.conf'));
    expect(t).toMatchObject({ port: 22122, bindAddr: '10.0.0.1', basePath: '/srv/fdfs/tracker', storeLookup: 1, storeGroup: 'group2',
      reservedStorageSpace: { kind: 'mb', mb: 4096 }, httpServerPort: 8080, httpStorageServerPort: 8888 });
    const s = loadStorageConfig(path.join(out, '10.0.0.11/storage-group2-23001.conf'));
    expect(s).toMatchObject({ groupName: 'group2', port: 23001, bindAddr: '10.0.0.11', basePath: '/srv/fdfs/storage-group2-23001',
      storePaths: ['/srv/fdfs/storage-group2-23001'], httpServerPort: 8889, httpAntiStealCheckToken: true, httpAntiStealSecretKey: 'k3y' });
    expect(s.trackerServers).toEqual([{ hosts: ['10.0.0.1'], port: 22122 }, { hosts: ['10.0.0.2'], port: 22122 }]);
    const c = loadClientConfig(path.join(out, '10.0.0.12/client.conf'));
    expect(c.trackerServers).toHaveLength(2);
    // The trackers' HTTP port as planned (not the key's stock default, 80).
    expect(c.httpTrackerServerPort).toBe(8080);
    // A host's client.conf is for the README's checks, readable without sudo: no secret in it, 644.
    expect(c).toMatchObject({ httpAntiStealCheckToken: false, httpAntiStealSecretKey: '' });
    expect(statSync(path.join(out, '10.0.0.12/client.conf')).mode & 0o777).toBe(0o644);
    expect(statSync(path.join(out, '10.0.0.1/tracker.conf')).mode & 0o777).toBe(0o644);
    // The operator's copy keeps the secret (for `fdfs token`), owner-only.
    expect(loadClientConfig(path.join(out, 'client.conf'))).toMatchObject({ httpAntiStealSecretKey: 'k3y', httpTrackerServerPort: 8080 });
    expect(statSync(path.join(out, 'client.conf')).mode & 0o777).toBe(0o600);
    // Every key with its comment, as the stock samples do.
    const text = readFileSync(path.join(out, '10.0.0.11/storage-group1-23000.conf'), 'utf8');
    expect(text).toMatch(/# Seconds between heartbeats to each tracker\.\n# default: 30\nheart_beat_interval = 30/);
    expect(statSync(path.join(out, '10.0.0.11/storage-group1-23000.conf')).mode & 0o777).toBe(0o600);
    const unit = readFileSync(path.join(out, '10.0.0.11/fdfs-storage-group1-23000.service'), 'utf8');
    expect(unit).toContain('ExecStart=/usr/local/bin/fdfs serve --role storage --config /etc/fdfs/storage-group1-23000.conf');
    expect(unit).toContain('User=fdfs');
    // Documentation points at a file that exists on the host: the README installed next to the confs.
    expect(unit).toMatch(/^Documentation=file:\/etc\/fdfs\/README\.md$/m);
    const readme = readFileSync(path.join(out, '10.0.0.11/README.md'), 'utf8');
    expect(readme).toContain('sudo install -m 644 -t /etc/fdfs client.conf README.md');
    expect(readme).toMatch(/sudo install -D -m 640 -g fdfs -t \/etc\/fdfs storage-group1-23000\.conf storage-group2-23001\.conf &&/);
    expect(readme).toContain('systemctl enable --now fdfs-storage-group1-23000.service');
    expect(readme).toContain('monitor --config /etc/fdfs/client.conf');
    // States are explained as they are: OFFLINE is "no connection to the tracker", not simply "process down".
    expect(readme).toMatch(/OFFLINE means the tracker\s+has no connection from it: its process is stopped, cannot reach the tracker, or has not re-joined/);
    expect(readme).not.toMatch(/OFFLINE means its process is down/);
    expect(readFileSync(path.join(out, 'README.md'), 'utf8')).toMatch(/1\. Trackers: 10\.0\.0\.1:22122, 10\.0\.0\.2:22122/);
  });

  it('refuses a non-empty folder without force', async () => {
    const out = tmp();
    writeFileSync(path.join(out, 'keep.txt'), 'mine');
    const files = renderPlan(planFromAnswers(basic));
    await expect(writePlan(out, files, false)).rejects.toThrow(/is not empty \(keep\.txt\).*--force/);
    await writePlan(out, files, true);
    expect(readFileSync(path.join(out, 'keep.txt'), 'utf8')).toBe('mine');
  });
});
