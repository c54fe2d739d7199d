// `fdfs exists` without a server: 'cannot tell' must not look like 'no' (exit 3), so scripts can trust it.
// yes (exit 0) and no (exit 3) against a real storage: test/integration/api-appender.test.ts.
import { describe, it, expect } from 'vitest';
import { runCli } from '../helpers/proc.js';
import { SAMPLE_ID, NOWHERE, expectPlainFailure, expectUnreachable } from '../helpers/cli-expect.js';

describe('fdfs exists', () => {
  it('no tracker answering: exit 4, not 3, and no "no" on stdout', async () => {
    expectUnreachable(await runCli(['exists', SAMPLE_ID, ...NOWHERE]));
    expectUnreachable(await runCli(['exists', SAMPLE_ID, '--json', ...NOWHERE]), true);
  });

  it('a malformed ID is an error (exit 1), not a "no"', async () => {
    expectPlainFailure(await runCli(['exists', 'bad', ...NOWHERE]), 1, /^fdfs: bad file id "bad"/);
  });
});
