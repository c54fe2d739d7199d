// `fdfs append`: a local file or stdin onto an appender file.
import { FdfsCommand } from '../src/cli/base-command.js';
import { sharedArgs } from '../src/cli/flags.js';
import { contentSource } from '../src/cli/content.js';

export default class Append extends FdfsCommand {
  static override summary = 'Append a local file (or standard input) to an appender file.';
  static override description = 'Only appender files (uploaded with --appender) can be appended to; any other file is refused, saying so.';
  static override examples = [
    '<%= config.bin %> append group1/M00/00/00/wKgFSGE0xmuEOhDaAAAAAKfH9Eo215.log more.log',
    'echo "one more line" | <%= config.bin %> append group1/M00/00/00/wKgFSGE0xmuEOhDaAAAAAKfH9Eo215.log -',
  ];
  static override args = {
    fileId: sharedArgs.appenderId(),
    file: sharedArgs.content(),
  };

  async run(): Promise<{ fileId: string }> {
    const { args, flags } = await this.parse(Append);
    const client = await this.clientFor(flags);
    await client.append(args.fileId, await contentSource(args.file));
    return { fileId: args.fileId };
  }
}
