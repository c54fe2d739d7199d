// Entry of the one-file bundle (dist/fdfs.cjs) inside the single executable: there is no commands file on
// disk for oclif to import, so it gets a root plugin whose commands are already loaded (pinned @oclif/core 4.14.0:
// `commandCache` is an internal of Plugin; test/integration/binary.test.ts runs the result).
import path from 'node:path';
import { Plugin, flush, handle, run, settings } from '@oclif/core';
import { COMMANDS } from '../commands/index.js';
import pjson from '../package.json';

async function main(): Promise<void> {
  settings.enableAutoTranspile = false;
  const root = path.dirname(process.execPath);
  const plugin = new Plugin({ root, pjson: pjson as never, isRoot: true, ignoreManifest: true });
  (plugin as unknown as { commandCache: typeof COMMANDS }).commandCache = COMMANDS;
  await plugin.load();
  await run(process.argv.slice(2), { root, pjson: plugin.pjson, plugins: new Map([[plugin.name, plugin]]) } as never);
  await flush();
}

main().catch(async (err) => handle(err));
