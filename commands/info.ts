// `fdfs info`: what a file ID says, decoded or asked from its storage (src/cli/file-info.ts).
import { Flags } from '@oclif/core';
import { FdfsCommand } from '../src/cli/base-command.js';
import { sharedArgs } from '../src/cli/flags.js';
import { fileInfo, printFileInfo } from '../src/cli/file-info.js';

export default class Info extends FdfsCommand {
  static override summary = 'Show what a file ID says (type, source, time, size, CRC32), asking the storage when needed.';
  static override description = 'Like fdfs_file_info: a normal file is decoded from its ID alone; appender and slave files (or --server) are asked from the storage that holds them.';
  static override examples = [
    '<%= config.bin %> info group1/M00/00/00/wKgFSFvAem6AfpJXAAA2FXv_nRs556.jpg',
    '<%= config.bin %> info group1/M00/00/00/wKgFSFvAem6AfpJXAAA2FXv_nRs556.jpg --server --json',
  ];
  static override args = { fileId: sharedArgs.fileId() };
  static override flags = {
    server: Flags.boolean({ char: 's', summary: 'Always ask the storage (current size, and whether it still exists).' }),
    offline: Flags.boolean({ char: 'n', summary: 'Never contact a server.', exclusive: ['server'] }),
  };

  async run(): Promise<Record<string, unknown>> {
    const { args, flags } = await this.parse(Info);
    const client = flags.offline ? null : await this.clientFor(flags);
    const info = await fileInfo(client, args.fileId, { server: flags.server, offline: flags.offline });
    this.log(printFileInfo(info));
    return info as unknown as Record<string, unknown>;
  }
}
