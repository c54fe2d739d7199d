// `fdfs modify`: overwrite part of an appender file at an offset.
import { Args } from '@oclif/core';
import { FdfsCommand } from '../src/cli/base-command.js';
import { sharedArgs } from '../src/cli/flags.js';
import { contentSource } from '../src/cli/content.js';
import { parseByteCount } from '../src/cli/format.js';

export default class Modify extends FdfsCommand {
  static override summary = 'Overwrite part of an appender file, starting at OFFSET, with a local file (or standard input).';
  static override description = 'OFFSET may be at most the current size (writing at the end extends the file); larger offsets answer EINVAL.';
  static override examples = [
    '<%= config.bin %> modify group1/M00/00/00/wKgFSGE0xmuEOhDaAAAAAKfH9Eo215.log 100 patch.bin',
    'printf AB | <%= config.bin %> modify group1/M00/00/00/wKgFSGE0xmuEOhDaAAAAAKfH9Eo215.log 2 -',
  ];
  static override args = {
    fileId: sharedArgs.appenderId(),
    offset: Args.string({ description: 'byte offset to write at', required: true }),
    file: sharedArgs.content(),
  };

  async run(): Promise<{ fileId: string; offset: number }> {
    const { args, flags } = await this.parse(Modify);
    const offset = parseByteCount(args.offset, 'offset');
    const client = await this.clientFor(flags);
    await client.modify(args.fileId, offset, await contentSource(args.file));
    return { fileId: args.fileId, offset };
  }
}
