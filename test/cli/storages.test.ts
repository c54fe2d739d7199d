// `fdfs storages` without a server: the unreachable-tracker answer, plain and as --json's error object.
// Listing real storages, by group and id: test/integration/api-admin.test.ts.
import { describe, it } from 'vitest';
import { runCli } from '../helpers/proc.js';
import { NOWHERE, expectUnreachable } from '../helpers/cli-expect.js';

describe('fdfs storages', () => {
  it('no tracker answering: exit 4 with a hint, or an error object under --json', async () => {
    expectUnreachable(await runCli(['storages', ...NOWHERE]));
    expectUnreachable(await runCli(['storages', '--json', ...NOWHERE]), true);
  });
});
