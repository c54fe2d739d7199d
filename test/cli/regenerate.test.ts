// `fdfs regenerate` without a server: its argument checks.
// Turning a real appender file into a normal one: test/integration/api-appender.test.ts.
import { describe, it, expect } from 'vitest';
import { runCli } from '../helpers/proc.js';
import { APPENDER_ID, NOWHERE, expectParseError, expectPlainFailure, expectUnreachable } from '../helpers/cli-expect.js';

describe('fdfs regenerate', () => {
  it('needs a file ID (exit 2); a malformed one is refused in one line (exit 1)', async () => {
    expectParseError(await runCli(['regenerate', ...NOWHERE]), /Missing 1 required arg/);
    expectPlainFailure(await runCli(['regenerate', 'bad', ...NOWHERE]), 1, /^fdfs: bad file id "bad"/);
  });

  it('reaches for the tracker (exit 4 when nothing answers)', async () => {
    expectUnreachable(await runCli(['regenerate', APPENDER_ID, '--json', ...NOWHERE]), true);
  });
});
