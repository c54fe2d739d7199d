// `fdfs delete` without a server: it needs at least one file ID.
// Deleting real files (and a second delete answering ENOENT, exit 3): test/integration/spine.test.ts.
import { describe, it, expect } from 'vitest';
import { runCli } from '../helpers/proc.js';
import { SAMPLE_ID, NOWHERE, expectParseError, expectUnreachable } from '../helpers/cli-expect.js';

describe('fdfs delete', () => {
  it('needs a file ID (exit 2)', async () => {
    expectParseError(await runCli(['delete', ...NOWHERE]), /Missing 1 required arg/);
  });

  it('reaches for the tracker, as JSON too (exit 4 when nothing answers)', async () => {
    expectUnreachable(await runCli(['delete', SAMPLE_ID, ...NOWHERE]));
    expectUnreachable(await runCli(['delete', SAMPLE_ID, '--json', ...NOWHERE]), true);
  });
});
