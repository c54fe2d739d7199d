// A worker's /metrics answer comes from its owner, the one process that sums every worker's counters.
import type { ToOwner, ToWorker } from './ipc.js';

/** An owner that does not answer within this is treated as unable to (the scrape gets a 500). */
const ANSWER_MS = 5000;

export class OwnerMetrics {
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (r: { contentType: string; body: string }) => void; reject: (e: Error) => void }>();

  constructor(private readonly send: (m: ToOwner) => boolean) {}

  ask(): Promise<{ contentType: string; body: string }> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      if (!this.send({ t: 'metrics', id })) return reject(new Error('the storage owner process is gone'));
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error('the storage owner process did not answer'));
      }, ANSWER_MS);
      timer.unref();
      this.waiting.set(id, {
        resolve: (r) => { clearTimeout(timer); resolve(r); },
        reject: (e) => { clearTimeout(timer); reject(e); },
      });
    });
  }

  answer(m: Extract<ToWorker, { t: 'metrics' }>): void {
    const w = this.waiting.get(m.id);
    this.waiting.delete(m.id);
    if (!w) return;
    if (m.ok) w.resolve({ contentType: m.contentType, body: m.body });
    else w.reject(new Error('the storage owner could not render its metrics'));
  }
}
