// `fdfs upload`: files or stdin through uploadFiles() (src/cli/transfer.ts); one file ID per line.
import { Flags } from '@oclif/core';
import { FdfsCommand } from '../src/cli/base-command.js';
import { sharedArgs, sharedFlags } from '../src/cli/flags.js';
import { uploadFiles, type UploadedFile } from '../src/cli/transfer.js';
import { parseMetaPairs } from '../src/cli/format.js';

export default class Upload extends FdfsCommand {
  static override summary = 'Upload files; prints one file ID per line.';
  static override description = 'Uploads each FILE (or standard input for "-") through the tracker and prints the file IDs in order. '
    + 'Every FILE is checked first: if one cannot be read, nothing is uploaded. --json gives each FILE with its ID (or its error). '
    + 'An extension longer than 6 characters cannot be part of a file ID: it is left out, with a warning.';
  static override examples = [
    '<%= config.bin %> upload photo.jpg',
    '<%= config.bin %> upload a.txt b.txt --group group2',
    'cat log.txt | <%= config.bin %> upload - --ext txt',
    '<%= config.bin %> upload photo.jpg --meta width=1024 --meta height=768 --json',
    '<%= config.bin %> upload thumb.jpg --slave-of group1/M00/00/00/wKgFSFvAem6AfpJXAAA2FXv_nRs556.jpg --prefix _150x150',
  ];
  static override strict = false;
  static override args = { file: sharedArgs.content() };
  static override flags = {
    group: Flags.string({ char: 'g', summary: 'Store into this group.' }),
    ext: Flags.string({ summary: 'File extension to record (default: from the file name).' }),
    meta: Flags.string({ char: 'm', summary: 'Metadata key=value (repeatable).', multiple: true, multipleNonGreedy: true }),
    appender: Flags.boolean({ summary: 'Create appender files (can be appended to later).', exclusive: ['slave-of'] }),
    'slave-of': Flags.string({ summary: 'Store FILE as a slave of this master file ID (master name + prefix + ext).', dependsOn: ['prefix'], exclusive: ['group'] }),
    prefix: Flags.string({ summary: 'Slave prefix, e.g. _150x150 (with --slave-of).', dependsOn: ['slave-of'] }),
    'keep-name': Flags.boolean({ summary: 'Keep each file\'s name as metadata "filename" (shown by ls and the web console).', default: true, allowNo: true }),
    quiet: sharedFlags.quiet(),
  };

  async run(): Promise<{ files: UploadedFile[]; fileIds: string[] }> {
    const { argv, flags } = await this.parse(Upload);
    const client = await this.clientFor(flags);
    const metadata = flags.meta ? parseMetaPairs(flags.meta) : undefined;
    const files = await uploadFiles(client, argv as string[], {
      group: flags.group,
      ext: flags.ext,
      metadata,
      keepName: flags['keep-name'],
      appender: flags.appender,
      slaveOf: flags['slave-of'] ? { master: flags['slave-of'], prefix: flags.prefix! } : undefined,
      progress: !flags.quiet && !this.jsonEnabled(),
      onFileId: (id) => this.log(id),
      onNote: (line) => { if (!this.jsonEnabled()) process.stderr.write(`fdfs: ${line}\n`); },
    });
    const failed = files.find((f) => f.error);
    if (failed) process.exitCode = failed.error!.exit;
    return { files, fileIds: files.flatMap((f) => (f.fileId ? [f.fileId] : [])) };
  }
}
