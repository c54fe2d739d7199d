// `fdfs meta get`: a file's metadata as key=value lines.
import { Args } from '@oclif/core';
import { FdfsCommand } from '../../src/cli/base-command.js';

export default class MetaGet extends FdfsCommand {
  static override summary = 'Print the metadata of a file as key=value lines.';
  static override examples = ['<%= config.bin %> meta get group1/M00/00/00/wKgFSFvAem6AfpJXAAA2FXv_nRs556.jpg'];
  static override args = { fileId: Args.string({ description: 'file ID', required: true }) };

  async run(): Promise<{ fileId: string; metadata: Record<string, string> }> {
    const { args, flags } = await this.parse(MetaGet);
    const client = await this.clientFor(flags);
    const metadata = await client.getMetadata(args.fileId);
    for (const [k, v] of Object.entries(metadata)) this.log(`${k}=${v}`);
    return { fileId: args.fileId, metadata };
  }
}
