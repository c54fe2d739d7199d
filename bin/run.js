#!/usr/bin/env node
// oclif entry only. The one-file bundle that `npm run build` writes last (dist/fdfs.cjs) starts in about half the
// time of the compiled tree: it runs when it is newer than the tree, the tree otherwise (a `tsc` alone since).
import { statSync } from 'node:fs';
import { createRequire } from 'node:module';

process.env.OCLIF_DISABLE_ENGINE_WARNING ??= 'true';
const mtime = (rel) => statSync(new URL(rel, import.meta.url), { throwIfNoEntry: false })?.mtimeMs ?? 0;
const bundle = mtime('../dist/fdfs.cjs');
if (bundle > 0 && bundle >= mtime('../dist/commands/index.js') && process.env.FDFS_BUNDLE !== '0') {
  createRequire(import.meta.url)('../dist/fdfs.cjs');
} else {
  const { execute, settings } = await import('@oclif/core');
  // fdfs always runs its compiled dist/, whatever NODE_ENV says.
  settings.enableAutoTranspile = false;
  await execute({ dir: import.meta.url });
}
