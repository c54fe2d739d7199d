// Anti-entropy's first step waits min(anti_entropy_interval, 60 s) after a start (replication is still bringing
// what the members differ by then), and later steps keep their pace: interval / directories.
import { describe, it, expect } from 'vitest';
import { createLogger } from '../../../../src/log.js';
import { AntiEntropy } from '../../../../src/storage/repair/anti-entropy.js';
import type { StorageRuntime } from '../../../../src/storage/runtime.js';

/** An anti-entropy loop over one store path of 256 directories; counts how often it asked for its peers. */
function loop(interval: number): { ae: AntiEntropy; asked: () => number } {
  let asked = 0;
  const rt = { config: { antiEntropyInterval: interval, subdirCountPerPath: 256 }, paths: { dataDirs: ['/nonexistent'] } } as unknown as StorageRuntime;
  const ae = new AntiEntropy({ rt: () => rt, log: createLogger({ level: 'silent' }), peers: () => { asked++; return []; } });
  return { ae, asked: () => asked };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('anti-entropy start', () => {
  it('with the default 600 s interval no directory is compared in the first seconds (a step is due every 2.3 s)', async () => {
    const { ae, asked } = loop(600);
    ae.start();
    await sleep(3000);
    await ae.stop();
    expect(asked()).toBe(0);
  });

  it('with a 1 s interval the first step comes after 1 s, then every 10 ms', async () => {
    const { ae, asked } = loop(1);
    ae.start();
    await sleep(600);
    expect(asked()).toBe(0);
    await sleep(1200);
    await ae.stop();
    expect(asked()).toBeGreaterThan(5);
  });
});
