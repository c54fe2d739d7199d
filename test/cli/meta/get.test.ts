// `fdfs meta get` without a server: its argument checks.
// Reading real metadata (key=value lines and --json): test/integration/spine.test.ts.
import { describe, it, expect } from 'vitest';
import { runCli } from '../../helpers/proc.js';
import { SAMPLE_ID, NOWHERE, expectParseError, expectPlainFailure, expectUnreachable } from '../../helpers/cli-expect.js';

describe('fdfs meta get', () => {
  it('needs a file ID (exit 2); a malformed one is refused in one line (exit 1)', async () => {
    expectParseError(await runCli(['meta', 'get', ...NOWHERE]), /Missing 1 required arg/);
    expectPlainFailure(await runCli(['meta', 'get', 'bad', ...NOWHERE]), 1, /^fdfs: bad file id "bad"/);
  });

  it('reaches for the tracker (exit 4 when nothing answers)', async () => {
    expectUnreachable(await runCli(['meta', 'get', SAMPLE_ID, ...NOWHERE]));
  });
});
