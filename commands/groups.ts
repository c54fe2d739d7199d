// `fdfs groups`: the tracker's groups as a table (src/cli/cluster-list.ts).
import { Args } from '@oclif/core';
import { FdfsCommand } from '../src/cli/base-command.js';
import { formatGroups, listGroupStats } from '../src/cli/cluster-list.js';
import type { GroupStat } from '../src/protocol/tracker-list.js';

export default class Groups extends FdfsCommand {
  static override summary = 'List the storage groups the tracker knows, with their space and storage counts.';
  static override examples = ['<%= config.bin %> groups', '<%= config.bin %> groups group1 --json'];
  static override args = { group: Args.string({ description: 'only this group' }) };

  async run(): Promise<{ groups: GroupStat[] }> {
    const { args, flags } = await this.parse(Groups);
    const client = await this.clientFor(flags);
    const groups = await listGroupStats(client, args.group);
    this.log(formatGroups(groups));
    return { groups };
  }
}
