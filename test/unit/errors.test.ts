// The README's error tables match src/errors.ts, and src/errors.ts is the only file declaring errors.
import { describe, it, expect } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import * as errors from '../../src/errors.js';
import { einval, Errno, ERRNO_MESSAGES, ErrorCode, FdfsError, StatusError } from '../../src/errors.js';
import { ROOT } from '../helpers/proc.js';

function errorSection(): string {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  return readme.slice(readme.indexOf('## Error codes'), readme.indexOf('## Development'));
}

/** Every error class errors.ts exports, by name. */
const CLASSES = Object.entries(errors).filter(
  ([, v]) => typeof v === 'function' && v.prototype instanceof Error,
) as Array<[string, new (...args: never[]) => FdfsError]>;

describe('README error table', () => {
  it('lists exactly the errno values of src/errors.ts with their messages', () => {
    const rows = [...errorSection().matchAll(/^\| (\d+) \| (\w+) \| (.+) \|$/gm)].map((m) => [Number(m[1]), m[2], m[3]]);
    const expected = Object.entries(Errno).map(([name, value]) => [value, name, ERRNO_MESSAGES[name as keyof typeof Errno]]);
    expect(rows).toEqual(expected);
  });

  it('lists every error code and class of src/errors.ts, each class with the code it raises', () => {
    const rows = [...errorSection().matchAll(/^\| (FDFS_ERR_\S+) \| ([\w-]+) \| .+ \|$/gm)].map((m) => [m[1]!, m[2]!] as const);
    // A subclass may share its parent's code (one row each), so codes are compared as a set.
    const codes = new Set(rows.map(([code]) => code).filter((c) => !c.includes('&lt;')));
    expect([...codes].sort()).toEqual(Object.values(ErrorCode).sort());
    // FdfsError is the root: its code is whatever the thrower names, so it has no row.
    const named = rows.map(([, cls]) => cls).filter((c) => c !== '-').sort();
    expect(named).toEqual(CLASSES.map(([name]) => name).filter((n) => n !== 'FdfsError').sort());
    for (const [code, cls] of rows) {
      if (cls === '-') continue;
      const C = CLASSES.find(([name]) => name === cls)![1] as unknown as new (...a: unknown[]) => FdfsError;
      const e = cls === 'StatusError' ? new StatusError(Errno.ENOENT) : new C('x', 1);
      expect(e, cls).toBeInstanceOf(FdfsError);
      expect(e.code, cls).toBe(cls === 'StatusError' ? 'FDFS_ERR_ENOENT' : code);
    }
  });
});

describe('einval', () => {
  it('is the StatusError handlers and decoders throw for a bad request, with the command when known', () => {
    const e = einval('bad prefix', 11);
    expect(e).toBeInstanceOf(StatusError);
    expect(e).toMatchObject({ errno: Errno.EINVAL, cmd: 11, code: 'FDFS_ERR_EINVAL', message: 'bad prefix' });
    expect(einval('x').cmd).toBeUndefined();
  });
});

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = path.join(dir, d.name);
    return d.isDirectory() ? sources(p) : d.name.endsWith('.ts') ? [p] : [];
  });
}

describe('one tree of errors', () => {
  it('no file under src/ but errors.ts declares an error class or an FDFS_ERR_ code', () => {
    const strays: string[] = [];
    const src = path.join(ROOT, 'src');
    for (const file of sources(src)) {
      const rel = path.relative(src, file);
      if (rel === 'errors.ts') continue;
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/\bclass (\w+) extends (\w*(?:Error|Failure))\b/g)) {
        strays.push(`${rel}: class ${m[1]} extends ${m[2]}`);
      }
      for (const m of text.matchAll(/['"`](FDFS_ERR_\w+)['"`]/g)) {
        strays.push(`${rel}: ${m[1]}`);
      }
    }
    expect(strays).toEqual([]);
  });
});
