// A progress bar (bytes, rate, ETA) on stderr for transfers worth it; nothing when not a TTY.
// The bar starts on the first update, when the total is known.
import type { SingleBar } from 'cli-progress';
import { formatBytes } from './format.js';

/** Below this size a bar would only flicker. */
const MIN_BYTES = 4 << 20;

export interface Progress {
  update(done: number, total: number): void;
  stop(): void;
}

const NONE: Progress = { update() {}, stop() {} };

export async function createProgress(label: string, enabled: boolean): Promise<Progress> {
  if (!enabled || !process.stderr.isTTY) return NONE;
  const { default: cliProgress } = await import('cli-progress');
  let bar: SingleBar | null = null;
  let skip = false;
  let start = 0;
  return {
    update(done, total) {
      if (skip) return;
      if (!bar) {
        if (total < MIN_BYTES) {
          skip = true;
          return;
        }
        bar = new cliProgress.SingleBar(
          {
            stream: process.stderr,
            format: `${label} [{bar}] {percentage}% | {done}/{size} | {rate}/s | ETA {eta_formatted}`,
            hideCursor: true,
            clearOnComplete: true,
            etaBuffer: 50,
          },
          cliProgress.Presets.shades_classic,
        );
        start = Date.now();
        bar.start(total, 0, { done: formatBytes(0), size: formatBytes(total), rate: formatBytes(0) });
      }
      const secs = Math.max((Date.now() - start) / 1000, 0.001);
      bar.update(done, { done: formatBytes(done), size: formatBytes(total), rate: formatBytes(Math.round(done / secs)) });
    },
    stop() {
      bar?.stop();
      bar = null;
    },
  };
}
