// The import graph of src/ (relative `from '…'` and `import('…')` specifiers): no cycles, and
// dependencies point one way (STYLE.md §2: commands → cli → tracker | storage | client | http → net → protocol).
import { describe, it, expect } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../helpers/proc.js';

const SRC = path.join(ROOT, 'src');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = path.join(dir, d.name);
    return d.isDirectory() ? sources(p) : d.name.endsWith('.ts') ? [p] : [];
  });
}

/** file (relative to src/) → the files it imports (relative to src/; '../commands/…' when outside). */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sources(SRC)) {
    const text = readFileSync(file, 'utf8');
    const deps = [...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"](\.{1,2}\/[^'"]+)['"]/g)]
      .map((m) => path.relative(SRC, path.resolve(path.dirname(file), m[1]!)).replace(/\.js$/, '.ts'));
    graph.set(path.relative(SRC, file), deps);
  }
  return graph;
}

/** Strongly connected components of more than one file (Tarjan), each sorted. */
function cycles(graph: Map<string, string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) !== index.get(v)) return;
    const scc: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      scc.push(w);
    } while (w !== v);
    if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(scc.sort());
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

/** "a.ts -> b.ts" for every import from a file under one of `from` into one of `to` (top-level folders). */
function edges(graph: Map<string, string[]>, from: string[], to: (dep: string, file: string) => boolean): string[] {
  const out: string[] = [];
  for (const [file, deps] of graph) {
    if (!from.includes(file.split('/')[0]!)) continue;
    for (const dep of deps) if (to(dep, file)) out.push(`${file} -> ${dep}`);
  }
  return out.sort();
}

const top = (p: string) => p.split('/')[0]!;

describe('src/ import graph', () => {
  const graph = importGraph();

  it('parses the sources', () => {
    expect(graph.size).toBeGreaterThan(50);
    expect(graph.get('config/values.ts')).toContain('errors.ts');
  });

  it('has no import cycles', () => {
    expect(cycles(graph).map((c) => c.join(' '))).toEqual([]);
  });

  it('nothing in src/ imports commands/', () => {
    expect(edges(graph, [...new Set([...graph.keys()].map(top))], (d) => d.startsWith('../'))).toEqual([]);
  });

  it('storage/ and tracker/ do not import http/', () => {
    expect(edges(graph, ['storage', 'tracker'], (d) => top(d) === 'http')).toEqual([]);
  });

  it('tracker/, storage/ and client/ never import each other', () => {
    const roles = ['tracker', 'storage', 'client'];
    expect(edges(graph, roles, (d, f) => roles.includes(top(d)) && top(d) !== top(f))).toEqual([]);
  });

  it('errors.ts and log.ts import nothing of ours; protocol/, config/ and net/ import no role or cli code', () => {
    expect(graph.get('errors.ts')).toEqual([]);
    expect(graph.get('log.ts')).toEqual([]);
    const upper = ['tracker', 'storage', 'client', 'http', 'cli'];
    expect(edges(graph, ['protocol', 'config', 'net'], (d) => upper.includes(top(d)))).toEqual([]);
  });
});
