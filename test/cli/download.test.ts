// `fdfs download` without a server: range flags and file IDs are checked first.
// Downloads from real storages: test/integration (spine, binary, progress, api-slave).
import { describe, it, expect } from 'vitest';
import { runCli } from '../helpers/proc.js';
import { SAMPLE_ID, NOWHERE, expectParseError, expectPlainFailure, expectUnreachable } from '../helpers/cli-expect.js';

describe('fdfs download', () => {
  it('a negative --offset or --length is a parse error (exit 2)', async () => {
    expectParseError(await runCli(['download', SAMPLE_ID, '-', '--offset', '-1', ...NOWHERE]), /--offset/);
    expectParseError(await runCli(['download', SAMPLE_ID, '-', '--length', '-5', ...NOWHERE]), /--length/);
  });

  it('a malformed file ID: one line naming it, exit 1', async () => {
    expectPlainFailure(await runCli(['download', 'no-group-here', '-', ...NOWHERE]), 1, /^fdfs: bad file id "no-group-here": no group \(EINVAL\)$/);
  });

  it('a good ID reaches for the tracker (exit 4 when nothing answers)', async () => {
    expectUnreachable(await runCli(['download', SAMPLE_ID, '-', ...NOWHERE]));
  });

  it('-t before the ID and destination takes one value: the ID and destination stay arguments', async () => {
    expectUnreachable(await runCli(['download', '-t', '127.0.0.1:1', SAMPLE_ID, '-']));
  });
});
