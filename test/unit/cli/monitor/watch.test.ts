// src/cli/monitor/watch.ts without a cluster: `--watch` with no value, and the exit code a view gives.
import { describe, it, expect } from 'vitest';
import { monitorExitCode, normaliseWatch } from '../../../../src/cli/monitor/watch.js';
import type { ClusterView } from '../../../../src/cli/monitor/collect.js';

describe('normaliseWatch', () => {
  it('supplies 2 seconds to a bare --watch / -w, and leaves given numbers alone', () => {
    expect(normaliseWatch(['--watch'])).toEqual(['--watch', '2']);
    expect(normaliseWatch(['-w', '--json'])).toEqual(['-w', '2', '--json']);
    expect(normaliseWatch(['--watch', '0.5', '-n', '3'])).toEqual(['--watch', '0.5', '-n', '3']);
    expect(normaliseWatch(['-t', 'h:1'])).toEqual(['-t', 'h:1']);
  });
});

describe('monitorExitCode', () => {
  const view = (healthy: boolean, trackersUp: number) => ({ healthy, summary: { trackersUp } }) as unknown as ClusterView;
  it('0 healthy, 4 when no tracker answers, 6 otherwise', () => {
    expect(monitorExitCode(view(true, 1))).toBe(0);
    expect(monitorExitCode(view(false, 0))).toBe(4);
    expect(monitorExitCode(view(false, 2))).toBe(6);
  });
});
