import { Args, Flags } from '@oclif/core';
import { FdfsCommand } from '../src/cli/base-command.js';
import { uploadFiles } from '../src/cli/transfer.js';
import { parseMetaPairs } from '../src/cli/format.js';

export default class Upload extends FdfsCommand {
  static override summary = 'Upload files; prints one file ID per line.';
  static override description = 'Uploads each FILE (or standard input for "-") through the tracker and prints the file IDs in order.';
  static override examples = [
    '<%= config.bin %> upload photo.jpg',
    '<%= config.bin %> upload a.txt b.txt --group group2',
    'cat log.txt | <%= config.bin %> upload - --ext txt',
    '<%= config.bin %> upload photo.jpg --meta width=1024 --meta height=768 --json',
  ];
  static override strict = false;
  static override args = { file: Args.string({ description: 'local file, or - for standard input', required: true }) };
  static override flags = {
    group: Flags.string({ char: 'g', summary: 'Store into this group.' }),
    ext: Flags.string({ summary: 'File extension to record (default: from the file name).' }),
    meta: Flags.string({ char: 'm', summary: 'Metadata key=value (repeatable).', multiple: true }),
    appender: Flags.boolean({ summary: 'Create appender files (can be appended to later).' }),
    quiet: Flags.boolean({ char: 'q', summary: 'No progress bar.' }),
  };

  async run(): Promise<{ fileIds: string[] }> {
    const { argv, flags } = await this.parse(Upload);
    const client = await this.clientFor(flags);
    const fileIds = await uploadFiles(client, argv as string[], {
      group: flags.group,
      ext: flags.ext,
      metadata: flags.meta ? parseMetaPairs(flags.meta) : undefined,
      appender: flags.appender,
      progress: !flags.quiet && !this.jsonEnabled(),
      onFileId: (id) => { if (!this.jsonEnabled()) this.log(id); },
    });
    return { fileIds };
  }
}
