#!/usr/bin/env node
// npm run build: compiles native/fastpath.c (node-gyp, against the Node headers npm is set to use) unless the
// addon is newer than its sources. Without a compiler fdfs still runs, on its JavaScript paths: a warning then.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const native = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'native');
const addon = path.join(native, 'build', 'Release', 'fdfs_fastpath.node');
const sources = readdirSync(native).filter((f) => /\.(c|h|gyp)$/.test(f)).map((f) => path.join(native, f));

const fresh = existsSync(addon) && sources.every((s) => statSync(s).mtimeMs <= statSync(addon).mtimeMs);
if (!fresh) {
  try {
    // npm puts its own node-gyp on PATH for scripts. Headers: npm's nodedir, else the ones installed beside
    // this node (node-gyp would download them, and build machines may have no route to nodejs.org).
    const args = ['rebuild', '--directory', native];
    const local = path.resolve(path.dirname(process.execPath), '..');
    if (!process.env.npm_config_nodedir && existsSync(path.join(local, 'include', 'node', 'node_api.h'))) args.push(`--nodedir=${local}`);
    execFileSync('node-gyp', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (err) {
    process.stderr.write(`${err.stderr ?? err.message}\n`);
    process.stderr.write('build-native: the C fast path did not build; fdfs will run without it\n');
    process.exit(process.env.FDFS_NATIVE_REQUIRED === '1' ? 1 : 0);
  }
}
