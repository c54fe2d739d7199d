// `fdfs monitor`: one look or a --watch loop (src/cli/monitor/watch.ts); the exit code says healthy or not.
import { Flags } from '@oclif/core';
import { FdfsCommand } from '../src/cli/base-command.js';
import { ExitCode } from '../src/cli/exit-codes.js';
import type { ClusterView } from '../src/cli/monitor/collect.js';
import { monitorExitCode, monitorOnce, monitorWatch, normaliseWatch } from '../src/cli/monitor/watch.js';

export default class Monitor extends FdfsCommand {
  static override summary = 'Show the cluster: trackers, groups, storages, their state, space, traffic and sync lag.';
  static override description = [
    'Asks every tracker it knows (--tracker, FDFS_TRACKER or client.conf) for its groups and storages, like',
    'fdfs_monitor, and prints tables: trackers (leader, reachable), groups (space: total, free, reserved,',
    'available = free - reserved), storages (state, used space, uploads and downloads with bytes, last heartbeat,',
    'sync lag = newest change on the other members minus what this one has synced). States: ACTIVE serves;',
    'WAIT_SYNC/SYNCING copies its group\'s files first; OFFLINE has no connection to the tracker (stopped, cut',
    'off, or not re-joined yet after a tracker restart); INIT/ONLINE are joining. A legend under the table says it.',
    '',
    'Exit code 0 only when every tracker answers and every storage is ACTIVE in every tracker\'s view;',
    '6 otherwise (the last line says why), 4 when no tracker answers at all. Colours only on a terminal.',
  ].join('\n').split('\n\n').map((para) => para.replace(/\n/g, ' ')).join('\n\n');
  static override examples = [
    '<%= config.bin %> monitor',
    '<%= config.bin %> monitor --config /etc/fdfs/client.conf',
    { description: 'Redraw every 5 seconds until Ctrl-C:', command: '<%= config.bin %> monitor --watch 5' },
    { description: 'For scripts and alerting:', command: '<%= config.bin %> monitor --json | jq .problems' },
    { description: 'A health check (exit code only):', command: '<%= config.bin %> monitor -t 10.0.0.1:22122 -t 10.0.0.2:22122 >/dev/null || alert' },
  ];
  static override flags = {
    watch: Flags.string({ char: 'w', summary: 'Redraw every SECONDS (default 2) until Ctrl-C.', helpValue: 'SECONDS' }),
    count: Flags.integer({ char: 'n', summary: 'With --watch: stop after this many refreshes.', min: 1 }),
  };

  async run(): Promise<ClusterView | undefined> {
    const { flags } = await this.parse(Monitor, normaliseWatch(this.argv));
    const client = await this.clientFor(flags);
    const out = { json: this.jsonEnabled(), log: (text: string) => this.log(text) };
    if (flags.watch === undefined) {
      const view = await monitorOnce(client, out);
      process.exitCode = monitorExitCode(view);
      return view;
    }
    const seconds = Number(flags.watch);
    if (!(seconds > 0)) this.error('--watch takes a number of seconds > 0', { exit: ExitCode.Usage });
    const last = await monitorWatch(client, { ...out, seconds, count: flags.count });
    if (last) process.exitCode = monitorExitCode(last);
    return undefined;
  }
}
