// `fdfs group delete`: remove an empty group from every tracker.
import { Args } from '@oclif/core';
import { FdfsCommand } from '../../src/cli/base-command.js';

export default class GroupDelete extends FdfsCommand {
  static override summary = 'Remove an empty group from every tracker (EBUSY while it has storages).';
  static override examples = ['<%= config.bin %> group delete group9'];
  static override args = { group: Args.string({ description: 'group name', required: true }) };

  async run(): Promise<{ group: string; deleted: boolean }> {
    const { args, flags } = await this.parse(GroupDelete);
    const client = await this.clientFor(flags);
    await client.deleteGroup(args.group);
    this.log(`deleted group ${args.group}`);
    return { group: args.group, deleted: true };
  }
}
