// Layering guard (STYLE §2): the roles never build HTTP servers; src/cli/serve wires src/http to them.
import { describe, it, expect } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('serve layer', () => {
  it('no file in src/storage or src/tracker imports src/http', () => {
    const offenders = ['src/storage', 'src/tracker'].flatMap(sources)
      .filter((f) => /^\s*(import|export)\b[^;]*from\s+['"][./]*\/http\//m.test(readFileSync(f, 'utf8')));
    expect(offenders).toEqual([]);
  });
});
