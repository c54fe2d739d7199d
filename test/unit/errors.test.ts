import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Errno, ERRNO_MESSAGES } from '../../src/errors.js';
import { ROOT } from '../helpers/proc.js';

describe('README error table', () => {
  it('lists exactly the errno values of src/errors.ts with their messages', () => {
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Error codes'), readme.indexOf('## Development'));
    const rows = [...section.matchAll(/^\| (\d+) \| (\w+) \| (.+) \|$/gm)].map((m) => [Number(m[1]), m[2], m[3]]);
    const expected = Object.entries(Errno).map(([name, value]) => [value, name, ERRNO_MESSAGES[name as keyof typeof Errno]]);
    expect(rows).toEqual(expected);
  });
});
