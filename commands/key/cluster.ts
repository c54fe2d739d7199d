// `fdfs key cluster`: create or rotate the cluster secret file (cluster_secret_file).
import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../src/cli/base-command.js';
import { clusterSecret } from '../../src/cli/keys.js';

export default class KeyCluster extends BaseCommand {
  static override summary = 'Create the cluster secret file, or rotate it (the old secret stays accepted until --retire).';
  static override description = 'Every fdfs tracker and storage gets the same file as cluster_secret_file. To rotate: run this, copy the file to every server and restart them one by one, then run it with --retire and copy again.';
  static override examples = [
    '<%= config.bin %> key cluster /etc/fdfs/cluster.secret',
    '<%= config.bin %> key cluster /etc/fdfs/cluster.secret --retire',
  ];
  static override args = { file: Args.string({ description: 'cluster secret file', required: true }) };
  static override flags = { retire: Flags.boolean({ summary: 'Drop the previous secret (after every server has the new file).' }) };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(KeyCluster);
    const r = clusterSecret(args.file, flags.retire);
    this.log(r.created ? `Created ${args.file}.` : `${args.file}: ${r.activeSecrets === 2 ? 'new secret first, the previous one still accepted' : 'only the newest secret is accepted now'}.`);
  }
}
