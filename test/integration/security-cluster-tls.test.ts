// Issue 14 item 3, mutual TLS between servers (cluster_tls): a tracker and two storages that reach each other
// only over their TLS ports with their certificates; storage/tracker commands over the plain port, or over TLS
// without a certificate, are refused.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { FdfsClient } from '../../src/client/index.js';
import { Errno } from '../../src/errors.js';
import { Connection } from '../../src/net/connection.js';
import { TrackerCmd } from '../../src/protocol/codes.js';
import { encodeGetMyIpRequest } from '../../src/protocol/join.js';
import { allocHost, startStorage, startTracker, stopAll, tempDir, waitAllActive, waitFor, type StorageHandle, type TrackerHandle } from '../helpers/cluster.js';
import { fileInfoAt } from '../helpers/storage-direct.js';

const dir = tempDir('fdfs-ctls-');
const f = (name: string) => path.join(dir, name);
const hosts = [allocHost(), allocHost(), allocHost()] as const;
let tracker: TrackerHandle;
let s1: StorageHandle;
let s2: StorageHandle;
let client: FdfsClient;

function openssl(args: string[]): void {
  execFileSync('openssl', args, { stdio: 'pipe' });
}

beforeAll(async () => {
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', f('ca.key'), '-out', f('ca.pem'), '-days', '2', '-subj', '/CN=cluster CA']);
  openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', f('server.key'), '-out', f('server.csr'), '-subj', '/CN=fdfs servers']);
  writeFileSync(f('server.ext'), `subjectAltName=${hosts.map((h) => `IP:${h}`).join(',')}\n`);
  openssl(['x509', '-req', '-in', f('server.csr'), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial', '-out', f('server.pem'), '-days', '2', '-extfile', f('server.ext')]);
  const conf = {
    cluster_tls: true, tls_cert_file: f('server.pem'), tls_key_file: f('server.key'), tls_ca_file: f('ca.pem'), tls_verify_client: true,
  };
  tracker = await startTracker({ host: hosts[0], conf: { ...conf, tls_port: 22123 } });
  s1 = await startStorage({ host: hosts[1], trackers: [tracker.address], conf: { ...conf, tls_port: 23001, tracker_tls_port: 22123 } });
  s2 = await startStorage({ host: hosts[2], trackers: [tracker.address], conf: { ...conf, tls_port: 23001, tracker_tls_port: 22123 } });
  client = new FdfsClient({ trackers: [tracker.address] });
  await waitAllActive(client, [s1, s2]);
}, 40_000);

afterAll(async () => {
  client?.close();
  await stopAll([s1, s2, tracker]);
});

describe('cluster_tls', () => {
  it('storages join and replicate over mutual TLS', async () => {
    const data = randomBytes(3000);
    const id = await client.upload(data);
    for (const s of [s1, s2]) await waitFor(`replica on ${s.address}`, async () => (await fileInfoAt(s.address, id)) !== null);
  });

  it('a storage/tracker command over the plain port, or over TLS without a certificate, is refused', async () => {
    const ask = (c: Connection) => c.call(encodeGetMyIpRequest({ group: 'group1', storagePort: 23000 }), { cmd: TrackerCmd.StorageGetMyIp, onError: 'return' });
    const plain = await Connection.connect(tracker.host, tracker.port, { localAddress: allocHost() });
    expect((await ask(plain)).status).toBe(Errno.EACCES);
    plain.destroy();
    // A TLS client without a certificate does not get a session at all (tls_verify_client).
    await expect(Connection.connect(tracker.host, 22123, { tls: { ca: readFileSync(f('ca.pem')) } }).then(async (c) => {
      try {
        return await ask(c);
      } finally {
        c.destroy();
      }
    })).rejects.toThrow();
    const withCert = await Connection.connect(tracker.host, 22123, { tls: { ca: readFileSync(f('ca.pem')), cert: readFileSync(f('server.pem')), key: readFileSync(f('server.key')) } });
    expect((await ask(withCert)).status).toBe(0);
    withCert.destroy();
  });
});
