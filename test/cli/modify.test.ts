// `fdfs modify` without a server: offsets are checked before anything is contacted.
// Modifying real appender files: test/integration/api-appender.test.ts and replication-stock.test.ts.
import { describe, it, expect } from 'vitest';
import { runCli } from '../helpers/proc.js';
import { APPENDER_ID, NOWHERE, expectPlainFailure, expectUnreachable } from '../helpers/cli-expect.js';

describe('fdfs modify', () => {
  it('rejects offsets that are not byte counts (exit 2, one line)', async () => {
    for (const offset of ['abc', '-1', '1.5', '99999999999999999999']) {
      const r = await runCli(['modify', APPENDER_ID, offset, '-', ...NOWHERE], { input: 'x' });
      expectPlainFailure(r, 2, /^fdfs: bad offset ".*" \(want a byte count\)$/);
      expect(r.stderr).toContain(`"${offset}"`);
    }
  });

  it('a good offset reaches for the tracker (exit 4 when nothing answers)', async () => {
    expectUnreachable(await runCli(['modify', APPENDER_ID, '0', '-', ...NOWHERE], { input: 'x' }));
  });
});
