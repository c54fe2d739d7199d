// `fdfs info --offline` decodes a file ID with no server (like fdfs_file_info), as text and --json.
// Asking real storages (--server, appender and slave files): test/integration (spine, api-appender, api-slave).
import { describe, it, expect } from 'vitest';
import { runCli } from '../helpers/proc.js';
import { SAMPLE_ID, NOWHERE, expectParseError, expectPlainFailure } from '../helpers/cli-expect.js';

describe('fdfs info', () => {
  it('--offline: what the ID says, as fdfs_file_info prints it', async () => {
    const r = await runCli(['info', SAMPLE_ID, '--offline']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^GET FROM SERVER: false\n\nfile type: normal\nsource ip address: 192\.168\.5\.72\n/);
    expect(r.stdout).toMatch(/^file size: 13845$/m);
    expect(r.stdout).toMatch(/^file crc32: 2080349467 \(0x7bff9d1b\)$/m);
  });

  it('--offline --json: the same facts as an object', async () => {
    const r = await runCli(['info', SAMPLE_ID, '--offline', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ getFromServer: false, fileType: 'normal', sourceIpAddress: '192.168.5.72', fileSize: 13845, crc32: 2080349467 });
  });

  it('refuses a malformed ID (exit 1) and --server with --offline (exit 2)', async () => {
    expectPlainFailure(await runCli(['info', 'bad', '--offline']), 1, /^fdfs: bad file id "bad": no group \(EINVAL\)$/);
    expectParseError(await runCli(['info', SAMPLE_ID, '--offline', '--server', ...NOWHERE]), /--server=true cannot also be provided when using --offline/);
  });
});
