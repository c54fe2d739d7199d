// `fdfs monitor` runs: one look, or --watch redrawing until Ctrl-C — in place with ANSI codes on a terminal,
// frame after frame when piped, one JSON document per line under --json. Also the exit code of a view.
import type { FdfsClient } from '../../client/index.js';
import { ExitCode } from '../exit-codes.js';
import { collectCluster, type ClusterView } from './collect.js';
import { renderView } from './render.js';

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

/** The terminal's width (read each frame: it may be resized), else 80 for pipes and files. */
function outputWidth(): number {
  return process.stdout.isTTY && process.stdout.columns ? process.stdout.columns : 80;
}

/** 0 when healthy; nobody answering is "unreachable" (4) like every other client command; else 6. */
export function monitorExitCode(v: ClusterView): number {
  return v.healthy ? ExitCode.Ok : v.summary.trackersUp === 0 ? ExitCode.Unreachable : ExitCode.Unhealthy;
}

export interface MonitorOptions {
  /** --json: no tables (the caller prints the view). */
  json: boolean;
  /** Prints a block of text (the command's log). */
  log(text: string): void;
}

/** One look at the cluster; the tables go to `log` unless --json. */
export async function monitorOnce(client: FdfsClient, o: MonitorOptions): Promise<ClusterView> {
  const view = await collectCluster(client);
  if (!o.json) o.log(await renderView(view, { color: useColour(), width: outputWidth() }));
  return view;
}

/** Redraw every `seconds` until SIGINT or `count` frames; the last view (null if none was taken). */
export async function monitorWatch(client: FdfsClient, o: MonitorOptions & { seconds: number; count?: number }): Promise<ClusterView | null> {
  const color = useColour();
  const tty = !!process.stdout.isTTY && !o.json;
  let stop = false;
  let wake: (() => void) | null = null;
  const onSignal = () => {
    stop = true;
    wake?.();
  };
  process.once('SIGINT', onSignal);
  // A resized terminal gets a frame laid out for its new width at once.
  const onResize = () => wake?.();
  if (tty) process.stdout.on('resize', onResize);
  let view: ClusterView | null = null;
  try {
    for (let frame = 1; !stop; frame++) {
      view = await collectCluster(client);
      if (o.json) {
        // oclif's log() is muted under --json: one JSON document per line, written directly.
        process.stdout.write(`${JSON.stringify(view)}\n`);
      } else if (tty) {
        // Home, then each line is cleared and written, then clear below: redraws without flicker. Clearing before
        // the text, not after: after a line as wide as the terminal, the cursor sits on its last character.
        const text = `${await renderView(view, { color, width: outputWidth() })}\n\nevery ${o.seconds}s — Ctrl-C to stop`;
        process.stdout.write(`\x1b[H${text.split('\n').map((l) => `\x1b[K${l}`).join('\n')}\n\x1b[J`);
      } else {
        o.log(`${await renderView(view, { color, width: outputWidth() })}\n`);
      }
      if (o.count && frame >= o.count) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, o.seconds * 1000);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.stdout.off('resize', onResize);
  }
  return view;
}
