// Entry of the one-file bundle (dist/fdfs.cjs), run by bin/run.js or inside the single executable: oclif imports no
// commands file from disk, it gets a root plugin whose commands are already loaded (pinned @oclif/core 4.14.0:
// `commandCache` is an internal of Plugin; test/integration/binary.test.ts runs the result).
import cluster from 'node:cluster';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Plugin, flush, handle, run, settings } from '@oclif/core';
import { COMMANDS } from '../commands/index.js';
import pjson from '../package.json';

function isSea(): boolean {
  try {
    return (createRequire(import.meta.url)('node:sea') as typeof import('node:sea')).isSea();
  } catch {
    return false;
  }
}

async function main(): Promise<void> {
  settings.enableAutoTranspile = false;
  // The executable's folder, or the package's (the bundle is its dist/fdfs.cjs).
  const root = isSea() ? path.dirname(process.execPath) : path.dirname(path.dirname(fileURLToPath(import.meta.url)));
  const plugin = new Plugin({ root, pjson: pjson as never, isRoot: true, ignoreManifest: true });
  (plugin as unknown as { commandCache: typeof COMMANDS }).commandCache = COMMANDS;
  await plugin.load();
  // A storage worker forked by the cluster module gets the executable's path again as its first argument.
  const args = process.argv.slice(2);
  if (cluster.isWorker && args[0] === process.execPath) args.shift();
  await run(args, { root, pjson: plugin.pjson, plugins: new Map([[plugin.name, plugin]]) } as never);
  await flush();
}

main().catch(async (err) => handle(err));
