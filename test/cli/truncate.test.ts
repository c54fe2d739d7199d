// `fdfs truncate` without a server: sizes are checked before anything is contacted.
// Truncating real appender files: test/integration/api-appender.test.ts and replication-stock.test.ts.
import { describe, it, expect } from 'vitest';
import { runCli } from '../helpers/proc.js';
import { APPENDER_ID, NOWHERE, expectPlainFailure, expectUnreachable } from '../helpers/cli-expect.js';

describe('fdfs truncate', () => {
  it('rejects sizes that are not byte counts (exit 2, one line)', async () => {
    expectPlainFailure(await runCli(['truncate', APPENDER_ID, '1.5', ...NOWHERE]), 2, /^fdfs: bad size "1\.5" \(want a byte count\)$/);
    expectPlainFailure(await runCli(['truncate', APPENDER_ID, 'x', ...NOWHERE]), 2, /^fdfs: bad size "x"/);
  });

  it('the size defaults to 0 and the command reaches for the tracker (exit 4 when nothing answers)', async () => {
    expectUnreachable(await runCli(['truncate', APPENDER_ID, ...NOWHERE]));
  });
});
