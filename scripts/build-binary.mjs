#!/usr/bin/env node
// npm run build:binary: the one-file bundle (build-bundle.mjs), then dist/fdfs, a Node single executable
// application: a copy of this node with the bundle injected (postject, sentinel fuse).
import { execFileSync } from 'node:child_process';
import { copyFileSync, chmodSync, existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const bundle = path.join(dist, 'fdfs.cjs');
const blob = path.join(dist, 'fdfs.blob');
const seaConfig = path.join(dist, 'sea-config.json');
const exe = path.join(dist, 'fdfs');
const FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';
const step = (what) => process.stderr.write(`build:binary: ${what}\n`);
const t0 = Date.now();

mkdirSync(dist, { recursive: true });
step('bundling with esbuild');
execFileSync(process.execPath, [path.join(root, 'scripts/build-bundle.mjs')], { stdio: 'inherit' });
step(`bundle ${(statSync(bundle).size / 1e6).toFixed(2)} MB`);

// The C fast path rides along as an asset (src/native/fastpath.ts writes it out and loads it).
execFileSync(process.execPath, [path.join(root, 'scripts/build-native.mjs')], { stdio: 'inherit' });
const addon = path.join(root, 'native/build/Release/fdfs_fastpath.node');
const assets = existsSync(addon) ? { 'fdfs_fastpath.node': addon } : {};
if (!existsSync(addon)) step('no C fast path built: the executable runs without it');
step('making the SEA blob');
writeFileSync(seaConfig, JSON.stringify({ main: bundle, output: blob, disableExperimentalSEAWarning: true, assets }, null, 2));
execFileSync(process.execPath, ['--experimental-sea-config', seaConfig], { stdio: 'pipe' });

step(`copying ${process.execPath}`);
rmSync(exe, { force: true });
copyFileSync(process.execPath, exe);
chmodSync(exe, 0o755);
// Injecting into a binary that still has its symbol table fails on some builds: strip it first.
try {
  execFileSync('strip', [exe], { stdio: 'inherit' });
} catch {
  step('strip not available, going on with the unstripped copy');
}
step('injecting with postject');
const postject = path.join(root, 'node_modules/postject/dist/cli.js');
try {
  // postject warns about every ELF note it cannot name; only a failure is worth showing.
  execFileSync(process.execPath, [postject, exe, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', FUSE], { stdio: 'pipe' });
} catch (err) {
  process.stderr.write(`${err.stdout ?? ''}${err.stderr ?? ''}`);
  throw err;
}
rmSync(blob, { force: true });
rmSync(seaConfig, { force: true });
step(`dist/fdfs ${(statSync(exe).size / 1e6).toFixed(1)} MB in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
