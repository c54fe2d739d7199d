// Replication that cannot wedge: a whole-file re-send of a sparse appender keeps its holes on the replica, and
// a record the peer keeps refusing (here a 4 TiB sparse file its disk cannot take: reserved space is checked
// before the body is read) is parked so that later files still replicate. Real tracker + two storages; the
// size mismatch that forces whole-file re-sends is made behind the peer's back.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync, statSync, truncateSync } from 'node:fs';
import path from 'node:path';
import { splitFileId } from '../../src/protocol/file-id.js';
import { startTwoMemberGroup, stopAll, waitFor, type StorageHandle, type TwoMemberGroup } from '../helpers/cluster.js';
import { fileInfoAt } from '../helpers/storage-direct.js';

let g: TwoMemberGroup;

beforeAll(async () => {
  g = await startTwoMemberGroup();
});

afterAll(async () => {
  g?.client.close();
  await stopAll([g?.s1, g?.s2, g?.tracker]);
});

const copyOn = (s: StorageHandle, id: string) => path.join(s.dir, 'data', splitFileId(id).logical.slice(4));

/** An appender on both members, and which member is its source (where changes go) and which the peer. */
async function replicatedAppender(content: Buffer): Promise<{ id: string; peer: StorageHandle }> {
  const id = await g.client.uploadAppender(content);
  for (const s of [g.s1, g.s2]) await waitFor(`replica on ${s.address}`, () => fileInfoAt(s.address, id));
  const source = (g.client.decodeFileId(id).source as { ipv4: string }).ipv4;
  return { id, peer: source === g.s1.host ? g.s2 : g.s1 };
}

function headOf(file: string, n: number): Buffer {
  const fd = openSync(file, 'r');
  try {
    const b = Buffer.alloc(n);
    readSync(fd, b, 0, n, 0);
    return b;
  } finally {
    closeSync(fd);
  }
}

describe('a whole-file re-send of a sparse appender', () => {
  it('keeps the holes on the replica: same size and bytes, a fraction of the blocks', async () => {
    const head = randomBytes(4096);
    const { id, peer } = await replicatedAppender(head);
    // The peer's copy no longer has the size the source expects: the truncate below goes as the whole file.
    truncateSync(copyOn(peer, id), 1);
    const size = 64 * 1024 * 1024 + 4096;
    await g.client.truncate(id, size);
    await waitFor('the whole file on the peer', async () => statSync(copyOn(peer, id)).size === size, 30_000);
    const st = statSync(copyOn(peer, id));
    expect(st.blocks * 512).toBeLessThan(8 * 1024 * 1024);
    expect(headOf(copyOn(peer, id), 4096).equals(head)).toBe(true);
  });
});

describe('a record the peer keeps refusing', () => {
  it('is parked after a few refusals, and files uploaded after it still replicate', async () => {
    const { id, peer } = await replicatedAppender(randomBytes(100));
    truncateSync(copyOn(peer, id), 1);
    // Far more than the disk has: the peer answers ENOSPC before reading the body, every time.
    await g.client.truncate(id, 4 * 1024 ** 4);
    const source = peer === g.s1 ? g.s2 : g.s1;
    const syncDir = path.join(source.dir, 'data', 'sync');
    const parkedFiles = () => readdirSync(syncDir).filter((f) => f.endsWith('.parked'));
    await waitFor('the refused record parked', async () => parkedFiles().length === 1, 45_000);
    expect(readFileSync(path.join(syncDir, parkedFiles()[0]!), 'utf8')).toContain(splitFileId(id).logical);
    // Uploads alternate between the members: half of these come after the parked record in the source's binlog.
    const later: string[] = [];
    for (let i = 0; i < 10; i++) later.push(await g.client.upload(randomBytes(3000)));
    expect(later.filter((f) => (g.client.decodeFileId(f).source as { ipv4: string }).ipv4 === source.host).length).toBeGreaterThan(2);
    await waitFor('the later files on both members', async () => {
      for (const f of later) {
        if ((await fileInfoAt(g.s1.address, f)) === null || (await fileInfoAt(g.s2.address, f)) === null) return false;
      }
      return true;
    }, 15_000);
    // Past the parked record: the source's mark (written when the sender is idle) no longer points before it.
    const binlog = readFileSync(path.join(syncDir, 'binlog.000'), 'utf8');
    const parkedAt = binlog.indexOf(` T ${splitFileId(id).logical}`);
    await waitFor('the mark past the parked record', async () => {
      const mark = readFileSync(path.join(syncDir, readdirSync(syncDir).find((f) => f.endsWith('.mark'))!), 'utf8');
      return Number(/binlog_offset=(\d+)/.exec(mark)![1]) > parkedAt;
    });
    // The peer never wrote the 4 TiB copy.
    expect(existsSync(copyOn(peer, id)) ? statSync(copyOn(peer, id)).size : 0).toBeLessThan(1024 ** 3);
  }, 90_000);
});
