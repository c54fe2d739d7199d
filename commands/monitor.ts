import { Flags } from '@oclif/core';
import { FdfsCommand } from '../src/cli/base-command.js';
import { ExitCode } from '../src/cli/exit-codes.js';
import type { ClusterView } from '../src/cli/monitor/collect.js';

/** `--watch` alone means every 2 s: oclif flags need a value, so supply it before parsing. */
export function normaliseWatch(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    out.push(a);
    if ((a === '--watch' || a === '-w') && !/^\d+(\.\d+)?$/.test(argv[i + 1] ?? '')) out.push('2');
  }
  return out;
}

function useColour(): boolean {
  if ('NO_COLOR' in process.env) return false;
  if (process.env.FORCE_COLOR && process.env.FORCE_COLOR !== '0') return true;
  return !!process.stdout.isTTY;
}

export default class Monitor extends FdfsCommand {
  static override summary = 'Show the cluster: trackers, groups, storages, their state, space, traffic and sync lag.';
  static override description = [
    'Asks every tracker it knows (--tracker, FDFS_TRACKER or client.conf) for its groups and storages, like',
    'fdfs_monitor, and prints tables: trackers (leader, reachable), groups (space: total, free, reserved,',
    'available = free - reserved), storages (state, used space, uploads and downloads with bytes, last heartbeat,',
    'sync lag = newest change on the other members minus what this one has synced). States: ACTIVE serves;',
    'WAIT_SYNC/SYNCING copies its group\'s files first; OFFLINE is down or cut off; INIT/ONLINE are joining.',
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
    const { collectCluster } = await import('../src/cli/monitor/collect.js');
    const { renderView } = await import('../src/cli/monitor/render.js');
    const color = useColour();
    const json = this.jsonEnabled();
    const settle = (v: ClusterView) => {
      // Nobody answered: that is "unreachable", like every other client command.
      process.exitCode = v.healthy ? ExitCode.Ok : v.summary.trackersUp === 0 ? ExitCode.Unreachable : ExitCode.Unhealthy;
    };

    if (flags.watch === undefined) {
      const view = await collectCluster(client);
      if (!json) this.log(await renderView(view, { color }));
      settle(view);
      return view;
    }

    const seconds = Number(flags.watch);
    if (!(seconds > 0)) this.error('--watch takes a number of seconds > 0', { exit: ExitCode.Usage });
    const tty = !!process.stdout.isTTY && !json;
    let stop = false;
    let wake: (() => void) | null = null;
    const onSignal = () => {
      stop = true;
      wake?.();
    };
    process.once('SIGINT', onSignal);
    let view: ClusterView | null = null;
    // No line wrapping while redrawing: a table wider than the terminal is clipped instead of scrolling the frame.
    if (tty) process.stdout.write('\x1b[?7l');
    try {
      for (let frame = 1; !stop; frame++) {
        view = await collectCluster(client);
        if (json) {
          // oclif's log() is muted under --json: one JSON document per line, written directly.
          process.stdout.write(`${JSON.stringify(view)}\n`);
        } else if (tty) {
          // Home, then each line clears its own rest, then clear below: redraws without flicker.
          const text = `${await renderView(view, { color })}\n\nevery ${seconds}s — Ctrl-C to stop`;
          process.stdout.write(`\x1b[H${text.split('\n').map((l) => `${l}\x1b[K`).join('\n')}\n\x1b[J`);
        } else {
          this.log(`${await renderView(view, { color })}\n`);
        }
        if (flags.count && frame >= flags.count) break;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, seconds * 1000);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    } finally {
      process.off('SIGINT', onSignal);
      if (tty) process.stdout.write('\x1b[?7h');
    }
    if (view) settle(view);
    return undefined;
  }
}
