// `fdfs append` without a server: its argument checks. Appending to real appender files:
// test/integration/api-appender.test.ts and replication-stock.test.ts.
import { describe, it, expect } from 'vitest';
import { runCli } from '../helpers/proc.js';
import { APPENDER_ID, NOWHERE, expectParseError, expectPlainFailure, expectUnreachable } from '../helpers/cli-expect.js';

describe('fdfs append', () => {
  it('a missing local file: one line, exit 2, before contacting anything', async () => {
    expectPlainFailure(await runCli(['append', APPENDER_ID, '/nonexistent/file', ...NOWHERE]), 2, /^fdfs: cannot read \/nonexistent\/file: no such file$/);
  });

  it('needs both the file ID and the content', async () => {
    expectParseError(await runCli(['append', APPENDER_ID, ...NOWHERE]), /Missing 1 required arg/);
  });

  it('reads standard input for "-", then reaches for the tracker (exit 4 when nothing answers)', async () => {
    expectUnreachable(await runCli(['append', APPENDER_ID, '-', ...NOWHERE], { input: 'more' }));
  });
});
