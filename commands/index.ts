// Explicit oclif command map (topics use ':' ids, shown with spaces).
import type { Command } from '@oclif/core';
import { commands as helpCommands } from '@oclif/plugin-help';
import Upload from './upload.js';
import Download from './download.js';
import Delete from './delete.js';
import Info from './info.js';
import MetaGet from './meta/get.js';
import MetaSet from './meta/set.js';

export const COMMANDS: Record<string, Command.Class> = {
  ...helpCommands,
  upload: Upload,
  download: Download,
  delete: Delete,
  info: Info,
  'meta:get': MetaGet,
  'meta:set': MetaSet,
};
