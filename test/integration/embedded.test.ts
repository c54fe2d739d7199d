// `fdfs serve` with no flags: tracker + storage in one process on 127.0.0.1, data in ./fdfs-data.
import { describe, it, expect, afterAll } from 'vitest';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ServerProcess, runCli } from '../helpers/proc.js';
import { tempDir, waitFor } from '../helpers/cluster.js';

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
