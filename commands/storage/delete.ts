// `fdfs storage delete`: remove a stopped storage from its group on every tracker.
import { Args } from '@oclif/core';
import { FdfsCommand } from '../../src/cli/base-command.js';

export default class StorageDelete extends FdfsCommand {
  static override summary = 'Remove a storage server from its group on every tracker (it must be stopped first).';
  static override description = 'Like fdfs_monitor … delete: refused with EBUSY while any tracker sees the storage ONLINE or ACTIVE. A deleted storage that starts again rejoins as a new member and copies the group\'s files.';
  static override examples = ['<%= config.bin %> storage delete group1 192.168.0.12', '<%= config.bin %> storage delete group1 100002'];
  static override args = {
    group: Args.string({ description: 'group name', required: true }),
    storageId: Args.string({ description: 'storage id (its IP without storage ids)', required: true }),
  };

  async run(): Promise<{ group: string; storageId: string; deleted: boolean }> {
    const { args, flags } = await this.parse(StorageDelete);
    const client = await this.clientFor(flags);
    await client.deleteStorage(args.group, args.storageId);
    this.log(`deleted storage ${args.storageId} from ${args.group}`);
    return { group: args.group, storageId: args.storageId, deleted: true };
  }
}
