// `fdfs storage trunk`: trunk file usage and fragmentation of a storage, read from its disk.
import { Args } from '@oclif/core';
import { BaseCommand } from '../../src/cli/base-command.js';
import { loadStorageConfig } from '../../src/config/index.js';
import { printTrunkUsage, trunkUsage, type TrunkUsage } from '../../src/cli/trunk-usage.js';

export default class StorageTrunk extends BaseCommand {
  static override summary = 'Show a storage\'s trunk files: space, free space and fragmentation per store path.';
  static override description = 'Reads the storage\'s own disk (storage.conf, its trunk binlog and trunk files); no server is asked. Fragmentation is 1 − largest free block / free space.';
  static override examples = ['<%= config.bin %> storage trunk /etc/fdfs/storage.conf', '<%= config.bin %> storage trunk /etc/fdfs/storage.conf --json'];
  static override enableJsonFlag = true;
  static override args = {
    storageConf: Args.string({ description: 'the storage\'s storage.conf', required: true }),
  };

  async run(): Promise<TrunkUsage> {
    const { args } = await this.parse(StorageTrunk);
    const usage = trunkUsage(loadStorageConfig(args.storageConf));
    this.log(printTrunkUsage(usage));
    return usage;
  }
}
