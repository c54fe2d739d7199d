// `fdfs link`: a second file ID for stored content (20 CREATE_LINK).
import { Args, Flags } from '@oclif/core';
import { FdfsCommand } from '../src/cli/base-command.js';

export default class Link extends FdfsCommand {
  static override summary = 'Give a stored file a second file ID (a link, 20 CREATE_LINK); prints the new ID.';
  static override description = 'The link shares the content of SOURCE and lives on its storage. With --slave-of and --prefix it is '
    + 'named as that master\'s slave (master and source on the same storage and store path), otherwise it gets a new name. '
    + 'Deleting the link leaves the source.';
  static override examples = [
    '<%= config.bin %> link group1/M00/00/00/wKgFSFvAem6AfpJXAAA2FXv_nRs556.jpg',
    '<%= config.bin %> link group1/M00/00/00/wKgFSGE0xmuEOhDaAAAAAKfH9Eo215.jpg --slave-of group1/M00/00/00/wKgFSFvAem6AfpJXAAA2FXv_nRs556.jpg --prefix _big',
  ];
  static override args = { source: Args.string({ description: 'file ID of the content', required: true }) };
  static override flags = {
    'slave-of': Flags.string({ summary: 'Name the link as a slave of this master file ID.', dependsOn: ['prefix'] }),
    prefix: Flags.string({ summary: 'Slave prefix, e.g. _big (with --slave-of).', dependsOn: ['slave-of'] }),
    ext: Flags.string({ summary: 'Extension of the link\'s name, without the dot; "" for none (default: the master\'s with --slave-of, else the source\'s).' }),
  };

  async run(): Promise<{ source: string; fileId: string }> {
    const { args, flags } = await this.parse(Link);
    const client = await this.clientFor(flags);
    const fileId = await client.createLink(args.source, { masterId: flags['slave-of'], prefix: flags.prefix, ext: flags.ext });
    this.log(fileId);
    return { source: args.source, fileId };
  }
}
