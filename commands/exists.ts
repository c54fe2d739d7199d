// `fdfs exists`: yes/no on stdout, and exit 3 for no.
import { FdfsCommand } from '../src/cli/base-command.js';
import { sharedArgs } from '../src/cli/flags.js';
import { ExitCode } from '../src/cli/exit-codes.js';

export default class Exists extends FdfsCommand {
  static override summary = 'Tell whether a file exists: prints yes or no; exit 0 if it does, 3 if not (7: no storage of its group is up to ask).';
  static override examples = ['<%= config.bin %> exists group1/M00/00/00/wKgFSFvAem6AfpJXAAA2FXv_nRs556.jpg && echo stored'];
  static override args = { fileId: sharedArgs.fileId() };

  async run(): Promise<{ fileId: string; exists: boolean }> {
    const { args, flags } = await this.parse(Exists);
    const client = await this.clientFor(flags);
    const exists = await client.exists(args.fileId);
    this.log(exists ? 'yes' : 'no');
    if (!exists) process.exitCode = ExitCode.NotFound;
    return { fileId: args.fileId, exists };
  }
}
