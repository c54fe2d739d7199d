// `fdfs ls GROUP`: the files a group holds, streamed from one member (src/cli/list-files.ts).
import { Args, Flags } from '@oclif/core';
import { FdfsCommand } from '../src/cli/base-command.js';
import { checkPrefix, parseSince, printGroupFiles } from '../src/cli/list-files.js';

export default class Ls extends FdfsCommand {
  static override summary = 'List the files a group holds: file ID, size, time, CRC-32 and the original file name when known.';
  static override description = 'Streams the list from one ACTIVE storage of the group (or --storage), walking its store paths; '
    + 'memory stays flat for millions of files. --json prints one JSON object per line (NDJSON).';
  static override examples = [
    '<%= config.bin %> ls group1',
    '<%= config.bin %> ls group1 --since 1h --prefix M00/00',
    '<%= config.bin %> ls group1 --since 2026-01-31 --json',
  ];
  static override args = { group: Args.string({ description: 'group name', required: true }) };
  static override flags = {
    since: Flags.string({ summary: 'Only files created at or after this: Unix seconds, a date (2026-01-31, ISO time) or an age (30m, 12h, 7d).' }),
    prefix: Flags.string({ summary: 'Only names starting with this, e.g. M00 or M00/00 or M00/00/1A.' }),
    storage: Flags.string({ summary: 'Read from this member (storage id, IP or IP:PORT) instead of the first ACTIVE one.' }),
    limit: Flags.integer({ summary: 'Stop after this many files.', min: 1 }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Ls);
    const since = flags.since === undefined ? undefined : parseSince(flags.since);
    const prefix = flags.prefix === undefined ? undefined : checkPrefix(flags.prefix);
    const client = await this.clientFor(flags);
    // Streamed as it comes (NDJSON under --json), so nothing is returned for oclif to print at the end.
    await printGroupFiles(client, args.group, {
      since, prefix, limit: flags.limit, storage: flags.storage, json: this.jsonEnabled(), out: process.stdout,
    });
  }
}
