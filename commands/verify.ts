// `fdfs verify GROUP`: do the members of a group hold the same files? (src/cli/verify.ts)
import { Args, Flags } from '@oclif/core';
import { FdfsCommand } from '../src/cli/base-command.js';
import { ExitCode } from '../src/cli/exit-codes.js';
import { verifyGroup } from '../src/cli/verify.js';

export default class Verify extends FdfsCommand {
  static override summary = 'Compare the files the members of a group hold; with --repair, have each member fetch what it lacks.';
  static override description = 'Every ACTIVE member lists its files and the lists are compared as they stream (flat memory). '
    + 'A file missing on a member, or with a size other than its ID records, is a difference. --repair sends the member that needs it '
    + 'to fetch the file from its peers (a normal file must match the size and CRC-32 in its ID; a file the member itself deleted is '
    + 'never brought back). Exit 0 when the members agree (or everything was repaired), 6 otherwise.';
  static override examples = [
    '<%= config.bin %> verify group1',
    '<%= config.bin %> verify group1 --repair',
  ];
  static override args = { group: Args.string({ description: 'group name', required: true }) };
  static override flags = {
    repair: Flags.boolean({ summary: 'Have the member that lacks a file (or holds it damaged) fetch it from its peers.' }),
    'min-age': Flags.integer({ summary: 'Leave out files younger than this many seconds (still replicating).', default: 60, min: 0 }),
  };

  async run(): Promise<unknown> {
    const { args, flags } = await this.parse(Verify);
    const client = await this.clientFor(flags);
    const report = await verifyGroup(client, args.group, {
      repair: flags.repair, minAge: flags['min-age'], json: this.jsonEnabled(), out: process.stdout,
    });
    if (report.unresolved) process.exitCode = ExitCode.Unhealthy;
    return report;
  }
}
