// Issue 14: authenticated connections and the cluster secret with real processes. One cluster: two trackers
// and a two-member group1, auth_policy = required everywhere; 127.0.0.1 (where the stock tools and the direct
// helpers connect from) is a legacy host on T1 and the storages, not on T2. Our clients bind other addresses.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { randomBytes } from 'node:crypto';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { FdfsClient } from '../../src/client/index.js';
import { Errno, StatusError } from '../../src/errors.js';
import { Connection } from '../../src/net/connection.js';
import { CommonCmd, StorageCmd, TrackerCmd } from '../../src/protocol/codes.js';
import { encodeGetMyIpRequest } from '../../src/protocol/join.js';
import { encodeDeleteStorageRequest } from '../../src/protocol/tracker-list.js';
import { encodeHeader } from '../../src/protocol/header.js';
import { splitFileId } from '../../src/protocol/file-id.js';
import { encodeSyncDeleteRequest } from '../../src/protocol/sync.js';
import { keyAuthenticator } from '../../src/security/client-auth.js';
import { loadClientKey, newSecret } from '../../src/security/keys.js';
import {
  allocHost, startStorage, startTracker, stopAll, tempDir, waitAllActive, waitFor, type StorageHandle, type TrackerHandle,
} from '../helpers/cluster.js';
import { downloadAt, fileInfoAt, outcomeOf } from '../helpers/storage-direct.js';
import { runCli } from '../helpers/proc.js';

const STOCK_UPLOAD = '/usr/bin/fdfs_upload_file';
const haveStock = existsSync(STOCK_UPLOAD);

const dir = tempDir('fdfs-sec-');
const secrets = { writer: newSecret(), reader: newSecret(), other: newSecret(), admin: newSecret(), cluster: newSecret() };
const keysFile = path.join(dir, 'keys.conf');
const clusterFile = path.join(dir, 'cluster.secret');
const keyFile = (id: keyof typeof secrets, secret = secrets[id]) => {
  const f = path.join(dir, `${id}-${secret.slice(0, 6)}.key`);
  writeFileSync(f, `${id} ${secret}\n`);
  return f;
};
const key = (id: keyof typeof secrets, secret = secrets[id]) => ({ id, secret: Buffer.from(secret, 'hex') });

let t1: TrackerHandle;
let t2: TrackerHandle;
let s1: StorageHandle;
let s2: StorageHandle;
let rogue: StorageHandle | undefined;
const clients: FdfsClient[] = [];

function client(k?: keyof typeof secrets, secret?: string, tracker = t1): FdfsClient {
  const c = new FdfsClient({ trackers: [tracker.address], key: k ? key(k, secret) : undefined, localAddress: allocHost(), unavailableWait: 1 });
  clients.push(c);
  return c;
}

beforeAll(async () => {
  writeFileSync(keysFile, [
    '# KEY_ID RIGHTS SECRET',
    `writer group1:upload,download,metadata ${secrets.writer}`,
    `reader group1:download ${secrets.reader}`,
    `other group2:all ${secrets.other}`,
    `admin *:all ${secrets.admin}`,
  ].join('\n') + '\n');
  writeFileSync(clusterFile, `${secrets.cluster}\n`);
  const common = { auth_policy: 'required', auth_keys_file: keysFile, cluster_secret_file: clusterFile };
  t1 = await startTracker({ conf: { ...common, auth_legacy_hosts: '127.0.0.1' } });
  t2 = await startTracker({ conf: common });
  const storageConf = { ...common, auth_legacy_hosts: '127.0.0.1' };
  s1 = await startStorage({ trackers: [t1.address, t2.address], conf: storageConf });
  s2 = await startStorage({ trackers: [t1.address, t2.address], conf: storageConf });
  await waitAllActive(client('admin'), [s1, s2]);
}, 60_000);

afterAll(async () => {
  for (const c of clients) c.close();
  await stopAll([rogue, s1, s2, t1, t2]);
});

describe('keys and rights', () => {
  it('a key does what its rights allow, and is refused the rest with EACCES', async () => {
    const data = randomBytes(3000);
    const writer = client('writer');
    const id = await writer.upload(data, { ext: 'bin', metadata: { a: '1' } });
    expect((await writer.downloadToBuffer(id)).equals(data)).toBe(true);
    await writer.setMetadata(id, { b: '2' }, 'merge');
    expect(await outcomeOf(writer.delete(id))).toBe(Errno.EACCES);

    const reader = client('reader');
    expect((await reader.downloadToBuffer(id)).equals(data)).toBe(true);
    expect(await outcomeOf(reader.upload(randomBytes(10)))).toBe(Errno.EACCES);
    expect(await outcomeOf(reader.setMetadata(id, { c: '3' }, 'merge'))).toBe(Errno.EACCES);

    // Upload rights in group2 only: the tracker hands out group1, the storage refuses.
    expect(await outcomeOf(client('other').upload(randomBytes(10), { group: 'group1' }))).toBe(Errno.EACCES);

    const admin = client('admin');
    await admin.delete(id);
    await waitFor('delete replicated', async () => (await fileInfoAt(s2.address, id)) === null && (await fileInfoAt(s1.address, id)) === null);
  });

  it('no key, or a wrong secret, is refused; the refused connection keeps working', async () => {
    expect(await outcomeOf(client().upload(randomBytes(10)))).toBe(Errno.EACCES);
    const wrong = client('writer', newSecret());
    const err = await wrong.upload(randomBytes(10)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StatusError);
    expect((err as StatusError).errno).toBe(Errno.EACCES);
    expect((err as Error).message).toMatch(/refused key "writer"/);

    const c = await Connection.connect(s1.host, s1.port, { connectTimeout: 5, networkTimeout: 10, localAddress: allocHost() });
    try {
      const head = Buffer.alloc(15);
      expect(await outcomeOf(c.call(Buffer.concat([encodeHeader(15 + 4, StorageCmd.UploadFile), head, Buffer.from('data')]), { cmd: StorageCmd.UploadFile }))).toBe(Errno.EACCES);
      await c.call(encodeHeader(0, CommonCmd.ActiveTest), { cmd: CommonCmd.ActiveTest, maxBody: 0 });
      // The same connection can still authenticate and then upload.
      expect(await keyAuthenticator(key('writer'))(c)).toBe(true);
    } finally {
      c.destroy();
    }
  });

  it('admin commands on the tracker need the admin right', async () => {
    const writer = client('writer');
    const c = await Connection.connect(t1.host, t1.port, { connectTimeout: 5, networkTimeout: 10, localAddress: allocHost() });
    try {
      expect(await keyAuthenticator(key('writer'))(c)).toBe(true);
      expect((await c.call(encodeDeleteStorageRequest('group1', '10.9.9.9'), { cmd: TrackerCmd.ServerDeleteStorage, onError: 'return' })).status).toBe(Errno.EACCES);
      expect(await keyAuthenticator(key('admin'))(c)).toBe(true);
      // Allowed now: the tracker itself answers (no such storage).
      expect((await c.call(encodeDeleteStorageRequest('group1', '10.9.9.9'), { cmd: TrackerCmd.ServerDeleteStorage, onError: 'return' })).status).not.toBe(Errno.EACCES);
    } finally {
      c.destroy();
    }
    expect((await writer.listGroups()).map((g) => g.groupName)).toEqual(['group1']);
  });

  it('the CLI authenticates with --key-file and says plainly when refused', async () => {
    const file = path.join(dir, 'cli.txt');
    writeFileSync(file, 'hello');
    const up = await runCli(['upload', file, '-t', t1.address, '--key-file', keyFile('writer'), '-q']);
    expect(up.code, up.stderr).toBe(0);
    const id = up.stdout.trim();
    const del = await runCli(['delete', id, '-t', t2.address, '--key-file', keyFile('writer')]);
    expect(del.code).not.toBe(0);
    expect(del.stderr).toMatch(/permission denied \(EACCES\) — the server refused this: use a key that allows it/);
    const ok = await runCli(['delete', id, '-t', t2.address, '--key-file', keyFile('admin')]);
    expect(ok.code, ok.stderr).toBe(0);
  });
});

describe('key rotation on running servers (no restart)', () => {
  it('after rotate both secrets work; after retire only the new one', async () => {
    const newKey = path.join(dir, 'reader-new.key');
    const r = await runCli(['key', 'rotate', 'reader', '--keys-file', keysFile, '--out', newKey]);
    expect(r.code, r.stderr).toBe(0);
    const data = randomBytes(100);
    const id = await client('admin').upload(data);
    const fresh = loadClientKey(newKey).secret.toString('hex');
    const read = (secret: string) => client('reader', secret, t2).downloadToBuffer(id);
    expect((await read(fresh)).equals(data)).toBe(true);
    expect((await read(secrets.reader)).equals(data)).toBe(true);
    expect((await runCli(['key', 'retire', 'reader', '--keys-file', keysFile])).code).toBe(0);
    expect((await read(fresh)).equals(data)).toBe(true);
    const old = await read(secrets.reader).catch((e: unknown) => e);
    expect((old as Error).message).toMatch(/refused key "reader"/);
  });
});

describe.skipIf(!haveStock)(`stock C tools${haveStock ? '' : ` (skipped: ${STOCK_UPLOAD} missing)`}`, () => {
  const stockConf = (tracker: TrackerHandle) => {
    const f = path.join(dir, `client-${tracker.host}.conf`);
    writeFileSync(f, `base_path = ${dir}\ntracker_server = ${tracker.address}\nconnect_timeout = 5\nnetwork_timeout = 10\nlog_level = warn\n`);
    return f;
  };

  it('work from a legacy host (T1) and are refused by a tracker that does not list it (T2)', () => {
    const file = path.join(dir, 'stock.txt');
    writeFileSync(file, 'stock content');
    const id = execFileSync(STOCK_UPLOAD, [stockConf(t1), file], { encoding: 'utf8', timeout: 15_000 }).trim();
    expect(id).toMatch(/^group1\/M00\//);
    const out = path.join(dir, 'stock.out');
    execFileSync('/usr/bin/fdfs_download_file', [stockConf(t1), id, out], { timeout: 15_000 });
    execFileSync('/usr/bin/fdfs_delete_file', [stockConf(t1), id], { timeout: 15_000 });
    const refused = spawnSync(STOCK_UPLOAD, [stockConf(t2), file], { encoding: 'utf8', timeout: 15_000 });
    expect(refused.status).not.toBe(0);
  });
});

describe('cluster secret', () => {
  it('a server warns when a secrets file is readable by other users (these were written 0644)', () => {
    expect(t1.proc.output).toMatch(/secrets file readable by other users: chmod 600 it/);
  });

  it('servers prove it to each other: replication runs', async () => {
    const data = randomBytes(5000);
    const id = await client('writer').upload(data);
    for (const s of [s1, s2]) await waitFor(`replica on ${s.address}`, async () => (await fileInfoAt(s.address, id)) !== null);
    expect((await downloadAt(s2.address, id)).equals(data)).toBe(true);
  });

  it('a storage with the wrong secret cannot join', async () => {
    const wrongFile = path.join(dir, 'wrong.secret');
    writeFileSync(wrongFile, `${newSecret()}\n`);
    rogue = await startStorage({ trackers: [t1.address], conf: { auth_policy: 'optional', auth_keys_file: keysFile, cluster_secret_file: wrongFile } });
    await waitFor('the rogue refused', async () => /refused this server's cluster secret/.test(rogue!.proc.output));
    const storages = await client('admin').listStorages('group1');
    expect(storages.map((s) => s.ipAddr)).not.toContain(rogue.host);
  });

  it('a host without the secret cannot use the storage↔tracker commands (GET_MY_IP), even with an admin key', async () => {
    const c = await Connection.connect(t1.host, t1.port, { connectTimeout: 5, networkTimeout: 10, localAddress: allocHost() });
    try {
      const ask = () => c.call(encodeGetMyIpRequest({ group: 'group1', storagePort: 23000 }), { cmd: TrackerCmd.StorageGetMyIp, onError: 'return' });
      expect((await ask()).status).toBe(Errno.EACCES);
      expect(await keyAuthenticator(key('admin'))(c)).toBe(true);
      expect((await ask()).status).toBe(Errno.EACCES);
    } finally {
      c.destroy();
    }
  });

  it('rotates without a restart: fdfs key cluster, SIGHUP, then --retire and SIGHUP; the old secret is then refused', async () => {
    const old = Buffer.from(secrets.cluster, 'hex');
    const servers = [t1, t2, s1, s2];
    const reloads = (p: { proc: { output: string } }) => (p.proc.output.match(/cluster secret reloaded/g) ?? []).length;
    const hup = async (round: number) => {
      for (const sv of servers) sv.proc.child!.kill('SIGHUP');
      await waitFor(`reload ${round} everywhere`, async () => servers.every((sv) => reloads(sv) >= round));
    };
    expect((await runCli(['key', 'cluster', clusterFile])).code).toBe(0);
    await hup(1);
    const proves = async (secret: Buffer) => {
      const c = await Connection.connect(s1.host, s1.port, { localAddress: allocHost() });
      try {
        return await keyAuthenticator({ id: 'cluster', secret })(c).then(() => 'ok', (e: StatusError) => e.errno);
      } finally {
        c.destroy();
      }
    };
    expect(await proves(old)).toBe('ok');
    expect((await runCli(['key', 'cluster', clusterFile, '--retire'])).code).toBe(0);
    await hup(2);
    expect(await proves(old)).toBe(Errno.EACCES);
    const data = randomBytes(800);
    const id = await client('writer').upload(data);
    for (const s of [s1, s2]) await waitFor(`replica on ${s.address}`, async () => (await fileInfoAt(s.address, id)) !== null);
  });

  it('a host without the secret cannot push (sync delete) to a storage, with or without a handshake', async () => {
    const data = randomBytes(1000);
    const id = await client('writer').upload(data);
    await waitFor('replica on s2', async () => (await fileInfoAt(s2.address, id)) !== null);
    const { group, logical } = splitFileId(id);
    const c = await Connection.connect(s2.host, s2.port, { connectTimeout: 5, networkTimeout: 10, localAddress: allocHost() });
    try {
      const push = () => c.call(encodeSyncDeleteRequest({ timestamp: 1, group, filename: logical }), { cmd: StorageCmd.SyncDeleteFile, maxBody: 0, onError: 'return' });
      expect((await push()).status).toBe(Errno.EACCES);
      const wrong = await keyAuthenticator({ id: 'cluster', secret: randomBytes(32) })(c).catch((e: unknown) => e);
      expect((wrong as StatusError).errno).toBe(Errno.EACCES);
      // Even a valid client key is not a server.
      expect(await keyAuthenticator(key('admin'))(c)).toBe(true);
      expect((await push()).status).toBe(Errno.EACCES);
    } finally {
      c.destroy();
    }
    expect((await downloadAt(s2.address, id)).equals(data)).toBe(true);
  });
});
