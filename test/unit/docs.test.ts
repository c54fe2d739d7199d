// What a fresh clone's reader meets: links that resolve inside the clone, the license package.json names,
// every dependency's install script reviewed (npm warns on `npm ci` otherwise), trunk files explained.
import { describe, it, expect } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../helpers/proc.js';

const DOCS = ['README.md', 'ARCHITECTURE.md'];
const read = (f: string) => readFileSync(path.join(ROOT, f), 'utf8');

describe('docs in a clone', () => {
  it.each(DOCS)('%s names no path outside the repository and every relative link exists', (doc) => {
    const text = read(doc);
    expect(text.match(/\.\.\/[\w./-]+/g) ?? []).toEqual([]);
    const links = [...text.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)].map((m) => m[1]).filter((l) => !/^[a-z]+:/.test(l));
    expect(links.filter((l) => !existsSync(path.join(ROOT, l)))).toEqual([]);
  });

  it('ships the license package.json declares', () => {
    const pkg = JSON.parse(read('package.json')) as { license: string };
    expect(pkg.license).toBe('MIT');
    expect(read('LICENSE')).toMatch(/^MIT License\n/);
  });

  it('README has a trunk files section naming what is not done yet', () => {
    expect(read('README.md')).toMatch(/### Trunk files \(small-file packing\)\n\nWith `use_trunk_file = true`.*Not done yet:/s);
  });

  it('every dependency install script is reviewed in allowScripts', () => {
    const out = execFileSync('npm', ['install-scripts', 'ls', '--json'], { cwd: ROOT, encoding: 'utf8' });
    expect((JSON.parse(out) as { allowScripts: unknown[] }).allowScripts).toEqual([]);
  });
});
