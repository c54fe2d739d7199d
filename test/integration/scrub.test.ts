// The background scrub (scrub_interval) repairs damage nobody reads: on one member, a small copy overwritten,
// a large copy overwritten with its mtime put back (so a read would trust it), and a file removed — all
// fetched again from the other member without a restart and without a single download.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { splitFileId } from '../../src/protocol/file-id.js';
import { startTwoMemberGroup, stopAll, waitFor, type StorageHandle, type TwoMemberGroup } from '../helpers/cluster.js';
import { fileInfoAt } from '../helpers/storage-direct.js';

let g: TwoMemberGroup;
const onDisk = (s: StorageHandle, id: string) => path.join(s.dir, 'data', splitFileId(id).logical.slice(4));

beforeAll(async () => {
  g = await startTwoMemberGroup({ storageConf: { scrub_interval: 1 } });
});

afterAll(async () => {
  g?.client.close();
  await stopAll([g?.s1, g?.s2, g?.tracker]);
});

async function replicated(content: Buffer): Promise<string> {
  const id = await g.client.upload(content, { ext: 'bin' });
  for (const s of [g.s1, g.s2]) await waitFor(`replica on ${s.address}`, () => fileInfoAt(s.address, id));
  return id;
}

function flipped(b: Buffer): Buffer {
  const bad = Buffer.from(b);
  bad[bad.length >> 1] ^= 0xff;
  return bad;
}

describe('scrub', () => {
  it('repairs damaged and missing copies on a member from the other, with no reads', async () => {
    const small = randomBytes(3000);
    const large = randomBytes(2 * 1024 * 1024);
    const gone = randomBytes(5000);
    const [a, b, c] = [await replicated(small), await replicated(large), await replicated(gone)];
    const s2 = g.s2;
    writeFileSync(onDisk(s2, a), flipped(small));
    const bTime = statSync(onDisk(s2, b)).mtime;
    writeFileSync(onDisk(s2, b), flipped(large));
    utimesSync(onDisk(s2, b), bTime, bTime);
    rmSync(onDisk(s2, c));
    await waitFor('every copy on s2 good again', async () =>
      readFileSync(onDisk(s2, a)).equals(small)
      && readFileSync(onDisk(s2, b)).equals(large)
      && existsSync(onDisk(s2, c)) && readFileSync(onDisk(s2, c)).equals(gone), 30_000, 500);
    expect(s2.proc.output).toMatch(/scrub pass done/);
  }, 60_000);
});
