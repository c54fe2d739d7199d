// `fdfs serve` with no flags: tracker + storage in one process on 127.0.0.1, data in ./fdfs-data.
import { describe, it, expect, afterAll } from 'vitest';
import { existsSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { httpUrl } from '../../src/client/index.js';
import { ServerProcess, runCli } from '../helpers/proc.js';
import { allocHost, tempDir, waitFor } from '../helpers/cluster.js';
import { expectPlainFailure } from '../helpers/cli-expect.js';

const cwd = tempDir('fdfs-embedded-');
let server: ServerProcess | null = null;

afterAll(async () => {
  await server?.stop();
});

describe('embedded default', () => {
  it('is ready within 2 s, serves the CLI on the default ports, and exits cleanly on SIGINT', async () => {
    server = new ServerProcess('embedded', ['serve'], cwd);
    const t0 = Date.now();
    await server.start();
    const readyMs = Date.now() - t0;
    // Process start-up (node + oclif) included; the servers themselves take milliseconds.
    expect(readyMs).toBeLessThan(5000);
    expect(server.output).toContain('tracker listening on 127.0.0.1:22122');
    expect(server.output).toContain('storage group1 listening on 127.0.0.1:23000');

    // The storage registers in the background; the first upload may need to wait for it.
    const id = await waitFor('first upload', async () => {
      const up = await runCli(['upload', '-', '--ext', 'txt'], { input: 'hello embedded', cwd });
      return up.code === 0 ? up.stdout.trim() : null;
    }, 10_000, 200);
    expect(id).toMatch(/^group1\/M00\//);
    const down = await runCli(['download', id, '-'], { cwd });
    expect(down.stdout).toBe('hello embedded');
    expect(existsSync(path.join(cwd, 'fdfs-data'))).toBe(true);

    server.child!.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => server!.child!.once('exit', (c) => resolve(c)));
    expect(code).toBe(0);
  });

  it('keeps files across a restart', async () => {
    server = new ServerProcess('embedded-2', ['serve'], cwd);
    await server.start();
    const id = await waitFor('upload', async () => {
      const up = await runCli(['upload', '-', '--ext', 'txt'], { input: 'persisted', cwd });
      return up.code === 0 ? up.stdout.trim() : null;
    }, 10_000, 200);
    await server.stop();
    server = new ServerProcess('embedded-3', ['serve'], cwd);
    await server.start();
    const down = await waitFor('download after restart', async () => {
      const r = await runCli(['download', id, '-'], { cwd });
      return r.code === 0 ? r.stdout : null;
    }, 10_000, 200);
    expect(down).toBe('persisted');
  });
});

describe('serve flags', () => {
  it('--data-dir, --bind, --tracker-port, --storage-port and --group override the embedded default', async () => {
    const dir = tempDir('fdfs-flags-');
    const flagged = new ServerProcess('flags', ['serve', '--data-dir', path.join(dir, 'd'), '--bind', '127.0.0.7',
      '--tracker-port', '22199', '--storage-port', '23099', '--group', 'photos'], dir);
    try {
      await flagged.start();
      expect(flagged.output).toContain('tracker listening on 127.0.0.7:22199');
      expect(flagged.output).toContain('storage photos listening on 127.0.0.7:23099');
      const id = await waitFor('upload', async () => {
        const up = await runCli(['upload', '-', '--tracker', '127.0.0.7:22199'], { input: 'flags', cwd: dir });
        return up.code === 0 ? up.stdout.trim() : null;
      }, 10_000, 200);
      expect(id).toMatch(/^photos\/M00\//);
      expect(existsSync(path.join(dir, 'd', 'storage', 'data'))).toBe(true);
    } finally {
      await flagged.stop();
    }
  });
});

/** Whether something accepts TCP connections on host:port. */
function listening(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    s.setTimeout(2000, () => { s.destroy(); resolve(false); });
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

async function uploadVia(tracker: string, text: string, cwd: string): Promise<string> {
  return waitFor('upload', async () => {
    const up = await runCli(['upload', '-', '--ext', 'txt', '--tracker', tracker], { input: text, cwd });
    return up.code === 0 ? up.stdout.trim() : null;
  }, 10_000, 200);
}

describe('serve HTTP flags (issue 11 item 8)', () => {
  it('two embedded servers side by side on one address: each on its own HTTP ports, downloads through both', async () => {
    const host = allocHost();
    const dir = tempDir('fdfs-two-embedded-');
    const a = new ServerProcess('embedded-a', ['serve', '--bind', host, '--data-dir', path.join(dir, 'a')], dir);
    const b = new ServerProcess('embedded-b', ['serve', '--bind', host, '--data-dir', path.join(dir, 'b'), '--tracker-port', '22123',
      '--storage-port', '23001', '--tracker-http-port', '8081', '--storage-http-port', '8889'], dir);
    try {
      await a.start();
      await b.start();
      expect(a.output).toContain(`tracker HTTP entry on http://${host}:8080/`);
      expect(b.output).toContain(`tracker HTTP entry on http://${host}:8081/`);
      expect(b.output).toContain(`storage HTTP downloads on http://${host}:8889/`);
      const idA = await uploadVia(`${host}:22122`, 'from a', dir);
      const idB = await uploadVia(`${host}:22123`, 'from b', dir);
      expect(await (await fetch(`http://${host}:8888/${idA}`)).text()).toBe('from a');
      expect(await (await fetch(`http://${host}:8889/${idB}`)).text()).toBe('from b');
      // B's tracker entry redirects to B's gateway port, and the file comes back.
      const viaEntry = await fetch(`http://${host}:8081/${idB}`);
      expect(viaEntry.url).toBe(`http://${host}:8889/${idB}`);
      expect(await viaEntry.text()).toBe('from b');
      // Each tracker's web console shows its own cluster.
      expect(b.output).toContain(`tracker HTTP entry on http://${host}:8081/ (web console at /)`);
      const consoleB = await (await fetch(`http://${host}:8081/api/cluster`)).json() as { groups: Array<{ storages: Array<{ port: number }> }> };
      expect(consoleB.groups[0]!.storages.map((s) => s.port)).toEqual([23001]);
      // Its storage has no HTTP upload (no http.upload.secret): the console's upload says so.
      const noUpload = await fetch(`http://${host}:8081/api/upload`, { method: 'POST', body: 'x', headers: { Authorization: 'Bearer x' } });
      expect(noUpload.status).toBe(404);
      expect(await noUpload.text()).toMatch(/HTTP upload is not enabled on the storages/);
    } finally {
      await b.stop();
      await a.stop();
    }
  });

  it('--no-http: nothing listens on the HTTP ports; an HTTP port in use names the flag that moves it', async () => {
    const host = allocHost();
    const dir = tempDir('fdfs-no-http-');
    const quiet = new ServerProcess('no-http', ['serve', '--bind', host, '--data-dir', path.join(dir, 'q'), '--no-http'], dir);
    try {
      await quiet.start();
      await uploadVia(`${host}:22122`, 'no http', dir);
      expect(quiet.output).not.toContain('HTTP entry on');
      expect(await listening(host, 22122)).toBe(true);
      expect(await listening(host, 8080)).toBe(false);
      expect(await listening(host, 8888)).toBe(false);
      // 8080 taken by another process: a plain line naming the port and the flags, not a bare EADDRINUSE.
      const blocker = net.createServer().listen(8080, host);
      await new Promise((r) => blocker.once('listening', r));
      try {
        expectPlainFailure(await runCli(['serve', '--bind', host, '--data-dir', path.join(dir, 'r'), '--tracker-port', '22124',
          '--storage-port', '23002'], { cwd: dir, env: { FDFS_LOG_LEVEL: 'error' } }), 2, /^fdfs serve: the tracker HTTP port 8080 is already in use .*--tracker-http-port PORT.*--no-http$/);
      } finally {
        blocker.close();
      }
    } finally {
      await quiet.stop();
    }
  });

  it('--http-token-secret makes the gateway refuse downloads without a valid token; --http-upload-secret opens POST /upload', async () => {
    const host = allocHost();
    const dir = tempDir('fdfs-http-secrets-');
    const secret = 'flag-secret-123';
    const server = new ServerProcess('secrets', ['serve', '--bind', host, '--data-dir', path.join(dir, 's'), '--no-http',
      '--storage-http-port', '8890', '--http-token-secret', secret, '--http-token-ttl', '60', '--http-upload-secret', 'up-secret'], dir);
    try {
      await server.start();
      const id = await uploadVia(`${host}:22122`, 'guarded', dir);
      const base = `http://${host}:8890`;
      expect((await fetch(`${base}/${id}`)).status).toBe(403);
      expect((await fetch(httpUrl(id, { base, secret: 'wrong' }))).status).toBe(403);
      const ok = await fetch(httpUrl(id, { base, secret }));
      expect(ok.status).toBe(200);
      expect(await ok.text()).toBe('guarded');
      // The ttl flag counts: a token from two minutes ago is past 60 s.
      expect((await fetch(httpUrl(id, { base, secret, ts: Math.floor(Date.now() / 1000) - 120 }))).status).toBe(403);
      expect((await fetch(`${base}/upload?ext=txt`, { method: 'POST', body: 'x' })).status).toBe(401);
      const up = await fetch(`${base}/upload?ext=txt`, { method: 'POST', headers: { Authorization: 'Bearer up-secret' }, body: 'posted' });
      expect(up.status).toBe(200);
      const { fileId } = await up.json() as { fileId: string };
      expect(await (await fetch(httpUrl(fileId, { base, secret }))).text()).toBe('posted');
    } finally {
      await server.stop();
    }
    // Token flags without a gateway are refused in one line.
    expectPlainFailure(await runCli(['serve', '--bind', host, '--data-dir', path.join(dir, 't'), '--no-http', '--http-token-secret', 'x'], { cwd: dir }),
      2, /^fdfs serve: --http-token-secret: the storage's HTTP gateway is off \(no http\.server_port\): add --storage-http-port PORT$/);
  });
});
