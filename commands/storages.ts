// `fdfs storages`: storage servers of one or every group as a table (src/cli/cluster-list.ts).
import { Args } from '@oclif/core';
import { FdfsCommand } from '../src/cli/base-command.js';
import { formatStorages, listStorageRecords, storageJson, type StorageJson } from '../src/cli/cluster-list.js';

export default class Storages extends FdfsCommand {
  static override summary = 'List storage servers (of one group, or of all groups) with status, space and upload count.';
  static override examples = ['<%= config.bin %> storages', '<%= config.bin %> storages group1', '<%= config.bin %> storages group1 100001 --json'];
  static override args = {
    group: Args.string({ description: 'only this group' }),
    storageId: Args.string({ description: 'only this storage (its id, or its IP without storage ids)' }),
  };

  async run(): Promise<{ storages: Array<{ group: string; storage: StorageJson }> }> {
    const { args, flags } = await this.parse(Storages);
    const client = await this.clientFor(flags);
    const storages = await listStorageRecords(client, args.group, args.storageId);
    this.log(formatStorages(storages));
    return { storages: storages.map(({ group, storage }) => ({ group, storage: storageJson(storage) })) };
  }
}
