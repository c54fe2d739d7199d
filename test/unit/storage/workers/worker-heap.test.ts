import { describe, expect, it } from 'vitest';
import { workerNodeOptions } from '../../../../src/storage/workers/worker-heap.js';

describe('storage worker NODE_OPTIONS', () => {
  it('adds a fixed young-generation size to what the operator set', () => {
    expect(workerNodeOptions(undefined)).toBe('--max-semi-space-size=2');
    expect(workerNodeOptions('')).toBe('--max-semi-space-size=2');
    expect(workerNodeOptions(' --max-old-space-size=512 ')).toBe('--max-old-space-size=512 --max-semi-space-size=2');
  });

  it("keeps the operator's own semi-space size", () => {
    expect(workerNodeOptions('--max-semi-space-size=32')).toBe('--max-semi-space-size=32');
  });
});
