// `fdfs regenerate`: an appender file becomes a normal file with a new ID.
import { FdfsCommand } from '../src/cli/base-command.js';
import { sharedArgs } from '../src/cli/flags.js';

export default class Regenerate extends FdfsCommand {
  static override summary = 'Turn an appender file into a normal file; prints its new file ID.';
  static override description = 'The content stays; the new name carries the final size and CRC32, so it can no longer be appended to.';
  static override examples = ['<%= config.bin %> regenerate group1/M00/00/00/wKgFSGE0xmuEOhDaAAAAAKfH9Eo215.log'];
  static override args = { fileId: sharedArgs.appenderId() };

  async run(): Promise<{ fileId: string; newFileId: string }> {
    const { args, flags } = await this.parse(Regenerate);
    const client = await this.clientFor(flags);
    const newFileId = await client.regenerateAppenderFilename(args.fileId);
    this.log(newFileId);
    return { fileId: args.fileId, newFileId };
  }
}
