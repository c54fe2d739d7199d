// `fdfs delete`: deletes each file ID in turn.
import { FdfsCommand } from '../src/cli/base-command.js';
import { sharedArgs } from '../src/cli/flags.js';

export default class Delete extends FdfsCommand {
  static override summary = 'Delete files from their storage group.';
  static override examples = ['<%= config.bin %> delete group1/M00/00/00/wKgFSFvAem6AfpJXAAA2FXv_nRs556.jpg'];
  static override strict = false;
  static override args = { fileId: sharedArgs.fileId() };

  async run(): Promise<{ deleted: string[] }> {
    const { argv, flags } = await this.parse(Delete);
    const client = await this.clientFor(flags);
    const deleted: string[] = [];
    for (const id of argv as string[]) {
      await client.delete(id);
      deleted.push(id);
    }
    return { deleted };
  }
}
