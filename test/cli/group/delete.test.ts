// `fdfs group delete` without a server: it needs the group.
// Deleting a real group (EBUSY while it has storages): test/integration/api-admin.test.ts.
import { describe, it } from 'vitest';
import { runCli } from '../../helpers/proc.js';
import { NOWHERE, expectParseError, expectUnreachable } from '../../helpers/cli-expect.js';

describe('fdfs group delete', () => {
  it('needs GROUP (exit 2)', async () => {
    expectParseError(await runCli(['group', 'delete', ...NOWHERE]), /Missing 1 required arg:\n.*group/);
  });

  it('reaches for the tracker (exit 4 when nothing answers)', async () => {
    // It asks every tracker through TrackerSet.each, which leaves the error's role at 'server' (not 'tracker').
    expectUnreachable(await runCli(['group', 'delete', 'group9', ...NOWHERE]), false, 'server');
  });
});
