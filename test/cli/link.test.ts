// `fdfs link` without a server: --slave-of and --prefix come together.
// Links on a real storage (plain and as a slave name): test/integration/api-slave-link.test.ts.
import { describe, it, expect } from 'vitest';
import { runCli } from '../helpers/proc.js';
import { SAMPLE_ID, NOWHERE, expectParseError, expectUnreachable } from '../helpers/cli-expect.js';

describe('fdfs link', () => {
  it('--prefix without --slave-of and --slave-of without --prefix are parse errors (exit 2)', async () => {
    expectParseError(await runCli(['link', SAMPLE_ID, '--prefix', '_x', ...NOWHERE]), /--slave-of/);
    expectParseError(await runCli(['link', SAMPLE_ID, '--slave-of', SAMPLE_ID, ...NOWHERE]), /--prefix/);
  });

  it('reaches for the tracker (exit 4 when nothing answers)', async () => {
    expectUnreachable(await runCli(['link', SAMPLE_ID, ...NOWHERE]));
  });
});
