// The package installs as README documents: `npm pack`, then a global install puts `fdfs` on PATH, and a
// project install lets `import { FdfsClient } from 'fdfs-ts'` reach a running server.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { ROOT, ServerProcess } from '../helpers/proc.js';
import { allocHost, tempDir, waitFor } from '../helpers/cluster.js';
import { FdfsClient } from '../../src/client/index.js';
import { StorageStatus } from '../../src/protocol/codes.js';

const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string };
const npmQuiet = ['--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'];

function npm(args: string[], cwd: string): string {
  return execFileSync('npm', args, { cwd, encoding: 'utf8', timeout: 180_000, stdio: ['ignore', 'pipe', 'pipe'] });
}

describe.skipIf(!!process.env.FDFS_BIN)('npm package', () => {
  let dir: string;
  let tarball: string;

  beforeAll(() => {
    dir = tempDir('fdfs-pack-');
    // dist/ is already built by `npm test`; the prepare script would only rebuild it.
    const packed = JSON.parse(npm(['pack', '--ignore-scripts', '--json', '--pack-destination', dir], ROOT)) as Array<{ filename: string }>;
    tarball = path.join(dir, packed[0].filename);
  }, 120_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('holds the runtime files and the license, not the single executable', () => {
    const files = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).split('\n');
    expect(pkg.name).toBe('fdfs-ts');
    expect((pkg as { private?: boolean }).private, 'a private package cannot be published').toBeUndefined();
    expect(files).toContain('package/LICENSE');
    expect(files).toContain('package/bin/run.js');
    expect(files).toContain('package/dist/commands/index.js');
    expect(files).toContain('package/dist/src/client/index.js');
    expect(files).toContain('package/dist/src/client/index.d.ts');
    expect(files.some((f) => f === 'package/dist/fdfs' || f.startsWith('package/test/') || f.startsWith('package/src/'))).toBe(false);
  });

  it('npm i -g puts a working fdfs on PATH', () => {
    const prefix = path.join(dir, 'global');
    npm(['install', '-g', '--prefix', prefix, ...npmQuiet, tarball], dir);
    const version = execFileSync(path.join(prefix, 'bin', 'fdfs'), ['--version'], { encoding: 'utf8' });
    expect(version).toContain(`${pkg.name}/${pkg.version}`);
  }, 180_000);

  it('a project that depends on it imports the client and talks to a server', async () => {
    const project = path.join(dir, 'app');
    mkdirSync(project);
    writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', type: 'module', private: true }));
    npm(['install', ...npmQuiet, tarball], project);

    const host = allocHost();
    const server = new ServerProcess(`embedded ${host}`, [
      'serve', '--bind', host, '--data-dir', path.join(dir, 'data'),
      '--tracker-port', '22122', '--storage-port', '23000',
    ]);
    try {
      await server.start();
      const probe = new FdfsClient({ trackers: [`${host}:22122`] });
      await waitFor('the embedded storage ACTIVE', async () => (await probe.listStorages('group1').catch(() => []))[0]?.status === StorageStatus.Active)
        .finally(() => probe.close());
      writeFileSync(path.join(project, 'main.js'), [
        "import { FdfsClient } from 'fdfs-ts';",
        `const fdfs = new FdfsClient({ trackers: ['${host}:22122'] });`,
        "const id = await fdfs.upload(Buffer.from('hello from a dependent project'), { ext: 'txt' });",
        'const back = await fdfs.downloadToBuffer(id);',
        'console.log(id, back.toString());',
        'fdfs.close();',
      ].join('\n'));
      const out = execFileSync(process.execPath, ['main.js'], { cwd: project, encoding: 'utf8', timeout: 30_000 });
      expect(out).toMatch(/^group1\/M00\/[0-9A-F]{2}\/[0-9A-F]{2}\/\S+\.txt hello from a dependent project\n$/);
    } finally {
      await server.stop();
    }
  }, 180_000);
});
