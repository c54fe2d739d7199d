// Keys files. Server: one key a line, "KEY_ID RIGHTS SECRET [PREVIOUS_SECRET]" (hex secrets; the previous one
// stays valid until the key is rotated again, so clients can move over). Cluster secret file: "SECRET" lines,
// the first used to connect, up to two accepted. Client key file: "KEY_ID SECRET".
import { readFileSync, statSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { ConfigError } from '../errors.js';
import { isValidKeyId } from '../protocol/auth.js';
import { Rights } from './rights.js';

export interface ServerKey {
  id: string;
  rights: Rights;
  /** Current secret first; at most two. */
  secrets: Buffer[];
}

export interface ClientKey {
  id: string;
  secret: Buffer;
}

/** 32 random bytes as hex: a new secret. */
export function newSecret(): string {
  return randomBytes(32).toString('hex');
}

function secretOf(text: string, where: string): Buffer {
  if (!/^(?:[0-9a-fA-F]{2}){16,64}$/.test(text)) throw new ConfigError(`${where}: a secret must be 32 to 128 hex digits (make one with "fdfs key create")`);
  return Buffer.from(text, 'hex');
}

function meaningfulLines(text: string): Array<{ fields: string[]; line: number }> {
  return text.split('\n').map((l, i) => ({ fields: l.replace(/#.*/, '').trim().split(/\s+/).filter(Boolean), line: i + 1 }))
    .filter((l) => l.fields.length > 0);
}

function readText(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read the ${what} ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

export function parseServerKeys(text: string, file: string): Map<string, ServerKey> {
  const keys = new Map<string, ServerKey>();
  for (const { fields, line } of meaningfulLines(text)) {
    const where = `${file}:${line}`;
    if (fields.length < 3 || fields.length > 4) throw new ConfigError(`${where}: want "KEY_ID RIGHTS SECRET [PREVIOUS_SECRET]"`);
    const [id, rights, ...secrets] = fields as [string, string, ...string[]];
    if (!isValidKeyId(id) || id === 'cluster') throw new ConfigError(`${where}: key id "${id}" must be 1-64 letters, digits, . _ - (and not "cluster")`);
    if (keys.has(id)) throw new ConfigError(`${where}: key "${id}" is listed twice`);
    keys.set(id, { id, rights: Rights.parse(rights, where), secrets: secrets.map((s) => secretOf(s, where)) });
  }
  return keys;
}

/** The cluster secret file: one or two secrets, the first is current. */
export function loadClusterSecrets(file: string): Buffer[] {
  const lines = meaningfulLines(readText(file, 'cluster secret file'));
  if (lines.length < 1 || lines.length > 2 || lines.some((l) => l.fields.length !== 1)) {
    throw new ConfigError(`${file}: want one secret (hex) per line, the current one first, at most two (make one with "fdfs key cluster ${file}")`);
  }
  return lines.map((l) => secretOf(l.fields[0]!, `${file}:${l.line}`));
}

export function loadClientKey(file: string): ClientKey {
  const lines = meaningfulLines(readText(file, 'key file'));
  const first = lines[0];
  if (!first || lines.length !== 1 || first.fields.length !== 2) throw new ConfigError(`${file}: want one line "KEY_ID SECRET" (written by "fdfs key create")`);
  const [id, secret] = first.fields as [string, string];
  if (!isValidKeyId(id)) throw new ConfigError(`${file}: key id "${id}" must be 1-64 letters, digits, . _ -`);
  return { id, secret: secretOf(secret, `${file}:${first.line}`) };
}

/** A server's keys file, read again when its modification time changes (a rotation needs no restart). */
export class KeyStore {
  private keys: Map<string, ServerKey>;
  private mtimeMs: number;

  constructor(readonly file: string, private readonly onReloadError: (err: Error) => void) {
    this.mtimeMs = this.stamp();
    this.keys = parseServerKeys(readText(file, 'keys file'), file);
  }

  private stamp(): number {
    try {
      return statSync(this.file).mtimeMs;
    } catch {
      return -1;
    }
  }

  get(id: string): ServerKey | undefined {
    const now = this.stamp();
    if (now !== this.mtimeMs) {
      this.mtimeMs = now;
      try {
        this.keys = parseServerKeys(readText(this.file, 'keys file'), this.file);
      } catch (err) {
        // A broken edit keeps the keys already loaded.
        this.onReloadError(err as Error);
      }
    }
    return this.keys.get(id);
  }
}
