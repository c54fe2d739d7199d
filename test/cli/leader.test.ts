// `fdfs leader` without a server: the unreachable-tracker answer, plain and as --json's error object.
// The leader of a real tracker set: test/integration/api-admin.test.ts.
import { describe, it } from 'vitest';
import { runCli } from '../helpers/proc.js';
import { NOWHERE, expectUnreachable } from '../helpers/cli-expect.js';

describe('fdfs leader', () => {
  it('no tracker answering: exit 4 with a hint, or an error object under --json', async () => {
    expectUnreachable(await runCli(['leader', ...NOWHERE]));
    expectUnreachable(await runCli(['leader', '--json', ...NOWHERE]), true);
  });
});
