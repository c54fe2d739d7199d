// `fdfs meta set` without a server: pairs are checked before anything is contacted.
// Setting and merging real metadata: test/integration/spine.test.ts.
import { describe, it, expect } from 'vitest';
import { runCli } from '../../helpers/proc.js';
import { SAMPLE_ID, NOWHERE, expectPlainFailure, expectUnreachable } from '../../helpers/cli-expect.js';

describe('fdfs meta set', () => {
  it('a pair without "=" or with an empty key: one line, exit 2', async () => {
    expectPlainFailure(await runCli(['meta', 'set', SAMPLE_ID, 'bad', ...NOWHERE]), 2, /^fdfs: bad metadata "bad" \(want key=value\)$/);
    expectPlainFailure(await runCli(['meta', 'set', SAMPLE_ID, '=v', ...NOWHERE]), 2, /^fdfs: bad metadata "=v"/);
  });

  it('good pairs (values may hold "=") reach for the tracker (exit 4 when nothing answers)', async () => {
    expectUnreachable(await runCli(['meta', 'set', SAMPLE_ID, 'a=1', 'b=x=y', '--merge', ...NOWHERE]));
  });
});
