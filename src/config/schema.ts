// Pass 2 machinery: each role's schema is a table of typed fields {key, type, default, doc}; this file
// applies a table to a RawConf (defaults, units, ConfigError at file:line, unknown-key warnings) and renders it back.
import { dirname, resolve } from 'node:path';
import { ConfigError } from '../errors.js';
import { configLog, type RawConf, type RawItem, type WarnLog } from './ini.js';
import {
  formatHostPort, formatReservedSpace, formatSize, formatTimeOfDay, parseBool, parseEnum,
  parseHostPort, parseInteger, parseReservedSpace, parseSize, parseTimeOfDay,
  type HostPort, type IntRange, type ReservedSpace, type TimeOfDay, type Where,
} from './values.js';
import { AllowHosts } from './allow-hosts.js';

export interface ReadContext<T> {
  raw: RawConf;
  /** Items of `key` in the field's own section. */
  items(key: string): RawItem[];
  /** Keys present in the field's own section. */
  keys(): string[];
  /** Fields already read (table order), for defaults that depend on them. */
  partial: Partial<T>;
  log: WarnLog;
  /** Directory that relative file names resolve against (the conf file's). */
  confDir: string;
}

/** One row of a schema: a typed field of the config object read from stock key(s). */
export interface Field<T, K extends keyof T = keyof T> {
  /** camelCase field of the typed config object. */
  name: K;
  /** The stock key (or the first of a key family, e.g. `store_path0`). */
  key: string;
  /** `[section]` it lives in; '' = global. */
  section: string;
  /** What it does; rendered as the comment above the key. */
  doc: string;
  /** The default as conf text ('(required)' when there is none). */
  defaultText: string;
  /** True for the raw keys of its section this field consumes. */
  owns(key: string): boolean;
  read(ctx: ReadContext<T>): T[K];
  /** `key = value` lines for a value. */
  render(value: T[K]): string[];
}

export interface Schema<T> {
  role: string;
  fields: ReadonlyArray<Field<T, any>>;
  /** Global keys accepted silently with no effect (stock keys fdfs has no use for). */
  ignored?: readonly string[];
  /** Cross-field checks after all fields are read. */
  validate?(cfg: T, raw: RawConf): void;
  /** Comment lines opening a rendered file. */
  header: readonly string[];
}

export interface ApplyOptions {
  /** Where warnings go; default `child({ module: 'config' })`. */
  log?: WarnLog;
}

/** Marks a field with no default: absence is a ConfigError. */
export const REQUIRED: unique symbol = Symbol('required');
type Def<V> = V | typeof REQUIRED;

/** Keys of T whose type is exactly V. */
type KeysOf<T, V> = { [K in keyof T]-?: T[K] extends V ? (V extends T[K] ? K : never) : never }[keyof T];
/** Keys of T whose type is a subtype of V (string unions for oneOf). */
type SubKeysOf<T, V> = { [K in keyof T]-?: T[K] extends V ? K : never }[keyof T];

export function line(key: string, value: string): string {
  return value === '' ? `${key} =` : `${key} = ${value}`;
}

export function at(item: RawItem, key: string): Where {
  return { key, file: item.file, line: item.line };
}

/** The last item of `key`, warning when a single-valued key is repeated. */
export function lastItem(ctx: { items(key: string): RawItem[]; log: WarnLog }, key: string): RawItem | undefined {
  const items = ctx.items(key);
  const last = items[items.length - 1];
  if (last && items.length > 1) {
    const first = items[0]!;
    ctx.log.warn({ key, file: last.file, line: last.line, first: `${first.file}:${first.line}` },
      `config key "${key}" repeated; the last value (${last.file}:${last.line}) wins`);
  }
  return last;
}

interface ScalarSpec<V> {
  section?: string;
  default: Def<V>;
  defaultText?: string;
  parse(value: string, where: Where, ctx: ReadContext<unknown>): V;
  format(value: V): string;
}

function scalar<T, K extends keyof T>(name: K, key: string, doc: string, s: ScalarSpec<T[K]>): Field<T, K> {
  return {
    name, key, doc, section: s.section ?? '',
    defaultText: s.defaultText ?? (s.default === REQUIRED ? '(required)' : s.format(s.default as T[K])),
    owns: (k) => k === key,
    read(ctx) {
      const item = lastItem(ctx, key);
      if (item) return s.parse(item.value, at(item, key), ctx as ReadContext<unknown>);
      if (s.default === REQUIRED) throw new ConfigError(`${key} is required`, ctx.raw.path);
      return s.default;
    },
    render: (v) => [line(key, s.format(v))],
  };
}

interface Opts {
  section?: string;
}

/** Typed field builders for config object T: `const f = fields<StorageConfig>()`. */
export function fields<T>() {
  return {
    int<K extends KeysOf<T, number>>(name: K, key: string, def: Def<number>, doc: string,
      o: Opts & IntRange & { allowed?: number[] } = {}): Field<T, K> {
      return scalar<T, K>(name, key, doc, {
        ...o, default: def as Def<T[K]>, format: String,
        parse(v, w) {
          const n = parseInteger(v, w, o);
          if (o.allowed && !o.allowed.includes(n)) throw new ConfigError(`${key}: bad value "${v}": expected one of ${o.allowed.join(', ')}`, w.file, w.line);
          return n as T[K];
        },
      });
    },
    size<K extends KeysOf<T, number>>(name: K, key: string, def: Def<number>, doc: string,
      o: Opts & IntRange = {}): Field<T, K> {
      return scalar<T, K>(name, key, doc, {
        ...o, default: def as Def<T[K]>, format: (v) => formatSize(v as number),
        parse: (v, w) => parseSize(v, w, o) as T[K],
      });
    },
    bool<K extends KeysOf<T, boolean>>(name: K, key: string, def: boolean, doc: string, o: Opts = {}): Field<T, K> {
      return scalar<T, K>(name, key, doc, {
        ...o, default: def as T[K], format: String, parse: (v) => parseBool(v) as T[K],
      });
    },
    /** A string; `path` resolves a non-empty value (and the default) against the conf file's directory. */
    str<K extends KeysOf<T, string>>(name: K, key: string, def: Def<string>, doc: string,
      o: Opts & { pattern?: RegExp; patternText?: string; path?: boolean } = {}): Field<T, K> {
      const f = scalar<T, K>(name, key, doc, {
        ...o, default: def as Def<T[K]>, format: String,
        parse(v, w, ctx) {
          if (o.pattern && !o.pattern.test(v)) {
            throw new ConfigError(`${key}: bad value "${v}": ${o.patternText ?? `must match ${o.pattern}`}`, w.file, w.line);
          }
          return (o.path && v !== '' ? resolve(ctx.confDir, v) : v) as T[K];
        },
      });
      if (!o.path || def === REQUIRED || def === '') return f;
      return { ...f, read: (ctx) => (ctx.items(key).length ? f.read(ctx) : resolve(ctx.confDir, def) as T[K]) };
    },
    time<K extends KeysOf<T, TimeOfDay>>(name: K, key: string, def: string, doc: string, o: Opts = {}): Field<T, K> {
      return scalar<T, K>(name, key, doc, {
        ...o, default: parseTimeOfDay(def) as T[K], format: (v) => formatTimeOfDay(v as TimeOfDay),
        parse: (v, w) => parseTimeOfDay(v, w) as T[K],
      });
    },
    oneOf<K extends SubKeysOf<T, string>, V extends T[K] & string>(name: K, key: string, def: V, values: readonly V[],
      doc: string, o: Opts & { aliases?: Record<string, V> } = {}): Field<T, K> {
      return scalar<T, K>(name, key, doc, {
        ...o, default: def, format: String, parse: (v, w) => parseEnum(v, values, w, o.aliases),
      });
    },
    /** A positive integer or `auto`. */
    intOrAuto<K extends KeysOf<T, number | 'auto'>>(name: K, key: string, def: number | 'auto', doc: string,
      o: Opts & IntRange = {}): Field<T, K> {
      return scalar<T, K>(name, key, doc, {
        ...o, default: def as T[K], format: String,
        parse: (v, w) => (v.trim().toLowerCase() === 'auto' ? 'auto' : parseInteger(v, w, o)) as T[K],
      });
    },
    reserved<K extends KeysOf<T, ReservedSpace>>(name: K, key: string, def: string, doc: string): Field<T, K> {
      return scalar<T, K>(name, key, doc, {
        default: parseReservedSpace(def) as T[K], format: (v) => formatReservedSpace(v as ReservedSpace),
        parse: (v, w) => parseReservedSpace(v, w) as T[K],
      });
    },
    /** Repeatable `host[,host2]:port` lines (`tracker_server`). */
    servers<K extends KeysOf<T, HostPort[]>>(name: K, key: string, doc: string,
      o: { defaultPort: number; required: boolean }): Field<T, K> {
      return {
        name, key, doc, section: '', defaultText: o.required ? '(required, repeatable)' : '(none, repeatable)',
        owns: (k) => k === key,
        read(ctx) {
          const items = ctx.items(key);
          if (o.required && items.length === 0) throw new ConfigError(`${key} is required`, ctx.raw.path);
          return items.map((i) => parseHostPort(i.value, at(i, key), o.defaultPort)) as T[K];
        },
        render: (v) => (v as HostPort[]).map((hp) => line(key, formatHostPort(hp))),
      };
    },
    /** Repeatable `allow_hosts` patterns; default `*`. */
    allowHosts<K extends KeysOf<T, AllowHosts>>(name: K, key: string, doc: string): Field<T, K> {
      return {
        name, key, doc, section: '', defaultText: '*', owns: (k) => k === key,
        read: (ctx) => (AllowHosts.fromItems(ctx.items(key), key) as T[K]),
        render: (v) => (v as AllowHosts).patterns.map((p) => line(key, p)),
      };
    },
    /** A repeatable key's values, in order (none = []). */
    list<K extends KeysOf<T, string[]>>(name: K, key: string, doc: string, o: { pattern: RegExp; patternText: string }): Field<T, K> {
      return {
        name, key, doc, section: '', defaultText: '(none, repeatable)', owns: (k) => k === key,
        read: (ctx) => ctx.items(key).map((i) => {
          if (!o.pattern.test(i.value)) throw new ConfigError(`${key}: bad value "${i.value}": ${o.patternText}`, i.file, i.line);
          return i.value.trim();
        }) as T[K],
        render: (v) => (v as string[]).map((x) => line(key, x)),
      };
    },
    /** Repeatable host patterns in the allow_hosts syntax; none given = null (no host listed). */
    hostList<K extends KeysOf<T, AllowHosts | null>>(name: K, key: string, doc: string): Field<T, K> {
      return {
        name, key, doc, section: '', defaultText: '(none, repeatable)', owns: (k) => k === key,
        read: (ctx) => (ctx.items(key).length ? AllowHosts.fromItems(ctx.items(key), key) : null) as T[K],
        render: (v) => ((v as AllowHosts | null)?.patterns ?? []).map((p) => line(key, p)),
      };
    },
  };
}

function contextFor<T>(raw: RawConf, section: string, partial: Partial<T>, log: WarnLog): ReadContext<T> {
  const s = section === '' ? raw.global : raw.sections.get(section);
  return {
    raw, partial, log, confDir: dirname(resolve(raw.path)),
    items: (key) => s?.get(key) ?? [],
    keys: () => [...(s?.keys() ?? [])],
  };
}

/** Pass 2: a typed config from raw items; warns once per unknown key occurrence. */
export function applySchema<T>(schema: Schema<T>, raw: RawConf, opts: ApplyOptions = {}): T {
  const log = opts.log ?? configLog();
  const partial: Partial<T> = {};
  for (const f of schema.fields) {
    partial[f.name as keyof T] = f.read(contextFor<T>(raw, f.section, partial, log));
  }
  warnUnknownKeys(schema, raw, log);
  const cfg = partial as T;
  schema.validate?.(cfg, raw);
  return cfg;
}

/** A config from defaults plus `given` values (no file); fields without a default must be given. */
export function schemaDefaults<T>(schema: Schema<T>, given: Partial<T>, confPath = 'fdfs.conf'): T {
  const raw: RawConf = { path: confPath, global: new Map(), sections: new Map(), files: [] };
  const partial: Partial<T> = {};
  for (const f of schema.fields) {
    const name = f.name as keyof T;
    partial[name] = name in given ? given[name] : f.read(contextFor<T>(raw, f.section, partial, configLog()));
  }
  schema.validate?.(partial as T, raw);
  return partial as T;
}

export function warnUnknownKeys<T>(schema: Schema<T>, raw: RawConf, log: WarnLog): void {
  const sections: Array<[string, Map<string, RawItem[]>]> = [['', raw.global], ...raw.sections];
  for (const [section, items] of sections) {
    for (const [key, list] of items) {
      if (section === '' && schema.ignored?.includes(key)) continue;
      if (schema.fields.some((f) => f.section === section && f.owns(key))) continue;
      const name = section ? `[${section}] ${key}` : key;
      for (const i of list) {
        log.warn({ key, section: section || undefined, file: i.file, line: i.line },
          `unknown ${schema.role} config key "${name}" at ${i.file}:${i.line}, ignored`);
      }
    }
  }
}

function wrap(text: string, width = 76): string[] {
  const out: string[] = [];
  for (const para of text.split('\n')) {
    let cur = '';
    for (const word of para.split(/\s+/).filter(Boolean)) {
      if (cur && cur.length + 1 + word.length > width) {
        out.push(cur);
        cur = word;
      } else cur = cur ? `${cur} ${word}` : word;
    }
    out.push(cur);
  }
  return out;
}

/** Stock-format conf text for `cfg`: every key with its doc and default as comments. */
export function renderConf<T>(schema: Schema<T>, cfg: T): string {
  const out = [...schema.header.map((h) => (h ? `# ${h}` : '#')), ''];
  const sections = [...new Set(schema.fields.map((f) => f.section))];
  for (const section of sections) {
    if (section) out.push(`[${section}]`, '');
    for (const f of schema.fields.filter((x) => x.section === section)) {
      for (const l of wrap(f.doc)) out.push(l ? `# ${l}` : '#');
      out.push(`# default: ${f.defaultText === '' ? '(empty)' : f.defaultText}`);
      const lines = f.render(cfg[f.name as keyof T]);
      // Nothing to write (e.g. no tracker_server yet): leave the key commented out as a placeholder.
      if (!lines.length && !f.key.includes('*')) lines.push(`#${line(f.key, '')}`);
      out.push(...lines, '');
    }
  }
  return `${out.join('\n').trimEnd()}\n`;
}
