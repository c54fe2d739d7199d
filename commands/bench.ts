// `fdfs bench`: timed upload/download/delete phases (src/cli/bench.ts).
import { Flags } from '@oclif/core';
import { FdfsCommand } from '../src/cli/base-command.js';
import { runBench, formatBenchTable, type PhaseResult } from '../src/cli/bench.js';
import { parseSize } from '../src/config/values.js';

export default class Bench extends FdfsCommand {
  static override summary = 'Benchmark a cluster: upload N files of size S at concurrency C, then read them back at random.';
  static override examples = [
    '<%= config.bin %> bench -n 10000 -s 4KB -c 32',
    '<%= config.bin %> bench -n 500 -s 1MB -c 8 --delete --json',
  ];
  static override flags = {
    count: Flags.integer({ char: 'n', summary: 'Files to upload (and downloads to make).', default: 1000, min: 1 }),
    size: Flags.string({ char: 's', summary: 'File size (bytes, or with K/M/G).', default: '4KB' }),
    concurrency: Flags.integer({ char: 'c', summary: 'Operations in flight.', default: 16, min: 1, max: 1024 }),
    'max-seconds': Flags.integer({ summary: 'Cap on each phase.', default: 300, min: 1 }),
    delete: Flags.boolean({ summary: 'Delete the files afterwards (and time that too).' }),
  };

  async run(): Promise<{ results: PhaseResult[] }> {
    const { flags } = await this.parse(Bench);
    const client = await this.clientFor({ ...flags });
    const opts = {
      count: flags.count,
      size: parseSize(flags.size),
      concurrency: flags.concurrency,
      maxSeconds: flags['max-seconds'],
      deleteAfter: flags.delete,
    };
    const results = await runBench(client, opts);
    this.log(formatBenchTable(opts, results));
    return { results };
  }
}
