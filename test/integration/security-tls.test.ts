// Issue 14 item 3 with real processes: the protocol over TLS (tls_port) and HTTPS (http.tls_port) beside the
// plain ports, checked with openssl s_client, curl and our Connection; mutual TLS on the storage
// (tls_verify_client); a new certificate picked up on SIGHUP without a restart.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { FdfsClient } from '../../src/client/index.js';
import { Connection } from '../../src/net/connection.js';
import { CommonCmd, TrackerCmd } from '../../src/protocol/codes.js';
import { encodeHeader } from '../../src/protocol/header.js';
import { decodeListGroupsResponse, encodeListAllGroupsRequest } from '../../src/protocol/tracker-list.js';
import { decodeQueryTlsPortsResponse, encodeQueryTlsPortsRequest } from '../../src/protocol/tls-ports.js';
import { runCli } from '../helpers/proc.js';
import { allocHost, startStorage, startTracker, stopAll, tempDir, waitAllActive, waitFor, type StorageHandle, type TrackerHandle } from '../helpers/cluster.js';

const dir = tempDir('fdfs-tls-');
const f = (name: string) => path.join(dir, name);
const trackerHost = allocHost();
const storageHost = allocHost();
const TLS = { tracker: 22123, storage: 23001, trackerHttps: 8443, storageHttps: 8889 };
let tracker: TrackerHandle;
let storage: StorageHandle;
let client: FdfsClient;
let fileId = '';

function openssl(args: string[]): void {
  execFileSync('openssl', args, { stdio: 'pipe' });
}

/** A key and a certificate signed by the test CA, for the cluster's two addresses. */
function issue(name: string, cn: string): void {
  openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', f(`${name}.key`), '-out', f(`${name}.csr`), '-subj', `/CN=${cn}`]);
  writeFileSync(f(`${name}.ext`), `subjectAltName=IP:${trackerHost},IP:${storageHost}\n`);
  openssl(['x509', '-req', '-in', f(`${name}.csr`), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial', '-out', f(`${name}.pem`), '-days', '2', '-extfile', f(`${name}.ext`)]);
}

/** openssl s_client: ACTIVE_TEST then QUIT; the 10 answer bytes. */
function sClient(host: string, port: number, extra: string[] = []): { status: number | null; out: Buffer } {
  const r = spawnSync('openssl', ['s_client', '-quiet', '-verify_return_error', '-CAfile', f('ca.pem'), '-connect', `${host}:${port}`, ...extra], {
    input: Buffer.concat([encodeHeader(0, CommonCmd.ActiveTest), encodeHeader(0, CommonCmd.Quit)]), timeout: 10_000,
  });
  return { status: r.status, out: r.stdout };
}

function servedSubject(host: string, port: number): string {
  const r = spawnSync('openssl', ['s_client', '-CAfile', f('ca.pem'), '-connect', `${host}:${port}`], { input: '', timeout: 10_000 });
  return execFileSync('openssl', ['x509', '-noout', '-subject'], { input: r.stdout }).toString().trim();
}

beforeAll(async () => {
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', f('ca.key'), '-out', f('ca.pem'), '-days', '2', '-subj', '/CN=fdfs test CA']);
  issue('server', 'fdfs server one');
  issue('client', 'fdfs client');
  const tlsConf = { tls_cert_file: f('server.pem'), tls_key_file: f('server.key') };
  tracker = await startTracker({ host: trackerHost, conf: { ...tlsConf, tls_port: TLS.tracker, 'http.server_port': 8080, 'http.tls_port': TLS.trackerHttps, 'http.storage_tls_port': TLS.storageHttps } });
  storage = await startStorage({
    host: storageHost, trackers: [tracker.address],
    conf: { ...tlsConf, tls_port: TLS.storage, 'http.server_port': 8888, 'http.tls_port': TLS.storageHttps, tls_ca_file: f('ca.pem'), tls_verify_client: true },
  });
  client = new FdfsClient({ trackers: [tracker.address] });
  await waitAllActive(client, [storage]);
  fileId = await client.upload(Buffer.from('over tls'), { ext: 'txt' });
}, 40_000);

afterAll(async () => {
  client?.close();
  await stopAll([storage, tracker]);
});

describe('the protocol over TLS', () => {
  it('openssl s_client gets the ACTIVE_TEST answer on the tracker\'s tls_port', () => {
    const r = sClient(trackerHost, TLS.tracker);
    expect(r.out.subarray(0, 10).equals(encodeHeader(0, CommonCmd.Resp))).toBe(true);
  });

  it('our Connection lists the groups over TLS, checking the certificate', async () => {
    const c = await Connection.connect(trackerHost, TLS.tracker, { tls: { ca: readFileSync(f('ca.pem')) } });
    try {
      const body = await c.call(encodeListAllGroupsRequest(), { cmd: TrackerCmd.ServerListAllGroups });
      expect(decodeListGroupsResponse(body).map((g) => g.groupName)).toEqual(['group1']);
    } finally {
      c.destroy();
    }
    await expect(Connection.connect(trackerHost, TLS.tracker, { tls: {} })).rejects.toThrow();
  });

  it('mutual TLS on the storage: no client certificate, no session; with one, answers', async () => {
    expect(sClient(storageHost, TLS.storage).out.length).toBe(0);
    const ok = sClient(storageHost, TLS.storage, ['-cert', f('client.pem'), '-key', f('client.key')]);
    expect(ok.out.subarray(0, 10).equals(encodeHeader(0, CommonCmd.Resp))).toBe(true);
    const c = await Connection.connect(storageHost, TLS.storage, { tls: { ca: readFileSync(f('ca.pem')), cert: readFileSync(f('client.pem')), key: readFileSync(f('client.key')) } });
    expect(await c.activeTest()).toBe(true);
    c.destroy();
  });
});

describe('clients over TLS', () => {
  it('the tracker advertises the storage\'s TLS port (202); our client uploads and downloads over TLS', async () => {
    const ca = readFileSync(f('ca.pem'));
    const c = await Connection.connect(trackerHost, TLS.tracker, { tls: { ca } });
    const ports = decodeQueryTlsPortsResponse(await c.call(encodeQueryTlsPortsRequest(), { cmd: TrackerCmd.FdfsQueryTlsPorts }));
    c.destroy();
    expect(ports).toEqual([{ ip: storageHost, port: 23000, tlsPort: TLS.storage }]);
    const viaTls = new FdfsClient({ trackers: [`${trackerHost}:${TLS.tracker}`], tls: { ca, cert: readFileSync(f('client.pem')), key: readFileSync(f('client.key')) } });
    try {
      const id = await viaTls.upload(Buffer.from('sent over tls'), { ext: 'txt' });
      expect((await viaTls.downloadToBuffer(id)).toString()).toBe('sent over tls');
    } finally {
      viaTls.close();
    }
    // Without a client certificate the storage's TLS port (tls_verify_client) refuses: the storage leg is TLS too.
    const noCert = new FdfsClient({ trackers: [`${trackerHost}:${TLS.tracker}`], tls: { ca } });
    try {
      await expect(noCert.upload(Buffer.from('x'))).rejects.toThrow();
    } finally {
      noCert.close();
    }
  });

  it('the CLI: --tls-ca, --tls-cert, --tls-key (or client.conf), for ls too', async () => {
    const file = f('cli.txt');
    writeFileSync(file, 'cli over tls');
    const tlsFlags = ['-t', `${trackerHost}:${TLS.tracker}`, '--tls-ca', f('ca.pem'), '--tls-cert', f('client.pem'), '--tls-key', f('client.key')];
    const up = await runCli(['upload', file, '-q', ...tlsFlags]);
    expect(up.code, up.stderr).toBe(0);
    expect((await runCli(['download', up.stdout.trim(), '-', ...tlsFlags])).stdout).toBe('cli over tls');
    // ls talks to a storage directly: over its advertised TLS port too (the storage wants the client certificate).
    const ls = await runCli(['ls', 'group1', ...tlsFlags]);
    expect(ls.code, ls.stderr).toBe(0);
    expect(ls.stdout).toContain(up.stdout.trim());
    const lsNoCert = await runCli(['ls', 'group1', '-t', `${trackerHost}:${TLS.tracker}`, '--tls-ca', f('ca.pem')]);
    expect(lsNoCert.code).not.toBe(0);
    // The same from client.conf.
    writeFileSync(f('client.conf'), `tracker_server = ${trackerHost}:${TLS.tracker}\ntls_ca_file = ca.pem\ntls_cert_file = client.pem\ntls_key_file = client.key\n`);
    expect((await runCli(['download', up.stdout.trim(), '-', '--config', f('client.conf')])).stdout).toBe('cli over tls');
  });
});

describe('HTTPS', () => {
  it('curl reads /healthz from the tracker entry and a file from the gateway (with a client certificate there)', () => {
    const health = execFileSync('curl', ['-sS', '--cacert', f('ca.pem'), `https://${trackerHost}:${TLS.trackerHttps}/healthz`]).toString();
    expect(JSON.parse(health)).toMatchObject({ role: 'tracker' });
    const url = `https://${storageHost}:${TLS.storageHttps}/${fileId}`;
    expect(execFileSync('curl', ['-sS', '--cacert', f('ca.pem'), '--cert', f('client.pem'), '--key', f('client.key'), url]).toString()).toBe('over tls');
    expect(spawnSync('curl', ['-sS', '--cacert', f('ca.pem'), url]).status).not.toBe(0);
    // The tracker entry over HTTPS redirects to the storages' HTTPS port (http.storage_tls_port); over HTTP as before.
    const head = (u: string) => execFileSync('curl', ['-sS', '-o', '/dev/null', '-w', '%{redirect_url}', '--cacert', f('ca.pem'), u]).toString();
    expect(head(`https://${trackerHost}:${TLS.trackerHttps}/${fileId}`)).toBe(`https://${storageHost}:${TLS.storageHttps}/${fileId}`);
    expect(head(`http://${trackerHost}:8080/${fileId}`)).toBe(`http://${storageHost}:8888/${fileId}`);
    // The plain ports are unchanged.
    expect(execFileSync('curl', ['-sS', `http://${storageHost}:8888/${fileId}`]).toString()).toBe('over tls');
  });

  it('SIGHUP loads a new certificate without a restart', async () => {
    expect(servedSubject(trackerHost, TLS.trackerHttps)).toMatch(/fdfs server one/);
    issue('server', 'fdfs server two');
    tracker.proc.child!.kill('SIGHUP');
    await waitFor('the new certificate', async () => /fdfs server two/.test(servedSubject(trackerHost, TLS.trackerHttps)), 10_000, 200);
    expect(servedSubject(trackerHost, TLS.tracker)).toMatch(/fdfs server two/);
    expect(tracker.proc.running).toBe(true);
  });
});
