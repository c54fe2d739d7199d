// `fdfs download`: a file or a byte range to a path or stdout through downloadFile() (src/cli/download.ts).
import { Args, Flags } from '@oclif/core';
import { FdfsCommand } from '../src/cli/base-command.js';
import { sharedArgs, sharedFlags } from '../src/cli/flags.js';
import { downloadFile } from '../src/cli/download.js';

export default class Download extends FdfsCommand {
  static override summary = 'Download a file (or a byte range) to a path or standard output.';
  static override description = 'DEST defaults to the file name part of the ID in the current directory; "-" writes to standard output. '
    + 'The file appears only once complete. Interrupted (Ctrl-C) or cut off, a whole-file download keeps what it received in a hidden '
    + '.DEST.….fdfs-partial file; --resume continues from there if the stored file is unchanged (otherwise it starts over).';
  static override examples = [
    '<%= config.bin %> download group1/M00/00/00/wKgFSFvAem6AfpJXAAA2FXv_nRs556.jpg',
    '<%= config.bin %> download group1/M00/00/00/wKgFSFvAem6AfpJXAAA2FXv_nRs556.jpg photo.jpg',
    '<%= config.bin %> download group1/M00/00/00/wKgFSFvAem6AfpJXAAA2FXv_nRs556.jpg - --offset 100 --length 50',
    '<%= config.bin %> download --resume group1/M00/00/00/wKgFSFvAem6AfpJXAAA2FXv_nRs556.jpg photo.jpg',
  ];
  static override args = {
    fileId: sharedArgs.fileId(),
    dest: Args.string({ description: 'local path, or - for standard output' }),
  };
  static override flags = {
    offset: Flags.integer({ summary: 'Start at this byte offset.', min: 0, default: 0 }),
    length: Flags.integer({ summary: 'Bytes to read (0 = to the end).', min: 0, default: 0 }),
    resume: Flags.boolean({ summary: 'Continue an interrupted download from its partial file.', exclusive: ['offset', 'length'] }),
    quiet: sharedFlags.quiet(),
  };

  async run(): Promise<{ fileId: string; dest: string; bytes: number; resumedFrom?: number }> {
    const { args, flags } = await this.parse(Download);
    const client = await this.clientFor(flags);
    const result = await downloadFile(client, args.fileId, args.dest, {
      offset: flags.offset,
      length: flags.length,
      progress: !flags.quiet && !this.jsonEnabled() && args.dest !== '-',
      resume: flags.resume,
      onNote: (line) => { if (!this.jsonEnabled()) process.stderr.write(`fdfs: ${line}\n`); },
    });
    return { fileId: args.fileId, ...result };
  }
}
