// The wire fixtures themselves: each names where it was captured, holds bytes, and is used by a test.
import { describe, it, expect } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { WIRE_DIR, wire, wireNames } from '../../helpers/wire.js';

const TEST_ROOT = path.resolve(WIRE_DIR, '../..');

function testSources(dir: string): string {
  let out = '';
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory() && e.name !== 'fixtures') out += testSources(p);
    else if (e.name.endsWith('.ts')) out += readFileSync(p, 'utf8');
  }
  return out;
}

describe('test/fixtures/wire', () => {
  it('every fixture opens with what it is and where it was captured, then holds bytes', () => {
    const names = wireNames();
    expect(names.length).toBeGreaterThan(100);
    for (const n of names) {
      const head = readFileSync(path.join(WIRE_DIR, `${n}.hex`), 'utf8').split('\n').slice(0, 2);
      expect(head[0], n).toMatch(/^# \S/);
      expect(head[1], n).toMatch(/^# Captured: .*(6\.16\.1).*§12\.\d/);
      expect(wire(n).length, n).toBeGreaterThan(0);
    }
  });

  it('every fixture is used by a test', () => {
    const src = testSources(TEST_ROOT);
    const unused = wireNames().filter((n) => !src.includes(`'${n}'`));
    expect(unused).toEqual([]);
  });
});
