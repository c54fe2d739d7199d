// Errors a user meets against real servers (issue 11 item 9): each says what happened and what to do, in one
// line with the right exit code, where the wire only carries an errno (or the peer is not what the user thinks).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { runCli } from '../helpers/proc.js';
import { startStorage, startTracker, stopAll, waitAllActive, type StorageHandle, type TrackerHandle } from '../helpers/cluster.js';
import { expectPlainFailure } from '../helpers/cli-expect.js';
import { FdfsClient } from '../../src/client/index.js';

const TRACKER_HTTP = 8080;
let tracker: TrackerHandle;
let storage: StorageHandle;
let normalId: string;
let appenderId: string;
const t = () => ['-t', tracker.address];

beforeAll(async () => {
  tracker = await startTracker({ conf: { 'http.server_port': TRACKER_HTTP } });
  storage = await startStorage({ trackers: [tracker.address] });
  const client = new FdfsClient({ trackers: [tracker.address] });
  try {
    await waitAllActive(client, [storage]);
    normalId = await client.upload(Buffer.from('0123456789'), { ext: 'txt' });
    appenderId = await client.uploadAppender(Buffer.from('abcdef'), { ext: 'log' });
  } finally {
    client.close();
  }
});

afterAll(async () => {
  await stopAll([storage, tracker]);
});

describe('messages that say what happened', () => {
  it('meta get on a file without metadata prints nothing, exit 0; a missing file is not found (exit 3)', async () => {
    const r = await runCli(['meta', 'get', normalId, ...t()]);
    expect(r).toMatchObject({ code: 0, stdout: '', stderr: '' });
    const json = await runCli(['meta', 'get', normalId, '--json', ...t()]);
    expect(JSON.parse(json.stdout)).toEqual({ fileId: normalId, metadata: {} });
    const gone = normalId.replace(/\w{4}\.txt$/, 'zzzz.txt');
    expectPlainFailure(await runCli(['meta', 'get', gone, ...t()]), 3, new RegExp(`^fdfs: file ${gone} not found \\(ENOENT\\)$`));
  });

  it('append to a normal file: it is not an appender file, and how to make one', async () => {
    expectPlainFailure(await runCli(['append', normalId, '-', ...t()], { input: 'more' }), 1,
      new RegExp(`^fdfs: ${normalId} is not an appender file; .*\\(upload with --appender, .*\\) \\(EINVAL\\)$`));
  });

  it('-t at an HTTP port: it does not speak the FastDFS tracker protocol (exit 4)', async () => {
    expectPlainFailure(await runCli(['upload', '-', '-t', `${tracker.host}:${TRACKER_HTTP}`], { input: 'x' }), 4,
      new RegExp(`^fdfs: ${tracker.host}:${TRACKER_HTTP} does not speak the FastDFS tracker protocol \\(is it an HTTP port\\?\\)$`));
  });

  it('-t at a storage: it is not a tracker (exit 2)', async () => {
    expectPlainFailure(await runCli(['upload', '-', '-t', storage.address], { input: 'x' }), 2,
      new RegExp(`^fdfs: ${storage.address} is not a tracker: .*probably a storage server — give a tracker's address`));
  });

  it('-t with a port out of range: a plain line before connecting (exit 2)', async () => {
    expectPlainFailure(await runCli(['upload', '-', '-t', `${tracker.host}:99999`], { input: 'x' }), 2,
      new RegExp(`^fdfs: bad tracker address "${tracker.host}:99999": port 99999 is not between 1 and 65535$`));
  });

  it('an offset past the end (download, modify): says the offset and the size', async () => {
    expectPlainFailure(await runCli(['download', normalId, '-', '--offset', '50', ...t()]), 1,
      /^fdfs: offset 50 is past the end of the file \(size 10\) \(EINVAL\)$/);
    expectPlainFailure(await runCli(['modify', appenderId, '9', '-', ...t()], { input: 'xy' }), 1,
      /^fdfs: offset 9 is past the end of the file \(size 6\) \(EINVAL\)$/);
  });

  it('group delete of a group with storages: names them and what to do first', async () => {
    expectPlainFailure(await runCli(['group', 'delete', 'group1', ...t()]), 1, new RegExp(
      `^fdfs: group group1 still has 1 storage: ${storage.host} \\(ACTIVE\\); stop it, then remove it with \`fdfs storage delete group1 ${storage.host}\`, then delete the group \\(EBUSY\\)$`));
  });

  it('an ID with a trailing space: malformed, and why', async () => {
    expectPlainFailure(await runCli(['download', `${normalId} `, '-', ...t()]), 1,
      new RegExp(`^fdfs: the file ID "${normalId} " is malformed: it ends with whitespace \\(copied along with it\\?\\) — remove it \\(EINVAL\\)$`));
    expectPlainFailure(await runCli(['exists', 'group1/not-an-id', ...t()]), 1,
      /^fdfs: the file ID "group1\/not-an-id" is malformed: after the group it must read Mxx\/xx\/xx\/NAME/);
  });
});
