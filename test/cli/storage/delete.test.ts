// `fdfs storage delete` without a server: it needs the group and the storage.
// Deleting real storages (EBUSY while running, then gone): test/integration/api-admin.test.ts and policies-storage-ids.
import { describe, it } from 'vitest';
import { runCli } from '../../helpers/proc.js';
import { NOWHERE, expectParseError, expectUnreachable } from '../../helpers/cli-expect.js';

describe('fdfs storage delete', () => {
  it('needs GROUP and STORAGEID (exit 2)', async () => {
    expectParseError(await runCli(['storage', 'delete', 'group1', ...NOWHERE]), /Missing 1 required arg:\n.*storageId/);
  });

  it('reaches for the tracker (exit 4 when nothing answers)', async () => {
    // It asks every tracker through TrackerSet.each, which leaves the error's role at 'server' (not 'tracker').
    expectUnreachable(await runCli(['storage', 'delete', 'group1', '10.0.0.9', '--json', ...NOWHERE]), true, 'server');
  });
});
