// Pass 1 of config loading (src/config/ini.ts): the FastDFS .conf syntax of spec 10.6 —
// trimming, comments, sections, repeated keys, #include (relative, cycles, missing) and file:line.
import { describe, it, expect } from 'vitest';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { keyError, parseConfFile, parseConfText, rawItems, rawValue, type WarnLog } from '../../../src/config/ini.js';
import { ConfigError } from '../../../src/errors.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures/conf');

function collect(): { log: WarnLog; list: Array<{ obj: Record<string, unknown>; msg: string }> } {
  const list: Array<{ obj: Record<string, unknown>; msg: string }> = [];
  return { list, log: { warn: (obj, msg) => list.push({ obj: obj as Record<string, unknown>, msg }) } };
}

/** An in-memory file system for #include tests. */
function memFs(files: Record<string, string>): (p: string) => string {
  return (p) => {
    const text = files[p];
    if (text === undefined) throw new Error(`ENOENT: no such file or directory, open '${p}'`);
    return text;
  };
}

function thrown(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('parseConfText', () => {
  it('trims key and value and splits at the first =', () => {
    const raw = parseConfText('  port   =   23000  \nurl = a=b=c\nempty =\n', '/v/x.conf');
    expect(rawValue(raw, 'port')).toBe('23000');
    expect(rawValue(raw, 'url')).toBe('a=b=c');
    expect(rawValue(raw, 'empty')).toBe('');
  });

  it('ignores comment lines, blank lines and lines without =', () => {
    const raw = parseConfText('# port = 1\n   # indented comment = x\n\njust words\nport = 2\n', '/v/x.conf');
    expect([...raw.global.keys()]).toEqual(['port']);
    expect(rawValue(raw, 'port')).toBe('2');
  });

  it('has no inline comments: the # and the rest belong to the value', () => {
    const raw = parseConfText('port = 23000 # x\n', '/v/x.conf');
    expect(rawValue(raw, 'port')).toBe('23000 # x');
  });

  it('keeps every occurrence of a repeated key with its file and line', () => {
    const raw = parseConfText('tracker_server = a:1\n\ntracker_server = b:2\n', '/v/s.conf');
    expect(rawItems(raw, 'tracker_server')).toEqual([
      { value: 'a:1', file: '/v/s.conf', line: 1 },
      { value: 'b:2', file: '/v/s.conf', line: 3 },
    ]);
  });

  it('puts keys under [section] and returns to global with []', () => {
    const raw = parseConfText('a = 1\n[access-log]\nenabled = true\n[ error-log ]\nkeep = 3\n[]\nb = 2\n', '/v/x.conf');
    expect([...raw.global.keys()]).toEqual(['a', 'b']);
    expect(rawValue(raw, 'enabled', 'access-log')).toBe('true');
    expect(rawValue(raw, 'keep', 'error-log')).toBe('3');
    expect(rawValue(raw, 'enabled')).toBeUndefined();
  });

  it('accepts CRLF line ends and a UTF-8 BOM', () => {
    const raw = parseConfText('\uFEFFport = 1\r\nbase_path = /x\r\n', '/v/x.conf');
    expect(rawValue(raw, 'port')).toBe('1');
    expect(rawItems(raw, 'base_path')[0]).toMatchObject({ value: '/x', line: 2 });
  });

  it('truncates over-long values and keys with a warning', () => {
    const w = collect();
    const raw = parseConfText(`k = ${'v'.repeat(300)}\n${'k'.repeat(70)} = 1\n`, '/v/x.conf', { log: w.log });
    expect(rawValue(raw, 'k')).toHaveLength(255);
    expect(rawValue(raw, 'k'.repeat(63))).toBe('1');
    expect(w.list).toHaveLength(2);
  });

  it('warns about #@ directives and ignores them', () => {
    const w = collect();
    const raw = parseConfText('#@set x = 1\nport = 1\n', '/v/x.conf', { log: w.log });
    expect([...raw.global.keys()]).toEqual(['port']);
    expect(w.list[0]!.obj).toMatchObject({ file: '/v/x.conf', line: 1 });
  });
});

describe('#include', () => {
  it('resolves relative to the including file and records where each value came from', () => {
    const readFile = memFs({
      '/etc/fdfs/http.conf': 'http.anti_steal.token_ttl = 900\n#include sub/more.conf\n',
      '/etc/fdfs/sub/more.conf': 'extra = 1\n',
    });
    const raw = parseConfText('port = 23000\n#include http.conf\nafter = 2\n', '/etc/fdfs/storage.conf', { readFile });
    expect(rawItems(raw, 'http.anti_steal.token_ttl')).toEqual([{ value: '900', file: '/etc/fdfs/http.conf', line: 1 }]);
    expect(rawItems(raw, 'extra')[0]!.file).toBe('/etc/fdfs/sub/more.conf');
    expect(rawItems(raw, 'after')[0]).toMatchObject({ file: '/etc/fdfs/storage.conf', line: 3 });
    expect(raw.files).toEqual(['/etc/fdfs/storage.conf', '/etc/fdfs/http.conf', '/etc/fdfs/sub/more.conf']);
  });

  it('puts included items in the global section, then resumes the includer\'s section', () => {
    const readFile = memFs({ '/c/inc.conf': 'included = yes\n' });
    const raw = parseConfText('[access-log]\n#include inc.conf\nenabled = true\n', '/c/main.conf', { readFile });
    expect(rawValue(raw, 'included')).toBe('yes');
    expect(rawValue(raw, 'enabled', 'access-log')).toBe('true');
  });

  it('needs #include followed by a blank: "##include x" and "#includex" are comments', () => {
    const raw = parseConfText('##include http.conf\n#includehttp.conf\n', '/c/main.conf', { readFile: memFs({}) });
    expect(raw.files).toEqual(['/c/main.conf']);
  });

  it('detects a cycle and names the file and line of the closing #include', () => {
    const readFile = memFs({ '/c/a.conf': 'a = 1\n#include b.conf\n', '/c/b.conf': '\n\n#include a.conf\n' });
    const err = thrown(() => parseConfFile('/c/a.conf', { readFile }));
    expect(err.file).toBe('/c/b.conf');
    expect(err.line).toBe(3);
    expect(err.message).toContain('/c/a.conf -> /c/b.conf -> /c/a.conf');
  });

  it('detects a file including itself', () => {
    const err = thrown(() => parseConfFile('/c/self.conf', { readFile: memFs({ '/c/self.conf': '#include ./self.conf\n' }) }));
    expect(err.message).toMatch(/^\/c\/self\.conf:1: #include cycle/);
  });

  it('allows the same file to be included twice without a cycle', () => {
    const readFile = memFs({ '/c/m.conf': '#include h.conf\n#include h.conf\n', '/c/h.conf': 'k = 1\n' });
    expect(rawItems(parseConfFile('/c/m.conf', { readFile }), 'k')).toHaveLength(2);
  });

  it('reports a missing include at file:line', () => {
    const err = thrown(() => parseConfText('\n#include nope.conf\n', '/c/m.conf', { readFile: memFs({}) }));
    expect(err.message).toMatch(/^\/c\/m\.conf:2: cannot read #include nope\.conf/);
  });

  it('refuses URL includes', () => {
    const err = thrown(() => parseConfText('#include http://example.com/x.conf\n', '/c/m.conf'));
    expect(err.line).toBe(1);
  });

  it('reads the stock fixture storage.conf and its http.conf from disk', () => {
    const raw = parseConfFile(join(FIXTURES, 'storage.conf'));
    expect(raw.files.map((f) => f.split('/').pop())).toEqual(['storage.conf', 'http.conf']);
    expect(rawItems(raw, 'tracker_server').map((i) => i.value)).toEqual(['192.168.209.121:22122', '192.168.209.122:22122']);
    expect(rawValue(raw, 'http.anti_steal.token_ttl')).toBe('900');
    expect(rawValue(raw, 'time_precision', 'access-log')).toBe('us');
  });

  it('reports an unreadable top file as ConfigError', () => {
    expect(() => parseConfFile(join(FIXTURES, 'missing.conf'))).toThrow(ConfigError);
  });
});

describe('keyError', () => {
  it('points at the last line of the key, or at the file when the key is absent', () => {
    const raw = parseConfText('a = 1\nb = 2\na = 3\n', '/etc/x.conf');
    expect(keyError(raw, 'a', 'a is wrong')).toMatchObject({ file: '/etc/x.conf', line: 3, message: '/etc/x.conf:3: a is wrong' });
    const absent = keyError(raw, 'zz', 'zz is needed');
    expect(absent).toBeInstanceOf(ConfigError);
    expect(absent.message).toBe('/etc/x.conf: zz is needed');
  });
});
