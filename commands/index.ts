// Explicit oclif command map (topics use ':' ids, shown with spaces).
import type { Command } from '@oclif/core';
import { commands as helpCommands } from '@oclif/plugin-help';
import Serve from './serve.js';
import Upload from './upload.js';
import Download from './download.js';
import Delete from './delete.js';
import Info from './info.js';
import MetaGet from './meta/get.js';
import MetaSet from './meta/set.js';
import Bench from './bench.js';

export const COMMANDS: Record<string, Command.Class> = {
  ...helpCommands,
  serve: Serve,
  upload: Upload,
  download: Download,
  delete: Delete,
  info: Info,
  'meta:get': MetaGet,
  'meta:set': MetaSet,
  bench: Bench,
};
