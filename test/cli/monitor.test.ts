// `fdfs monitor` without a server: --watch values and the nobody-answers case.
// Healthy and unhealthy real clusters, --json and --watch: test/integration/monitor.test.ts.
import { describe, it, expect } from 'vitest';
import { runCli } from '../helpers/proc.js';
import { NOWHERE } from '../helpers/cli-expect.js';

describe('fdfs monitor', () => {
  it('--watch takes a positive number of seconds (exit 2)', async () => {
    const r = await runCli(['monitor', '--watch', '0', ...NOWHERE]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/Error: --watch takes a number of seconds > 0/);
  });

  it('nobody answering: the tracker shown DOWN, exit 4; --json keeps its shape', async () => {
    const r = await runCli(['monitor', ...NOWHERE]);
    expect(r.code).toBe(4);
    expect(r.stdout).toMatch(/127\.0\.0\.1:1\s*│ DOWN/);
    const j = await runCli(['monitor', '--json', ...NOWHERE]);
    expect(j.code).toBe(4);
    expect(JSON.parse(j.stdout)).toMatchObject({ healthy: false, summary: { trackers: 1, trackersUp: 0 } });
  });
});
