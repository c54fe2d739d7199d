// Pass 1 of config loading: FastDFS .conf syntax (spec 10.6) into raw `key → items[]` per section,
// following `#include`, keeping the file:line of every value. No types, no defaults here.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ConfigError } from '../errors.js';
import { child } from '../log.js';

/** One `key = value` occurrence. */
export interface RawItem {
  value: string;
  file: string;
  line: number;
}

/** Keys of one section in first-seen order; repeated keys keep every occurrence in file order. */
export type RawSection = Map<string, RawItem[]>;

export interface RawConf {
  /** The top-level file (or virtual path) that was parsed. */
  path: string;
  /** Items outside any section; `[]` and `#include`d files feed it too. */
  global: RawSection;
  /** `[name]` sections in first-seen order. */
  sections: Map<string, RawSection>;
  /** Every file read, top file first. */
  files: string[];
}

/** The one logger method the config layer needs (a pino Logger fits). */
export interface WarnLog {
  warn(obj: object, msg: string): void;
}

export interface ParseOptions {
  /** Reads an included file; default `fs.readFileSync(path, 'utf8')`. */
  readFile?: (path: string) => string;
  /** Where warnings go; default `child({ module: 'config' })`. */
  log?: WarnLog;
}

/** libfastcommon limits: longer keys and values are truncated with a warning. */
export const MAX_KEY_LEN = 63;
export const MAX_VALUE_LEN = 255;

const INCLUDE_RE = /^#include[ \t]+(.+)$/;

/** The config layer's logger (a child of the current root logger). */
export function configLog(): WarnLog {
  return child({ module: 'config' });
}

/** Reads and parses a .conf file, following `#include` relative to each including file. */
export function parseConfFile(path: string, opts: ParseOptions = {}): RawConf {
  const file = resolve(path);
  const read = opts.readFile ?? ((p: string) => readFileSync(p, 'utf8'));
  let text: string;
  try {
    text = read(file);
  } catch (err) {
    throw new ConfigError(`cannot read config file: ${(err as Error).message}`, file);
  }
  return parseConfText(text, file, opts);
}

/** Parses .conf text as if read from `virtualPath` (includes resolve against its directory). */
export function parseConfText(text: string, virtualPath: string, opts: ParseOptions = {}): RawConf {
  const raw: RawConf = { path: virtualPath, global: new Map(), sections: new Map(), files: [] };
  const ctx: Ctx = {
    raw,
    read: opts.readFile ?? ((p: string) => readFileSync(p, 'utf8')),
    log: opts.log ?? configLog(),
    stack: [],
  };
  parseInto(ctx, text, virtualPath);
  return raw;
}

interface Ctx {
  raw: RawConf;
  read: (path: string) => string;
  log: WarnLog;
  /** Files being parsed, outermost first: an include of one of them is a cycle. */
  stack: string[];
}

function parseInto(ctx: Ctx, text: string, file: string): void {
  const abs = resolve(file);
  ctx.stack.push(abs);
  ctx.raw.files.push(file);
  let section: RawSection = ctx.raw.global;
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const line = lines[i]!.trim();
    if (line === '') continue;
    if (line.startsWith('#')) {
      const inc = INCLUDE_RE.exec(line);
      if (inc) includeFile(ctx, inc[1]!.trim(), file, lineNo);
      else if (line.startsWith('#@')) {
        ctx.log.warn({ file, line: lineNo, directive: line.split(/\s/)[0] }, 'config directive not supported, ignored');
      }
      continue;
    }
    if (line.startsWith('[') && line.endsWith(']')) {
      const name = line.slice(1, -1).trim();
      section = name === '' ? ctx.raw.global : sectionOf(ctx.raw, name);
      continue;
    }
    const eq = line.indexOf('=');
    if (eq < 0) continue; // stock ignores lines without '='
    let key = line.slice(0, eq).trim();
    let value = line.slice(eq + 1).trim();
    if (key === '') {
      ctx.log.warn({ file, line: lineNo }, 'config line with an empty key, ignored');
      continue;
    }
    if (key.length > MAX_KEY_LEN) {
      ctx.log.warn({ file, line: lineNo, key }, `config key longer than ${MAX_KEY_LEN} chars, truncated`);
      key = key.slice(0, MAX_KEY_LEN);
    }
    if (value.length > MAX_VALUE_LEN) {
      ctx.log.warn({ file, line: lineNo, key }, `config value longer than ${MAX_VALUE_LEN} chars, truncated`);
      value = value.slice(0, MAX_VALUE_LEN);
    }
    addItem(section, key, { value, file, line: lineNo });
  }
  ctx.stack.pop();
}

function includeFile(ctx: Ctx, target: string, from: string, line: number): void {
  if (/^https?:\/\//i.test(target)) {
    throw new ConfigError(`#include of a URL is not supported: ${target}`, from, line);
  }
  const path = resolve(dirname(resolve(from)), target);
  if (ctx.stack.includes(path)) {
    const chain = [...ctx.stack.slice(ctx.stack.indexOf(path)), path].join(' -> ');
    throw new ConfigError(`#include cycle: ${chain}`, from, line);
  }
  let text: string;
  try {
    text = ctx.read(path);
  } catch (err) {
    throw new ConfigError(`cannot read #include ${target}: ${(err as Error).message}`, from, line);
  }
  // Items of an included file start in the global section; the includer's section resumes after it.
  parseInto(ctx, text, path);
}

function sectionOf(raw: RawConf, name: string): RawSection {
  let s = raw.sections.get(name);
  if (!s) raw.sections.set(name, (s = new Map()));
  return s;
}

function addItem(section: RawSection, key: string, item: RawItem): void {
  const list = section.get(key);
  if (list) list.push(item);
  else section.set(key, [item]);
}

/** The items of `key` in `section` ('' = global); empty when absent. */
export function rawItems(raw: RawConf, key: string, section = ''): RawItem[] {
  const s = section === '' ? raw.global : raw.sections.get(section);
  return s?.get(key) ?? [];
}

/** The last value of `key` ('' = global section), or undefined. */
export function rawValue(raw: RawConf, key: string, section = ''): string | undefined {
  const items = rawItems(raw, key, section);
  return items.length ? items[items.length - 1]!.value : undefined;
}

/** ConfigError pointing at the last `key` line (or the file when the key is absent), for cross-key checks. */
export function keyError(raw: RawConf, key: string, message: string): ConfigError {
  const item = rawItems(raw, key).at(-1);
  return new ConfigError(message, item?.file ?? raw.path, item?.line);
}
