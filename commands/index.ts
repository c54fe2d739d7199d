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
import Token from './token.js';
import Append from './append.js';
import Modify from './modify.js';
import Truncate from './truncate.js';
import Regenerate from './regenerate.js';
import Link from './link.js';
import Exists from './exists.js';
import Groups from './groups.js';
import Storages from './storages.js';
import StorageDelete from './storage/delete.js';
import StorageTrunk from './storage/trunk.js';
import GroupDelete from './group/delete.js';
import Leader from './leader.js';
import Init from './init.js';
import Monitor from './monitor.js';
import Ls from './ls.js';
import Verify from './verify.js';
import KeyCreate from './key/create.js';
import KeyRotate from './key/rotate.js';
import KeyRetire from './key/retire.js';
import KeyList from './key/list.js';
import KeyCluster from './key/cluster.js';

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
  token: Token,
  append: Append,
  modify: Modify,
  truncate: Truncate,
  regenerate: Regenerate,
  link: Link,
  exists: Exists,
  groups: Groups,
  storages: Storages,
  'storage:delete': StorageDelete,
  'storage:trunk': StorageTrunk,
  'group:delete': GroupDelete,
  leader: Leader,
  init: Init,
  monitor: Monitor,
  ls: Ls,
  verify: Verify,
  'key:create': KeyCreate,
  'key:rotate': KeyRotate,
  'key:retire': KeyRetire,
  'key:list': KeyList,
  'key:cluster': KeyCluster,
};
