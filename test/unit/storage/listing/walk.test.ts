// walkFiles over a real directory tree: walk order, what is left out (temp files, sidecars, stray dirs),
// the original name from a sidecar, and the three filters (since, prefix, resume after a name).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdirSync, rmSync, writeFileSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { walkFiles } from '../../../../src/storage/listing/walk.js';
import { encodeFileName } from '../../../../src/protocol/file-id.js';
import { encodeMetadata } from '../../../../src/protocol/metadata.js';
import { tempDir } from '../../../helpers/cluster.js';

const root = tempDir('fdfs-walk-');
const data = [path.join(root, 'p0', 'data'), path.join(root, 'p1', 'data')];

function put(index: number, high: number, low: number, ts: number, body: string, ext = 'txt'): string {
  const logical = encodeFileName({
    source: { ipv4: '10.0.0.1' }, timestamp: ts, size: body.length, kind: 'normal', crc32: 0x1234abcd, ext,
    storePathIndex: index, subHigh: high, subLow: low,
  });
  const abs = path.join(data[index]!, logical.slice(4));
  mkdirSync(path.dirname(abs), { recursive: true });
  writeFileSync(abs, body);
  return logical;
}

async function all(o: Parameters<typeof walkFiles>[1] = {}) {
  const out = [];
  for await (const f of walkFiles(data, o)) out.push(f);
  return out;
}

let names: string[] = [];

beforeAll(() => {
  names = [
    put(1, 0, 0, 1700000300, 'e'),
    put(0, 2, 1, 1700000200, 'dd'),
    put(0, 0, 1, 1700000100, 'ccc'),
    put(0, 0, 0, 1700000000, 'a'),
    put(0, 0, 0, 1700000050, 'bb'),
  ];
  const leaf = path.join(data[0]!, '00', '00');
  writeFileSync(path.join(leaf, '.abcdefghijkl.tmp'), 'temp');
  writeFileSync(path.join(data[0]!, '00', '01', path.basename(names[2]!) + '-m'), encodeMetadata({ filename: 'report.pdf', k: 'v' }));
  mkdirSync(path.join(data[0]!, 'sync'), { recursive: true });
  mkdirSync(path.join(data[0]!, 'zz', '00'), { recursive: true });
  writeFileSync(path.join(data[0]!, 'zz', '00', 'stray'), 'x');
  symlinkSync('/nonexistent', path.join(leaf, 'dangling'));
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('walkFiles', () => {
  it('lists every file once in walk order (path, HH, HH, name), without temp files, sidecars or strays', async () => {
    const got = await all();
    expect(got.map((f) => f.name)).toEqual([...names].sort());
    const c = got.find((f) => f.name === names[2])!;
    expect(c).toEqual({ name: names[2], size: 3, time: 1700000100, crc32: '1234abcd', filename: 'report.pdf' });
    expect(got.find((f) => f.name === names[3])!.filename).toBeUndefined();
  });

  it('since keeps files created at or after it', async () => {
    expect((await all({ since: 1700000100 })).map((f) => f.time).sort()).toEqual([1700000100, 1700000200, 1700000300]);
  });

  it('prefix narrows to a store path, a first-level or a leaf directory', async () => {
    expect((await all({ prefix: 'M01' })).map((f) => f.name)).toEqual([names[0]]);
    expect((await all({ prefix: 'M00/00' })).map((f) => f.name)).toEqual([names[3], names[4], names[2]].sort());
    expect((await all({ prefix: 'M00/00/01/' })).map((f) => f.name)).toEqual([names[2]]);
  });

  it('after resumes strictly after a name, so pages join up without gaps or repeats', async () => {
    const full = (await all()).map((f) => f.name);
    const pages: string[] = [];
    let after = '';
    for (let i = 0; i < 10; i++) {
      const page = [];
      for await (const f of walkFiles(data, { after })) {
        page.push(f.name);
        if (page.length === 2) break;
      }
      if (!page.length) break;
      pages.push(...page);
      after = page[page.length - 1]!;
    }
    expect(pages).toEqual(full);
  });
});
