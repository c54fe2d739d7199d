// Every kind of change reaches every member (§9.2, §9.5): deletes, metadata overwrite (O) and merge (M),
// appender append/modify/truncate and regenerate (rename), both live and for a member that was down meanwhile.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { FdfsClient } from '../../src/client/index.js';
import { StorageStatus } from '../../src/protocol/codes.js';
import { restartStorage, stopAll, waitFor, type TrackerHandle, type StorageHandle, storageStatus, startTwoMemberGroup } from '../helpers/cluster.js';
import { downloadAt, fileInfoAt, metadataAt } from '../helpers/storage-direct.js';

let tracker: TrackerHandle;
let s1: StorageHandle;
let s2: StorageHandle;
let client: FdfsClient;

const statusOf = (s: StorageHandle): Promise<number | undefined> => storageStatus(client, s.host);

const members = () => [s1, s2];

/** Wait until `check` holds on every member. */
async function onAll(what: string, check: (s: StorageHandle) => Promise<boolean>, ms = 15_000): Promise<void> {
  await waitFor(what, async () => {
    for (const s of members()) if (!(await check(s))) return false;
    return true;
  }, ms, 100);
}

const contentIs = (id: string, text: string) => async (s: StorageHandle) =>
  (await fileInfoAt(s.address, id)) !== null && (await downloadAt(s.address, id)).toString() === text;
const gone = (id: string) => async (s: StorageHandle) => (await fileInfoAt(s.address, id)) === null;
const metaIs = (id: string, want: Record<string, string> | null) => async (s: StorageHandle) =>
  JSON.stringify(await metadataAt(s.address, id)) === JSON.stringify(want);

beforeAll(async () => {
  ({ tracker, s1, s2, client } = await startTwoMemberGroup());
});

afterAll(async () => {
  client?.close();
  await stopAll([s1, s2, tracker]);
});

describe('replicated operations', () => {
  it('replicates metadata O and M, and deletes of data and sidecar', async () => {
    const id = await client.upload(Buffer.from('with metadata'), { ext: 'txt', metadata: { color: 'red' } });
    await onAll('file and metadata everywhere', async (s) => (await contentIs(id, 'with metadata')(s)) && (await metaIs(id, { color: 'red' })(s)));
    await client.setMetadata(id, { size: 'big' }, 'merge');
    await onAll('merged metadata everywhere', metaIs(id, { color: 'red', size: 'big' }));
    await client.setMetadata(id, { only: 'this' }, 'overwrite');
    await onAll('overwritten metadata everywhere', metaIs(id, { only: 'this' }));
    await client.setMetadata(id, {}, 'overwrite');
    await onAll('metadata removed everywhere', metaIs(id, null));
    await client.setMetadata(id, { again: '1' }, 'overwrite');
    await onAll('metadata back everywhere', metaIs(id, { again: '1' }));
    await client.delete(id);
    await onAll('file deleted everywhere', async (s) => (await gone(id)(s)) && (await metaIs(id, null)(s)));
  });

  it('a burst of small uploads, then of deletes, reaches the other member pipelined', async () => {
    const bodies = Array.from({ length: 240 }, (_, i) => Buffer.from(`burst file ${i} `.repeat(1 + (i % 40))));
    const ids: string[] = [];
    // 8 uploads at a time, so the binlog gathers records faster than one round trip each would carry them.
    for (let i = 0; i < bodies.length; i += 8) {
      ids.push(...(await Promise.all(bodies.slice(i, i + 8).map((b) => client.upload(b, { ext: 'txt' })))));
    }
    for (let i = 0; i < ids.length; i++) await onAll(`file ${i} everywhere`, contentIs(ids[i]!, bodies[i]!.toString()));
    const said = /the peer takes pipelined replication/;
    expect(said.test(s1.proc.output) || said.test(s2.proc.output)).toBe(true);
    // Deletes in a burst go pipelined too.
    const doomed = ids.filter((_, i) => i % 2 === 0);
    for (let i = 0; i < doomed.length; i += 8) await Promise.all(doomed.slice(i, i + 8).map((id) => client.delete(id)));
    for (const id of doomed) await onAll(`${id} deleted everywhere`, gone(id));
    for (let i = 1; i < ids.length; i += 2) await onAll(`file ${i} kept everywhere`, contentIs(ids[i]!, bodies[i]!.toString()));
  });

  it('replicates appender append, modify, truncate and regenerate', async () => {
    const id = await client.uploadAppender(Buffer.from('hello'), { ext: 'log' });
    await onAll('appender everywhere', contentIs(id, 'hello'));
    await client.append(id, Buffer.from(' world'));
    await onAll('append everywhere', contentIs(id, 'hello world'));
    await client.modify(id, 0, Buffer.from('J'));
    await onAll('modify everywhere', contentIs(id, 'Jello world'));
    await client.truncate(id, 8);
    await onAll('truncate everywhere', contentIs(id, 'Jello wo'));
    // Changes in quick succession converge too (records may be pushed after later changes: current content).
    await client.append(id, Buffer.from('rld!'));
    await client.modify(id, 1, Buffer.from('E'));
    await client.truncate(id, 11);
    await client.append(id, Buffer.from('?'));
    await onAll('burst converged everywhere', contentIs(id, 'JEllo world?'));
    const renamed = await client.regenerateAppenderFilename(id);
    expect(renamed).not.toBe(id);
    await onAll('renamed everywhere', async (s) => (await contentIs(renamed, 'JEllo world?')(s)) && (await gone(id)(s)));
  });

  it('brings a member that was down up to date with deletes, metadata and appender changes', async () => {
    const keep = await client.upload(Buffer.from('keep me'), { ext: 'txt', metadata: { v: '1' } });
    const drop = await client.upload(Buffer.from('drop me'), { ext: 'txt' });
    const app = await client.uploadAppender(Buffer.from('0123456789'), { ext: 'bin' });
    await onAll('initial files everywhere', async (s) =>
      (await contentIs(keep, 'keep me')(s)) && (await contentIs(drop, 'drop me')(s)) && (await contentIs(app, '0123456789')(s)));
    // Stop the member that is not the source of the appender file (changes must go to the source).
    const appSrc = JSON.stringify(client.decodeFileId(app).source);
    const down = JSON.stringify({ ipv4: s1.host }) === appSrc ? s2 : s1;
    await down.proc.stop();
    await waitFor('member OFFLINE', async () => (await statusOf(down)) === StorageStatus.Offline, 10_000);
    const dropSrc = JSON.stringify(client.decodeFileId(drop).source);
    const keepSrc = JSON.stringify(client.decodeFileId(keep).source);
    const downIp = JSON.stringify({ ipv4: down.host });
    // Only change files whose source is up (the tracker sends updates to the source).
    if (dropSrc !== downIp) await client.delete(drop);
    if (keepSrc !== downIp) await client.setMetadata(keep, { v: '2', w: 'x' }, 'merge');
    await client.append(app, Buffer.from('ABC'));
    await client.truncate(app, 5);
    await client.modify(app, 5, Buffer.from('xyz'));
    await restartStorage(down);
    await waitFor('member ACTIVE again', async () => (await statusOf(down)) === StorageStatus.Active, 20_000);
    await onAll('appender converged everywhere', contentIs(app, '01234xyz'));
    if (dropSrc !== downIp) await onAll('delete reached everywhere', gone(drop));
    if (keepSrc !== downIp) await onAll('metadata merge reached everywhere', metaIs(keep, { v: '2', w: 'x' }));
  });

  it('sends the whole file after a rename whose earlier changes found the old name gone', async () => {
    const app = await client.uploadAppender(Buffer.from('hello'), { ext: 'log' });
    await onAll('appender everywhere', contentIs(app, 'hello'));
    const srcIp = JSON.stringify(client.decodeFileId(app).source);
    const down = JSON.stringify({ ipv4: s1.host }) === srcIp ? s2 : s1;
    await down.proc.stop();
    await waitFor('member OFFLINE', async () => (await statusOf(down)) === StorageStatus.Offline, 10_000);
    // By the time the peer is back the old name is gone here: A/M/T cannot be replayed, R would move 'hello'.
    await client.append(app, Buffer.from(' world'));
    await client.modify(app, 0, Buffer.from('J'));
    await client.truncate(app, 8);
    const renamed = await client.regenerateAppenderFilename(app);
    await restartStorage(down);
    await waitFor('member ACTIVE again', async () => (await statusOf(down)) === StorageStatus.Active, 20_000);
    await onAll('renamed file final everywhere', async (s) => (await contentIs(renamed, 'Jello wo')(s)) && (await gone(app)(s)));
  });

  it('retires the mark of a member the administrator deleted (kept as .mark.<YYYYMMDDhhmmss>)', async () => {
    const syncDir = path.join(s1.dir, 'data', 'sync');
    const mark = `${s2.host}_${s2.port}.mark`;
    await waitFor('s1 has a mark for s2', async () => existsSync(path.join(syncDir, mark)));
    await s2.proc.stop();
    await waitFor('s2 OFFLINE', async () => (await statusOf(s2)) === StorageStatus.Offline, 10_000);
    await client.deleteStorage('group1', s2.host);
    await waitFor('mark retired', async () => !existsSync(path.join(syncDir, mark)), 10_000);
    expect(readdirSync(syncDir).filter((f) => f.startsWith(mark))).toEqual([expect.stringMatching(/\.mark\.\d{14}$/)]);
  });
});

