// `fdfs upload` without a server: what it refuses before contacting anything, and how an unreachable
// tracker looks (plain, and as --json's error object). Uploads to real storages: test/integration (spine, binary, api-*).
import { describe, it, expect } from 'vitest';
import { runCli } from '../helpers/proc.js';
import { APPENDER_ID, NOWHERE, expectParseError, expectPlainFailure, expectUnreachable } from '../helpers/cli-expect.js';

describe('fdfs upload', () => {
  it('--prefix needs --slave-of, and --slave-of excludes --appender (exit 2)', async () => {
    expectParseError(await runCli(['upload', '-', '--prefix', '_s', ...NOWHERE], { input: 'x' }), /--slave-of/);
    expectParseError(await runCli(['upload', '-', '--slave-of', APPENDER_ID, '--prefix', '_s', '--appender', ...NOWHERE], { input: 'x' }), /--appender/);
  });

  it('a missing local file: one line, exit 2', async () => {
    expectPlainFailure(await runCli(['upload', '/nonexistent/file.txt', ...NOWHERE]), 2, /^fdfs: cannot read \/nonexistent\/file\.txt: no such file$/);
  });

  it('a bad --tracker address: one line, exit 2', async () => {
    expectPlainFailure(await runCli(['upload', '-', '-t', 'bad:addr:x'], { input: 'x' }), 2, /^fdfs: bad tracker address "bad:addr:x"/);
  });

  it('no tracker answering: exit 4, a hint in text, an error object under --json', async () => {
    expectUnreachable(await runCli(['upload', '-', ...NOWHERE], { input: 'x' }));
    expectUnreachable(await runCli(['upload', '-', '--json', ...NOWHERE], { input: 'x' }), true);
  });

  it('repeatable flags before the files take one value each and leave the files as arguments', async () => {
    // Reached the file check: -t and -m did not swallow the path.
    expectPlainFailure(await runCli(['upload', '-t', '127.0.0.1:1', '-m', 'k=v', '/nonexistent/file.txt']), 2,
      /^fdfs: cannot read \/nonexistent\/file\.txt: no such file$/);
    expectPlainFailure(await runCli(['upload', '--tracker=127.0.0.1:1', '-t', '127.0.0.1:2', '/nonexistent/file.txt']), 2,
      /^fdfs: cannot read \/nonexistent\/file\.txt: no such file$/);
    // Both files reach the upload (the tracker is the first thing that fails).
    expectUnreachable(await runCli(['upload', '-t', '127.0.0.1:1', '-', '-'], { input: 'x' }));
  });
});
