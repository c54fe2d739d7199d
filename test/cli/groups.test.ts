// `fdfs groups` without a server: the unreachable-tracker answer, plain and as --json's error object.
// Listing real groups (and ENOENT for an unknown one): test/integration/api-admin.test.ts.
import { describe, it } from 'vitest';
import { runCli } from '../helpers/proc.js';
import { NOWHERE, expectUnreachable } from '../helpers/cli-expect.js';

describe('fdfs groups', () => {
  it('no tracker answering: exit 4 with a hint, or an error object under --json', async () => {
    expectUnreachable(await runCli(['groups', ...NOWHERE]));
    expectUnreachable(await runCli(['groups', '--json', ...NOWHERE]), true);
  });
});
