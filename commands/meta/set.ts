// `fdfs meta set`: replace or merge a file's metadata.
import { Args, Flags } from '@oclif/core';
import { FdfsCommand } from '../../src/cli/base-command.js';
import { parseMetaPairs } from '../../src/cli/format.js';

export default class MetaSet extends FdfsCommand {
  static override summary = 'Set the metadata of a file: replace all of it, or --merge into what is there.';
  static override examples = [
    '<%= config.bin %> meta set group1/M00/00/00/wKgFSFvAem6AfpJXAAA2FXv_nRs556.jpg width=1024 height=768',
    '<%= config.bin %> meta set group1/M00/00/00/wKgFSFvAem6AfpJXAAA2FXv_nRs556.jpg author=li --merge',
  ];
  static override strict = false;
  static override args = {
    fileId: Args.string({ description: 'file ID', required: true }),
    pair: Args.string({ description: 'key=value (repeatable)' }),
  };
  static override flags = {
    merge: Flags.boolean({ summary: 'Merge into the existing metadata instead of replacing it.' }),
  };

  async run(): Promise<{ fileId: string; mode: string; metadata: Record<string, string> }> {
    const { argv, flags } = await this.parse(MetaSet);
    const [fileId, ...pairs] = argv as string[];
    const metadata = parseMetaPairs(pairs);
    const client = await this.clientFor(flags);
    const mode = flags.merge ? 'merge' : 'overwrite';
    await client.setMetadata(fileId!, metadata, mode);
    return { fileId: fileId!, mode, metadata };
  }
}
