// `fdfs truncate`: set an appender file's size.
import { Args } from '@oclif/core';
import { FdfsCommand } from '../src/cli/base-command.js';
import { sharedArgs } from '../src/cli/flags.js';
import { parseByteCount } from '../src/cli/format.js';

export default class Truncate extends FdfsCommand {
  static override summary = 'Set the size of an appender file (default 0); a larger size extends it with zero bytes.';
  static override examples = [
    '<%= config.bin %> truncate group1/M00/00/00/wKgFSGE0xmuEOhDaAAAAAKfH9Eo215.log',
    '<%= config.bin %> truncate group1/M00/00/00/wKgFSGE0xmuEOhDaAAAAAKfH9Eo215.log 1024',
  ];
  static override args = {
    fileId: sharedArgs.appenderId(),
    size: Args.string({ description: 'new size in bytes', default: '0' }),
  };

  async run(): Promise<{ fileId: string; size: number }> {
    const { args, flags } = await this.parse(Truncate);
    const size = parseByteCount(args.size, 'size');
    const client = await this.clientFor(flags);
    await client.truncate(args.fileId, size);
    return { fileId: args.fileId, size };
  }
}
