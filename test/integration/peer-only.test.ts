// Storage-to-storage commands (9, 16–19, 25, 26, 35, 37, 40) are taken only from the group's members as the
// tracker lists them: a host that is not one cannot delete or overwrite a replica, and the connection stays
// usable; replication between the members goes on.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { Errno } from '../../src/errors.js';
import { Connection } from '../../src/net/connection.js';
import { CommonCmd, StorageCmd } from '../../src/protocol/codes.js';
import { encodeFileName, splitFileId } from '../../src/protocol/file-id.js';
import { encodeReportServerIdRequest, encodeSyncDeleteRequest, encodeSyncFileHead, SYNC_NO_CONTENT_STATUS } from '../../src/protocol/sync.js';
import { encodeHeader } from '../../src/protocol/header.js';
import { allocHost, startTwoMemberGroup, stopAll, waitFor, type TwoMemberGroup } from '../helpers/cluster.js';
import { downloadAt, fileInfoAt, outcomeOf, sendInPieces } from '../helpers/storage-direct.js';

let g: TwoMemberGroup;
let id: string;
const content = randomBytes(1000);

beforeAll(async () => {
  g = await startTwoMemberGroup();
  id = await g.client.upload(content, { ext: 'txt' });
  for (const s of [g.s1, g.s2]) await waitFor(`replica on ${s.address}`, () => fileInfoAt(s.address, id));
});

afterAll(async () => {
  g?.client.close();
  await stopAll([g?.s1, g?.s2, g?.tracker]);
});


describe('a host outside the group', () => {
  it('is refused 9, 17 and 18 with EACCES, on a connection that keeps working, and the file stays intact', async () => {
    const { group, logical } = splitFileId(id);
    const c = await Connection.connect(g.s1.host, g.s1.port, { connectTimeout: 5, networkTimeout: 10, localAddress: allocHost() });
    try {
      expect(await outcomeOf(c.call(encodeReportServerIdRequest('10.9.9.9'), { cmd: StorageCmd.ReportServerId, maxBody: 0 }))).toBe(Errno.EACCES);
      expect(await outcomeOf(c.call(encodeSyncDeleteRequest({ timestamp: 1, group, filename: logical }),
        { cmd: StorageCmd.SyncDeleteFile, maxBody: 0 }))).toBe(Errno.EACCES);
      const evil = Buffer.alloc(content.length, 0x41);
      const head = encodeSyncFileHead(StorageCmd.SyncUpdateFile, { fileSize: evil.length, timestamp: 1, group, filename: logical });
      expect(await outcomeOf(c.call(Buffer.concat([head, evil]), { cmd: StorageCmd.SyncUpdateFile, maxBody: 0 }))).toBe(Errno.EACCES);
      // The same connection still answers.
      await c.call(encodeHeader(0, CommonCmd.ActiveTest, 0), { cmd: CommonCmd.ActiveTest, maxBody: 0 });
    } finally {
      c.destroy();
    }
    expect((await downloadAt(g.s1.address, id)).equals(content)).toBe(true);
    expect((await downloadAt(g.s2.address, id)).equals(content)).toBe(true);
  });

  it('a member that just joined is known at once: no replication of it was ever refused', async () => {
    // Each member's sender starts as soon as the other is listed; the receiver asks the trackers when its
    // member list (pushed at beats) does not name the sender yet.
    for (const [s, peer] of [[g.s1, g.s2], [g.s2, g.s1]] as const) {
      expect(s.proc.output).not.toContain(`is for the group's storages only; ${peer.host} is not one of them`);
    }
  });

  it('leaves replication between the members working', async () => {
    const more = randomBytes(5000);
    const next = await g.client.upload(more);
    for (const s of [g.s1, g.s2]) await waitFor(`replica on ${s.address}`, () => fileInfoAt(s.address, next));
    await g.client.delete(next);
    for (const s of [g.s1, g.s2]) await waitFor(`delete on ${s.address}`, async () => (await fileInfoAt(s.address, next)) === null);
  });
});

/** A new valid name for `data`, as member `source` would have named it now. */
function freshName(source: string, data: Buffer): string {
  return encodeFileName({
    source: { ipv4: source }, timestamp: Math.floor(Date.now() / 1000), size: data.length, kind: 'normal', crc32: zlib.crc32(data),
    ext: 'bin', storePathIndex: 0, subHigh: 0x3a, subLow: 0x5c,
  });
}

const binlogOf = (dir: string) => readFileSync(path.join(dir, 'data', 'sync', 'binlog.000'), 'utf8');

describe('a small replicated create (16), written inline once its connection has it whole', () => {
  it('a member\'s create sent in pieces is stored whole, in the binlog once; the same create again is EEXIST', async () => {
    const data = randomBytes(20_000);
    const logical = freshName(g.s2.host, data);
    const packet = Buffer.concat([encodeSyncFileHead(StorageCmd.SyncCreateFile, { fileSize: data.length, timestamp: 7, group: 'group1', filename: logical }), data]);
    expect(await sendInPieces(g.s1, g.s2.host, packet, 4, 30)).toBe(0);
    expect((await downloadAt(g.s1.address, `group1/${logical}`)).equals(data)).toBe(true);
    expect(binlogOf(g.s1.dir).split('\n').filter((l) => l.endsWith(` c ${logical}`))).toEqual([`7 c ${logical}`]);
    expect(await sendInPieces(g.s1, g.s2.host, packet, 1, 0)).toBe(Errno.EEXIST);
  });

  it('the "no content" form (status 0x11) of a name not here is ENOENT, never an empty file', async () => {
    const logical = freshName(g.s2.host, Buffer.alloc(0));
    const head = encodeSyncFileHead(StorageCmd.SyncCreateFile, { fileSize: 0, timestamp: 8, group: 'group1', filename: logical }, { noContent: true });
    expect(head[9]).toBe(SYNC_NO_CONTENT_STATUS);
    expect(await sendInPieces(g.s1, g.s2.host, head, 1, 0)).toBe(Errno.ENOENT);
    expect(await fileInfoAt(g.s1.address, `group1/${logical}`)).toBeNull();
  });

  it('from a host outside the group: EACCES and nothing stored', async () => {
    const data = randomBytes(3000);
    const logical = freshName(g.s2.host, data);
    const packet = Buffer.concat([encodeSyncFileHead(StorageCmd.SyncCreateFile, { fileSize: data.length, timestamp: 9, group: 'group1', filename: logical }), data]);
    expect(await sendInPieces(g.s1, allocHost(), packet, 2, 20)).toBe(Errno.EACCES);
    expect(await fileInfoAt(g.s1.address, `group1/${logical}`)).toBeNull();
  });
});
