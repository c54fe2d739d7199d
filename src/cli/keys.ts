// `fdfs key …`: create, rotate, retire and list keys in a server keys file, and make or rotate the cluster
// secret. Files are rewritten whole (temp file + rename, mode 0600); comments and other lines are kept.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { UsageError } from '../errors.js';
import { isValidKeyId } from '../protocol/auth.js';
import { loadClusterSecrets, newSecret, parseServerKeys } from '../security/keys.js';
import { Rights } from '../security/rights.js';

export interface KeyInfo {
  id: string;
  rights: string;
  /** 1, or 2 while a rotation is under way (the previous secret still accepted). */
  activeSecrets: number;
}

/** Written whole through a temp file, readable by the owner only. */
export function writeSecretFile(file: string, text: string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, text, { mode: 0o600 });
  renameSync(tmp, file);
}

function readKeysText(file: string, mustExist: boolean): string {
  if (!existsSync(file)) {
    if (mustExist) throw new UsageError(`keys file ${file} does not exist (create a key first: fdfs key create ID --rights … --keys-file ${file})`);
    return '# fdfs keys: KEY_ID RIGHTS SECRET [PREVIOUS_SECRET]   (rights: group1:upload,download;*:admin)\n';
  }
  const text = readFileSync(file, 'utf8');
  parseServerKeys(text, file); // refuse to edit a file the servers could not read
  return text;
}

/** The index of key `id`'s line, or −1. */
function lineOf(lines: string[], id: string): number {
  return lines.findIndex((l) => l.replace(/#.*/, '').trim().split(/\s+/)[0] === id);
}

/** A client key file's text for `id` with `secret`. */
export function clientKeyText(id: string, secret: string): string {
  return `${id} ${secret}\n`;
}

/** Adds a key; returns its secret (the client's key file text is `id secret`). */
export function createKey(keysFile: string, id: string, rights: string): string {
  if (!isValidKeyId(id) || id === 'cluster') throw new UsageError(`bad key id "${id}": 1-64 letters, digits, . _ - (and not "cluster")`);
  Rights.parse(rights, '--rights');
  const text = readKeysText(keysFile, false);
  const lines = text.replace(/\n$/, '').split('\n');
  if (lineOf(lines, id) >= 0) throw new UsageError(`key "${id}" already exists in ${keysFile} (rotate it: fdfs key rotate ${id})`);
  const secret = newSecret();
  writeSecretFile(keysFile, [...lines, `${id} ${rights} ${secret}`].join('\n') + '\n');
  return secret;
}

/** A new current secret for `id`; the old current one stays valid as the previous (an older one is dropped). */
export function rotateKey(keysFile: string, id: string): string {
  const lines = readKeysText(keysFile, true).replace(/\n$/, '').split('\n');
  const i = lineOf(lines, id);
  if (i < 0) throw new UsageError(`no key "${id}" in ${keysFile}`);
  const [, rights, current] = lines[i]!.replace(/#.*/, '').trim().split(/\s+/) as [string, string, string];
  const secret = newSecret();
  lines[i] = `${id} ${rights} ${secret} ${current}`;
  writeSecretFile(keysFile, lines.join('\n') + '\n');
  return secret;
}

/** Ends a rotation: only the current secret stays valid. Or, with `remove`, deletes the key. */
export function retireKey(keysFile: string, id: string, remove = false): void {
  const lines = readKeysText(keysFile, true).replace(/\n$/, '').split('\n');
  const i = lineOf(lines, id);
  if (i < 0) throw new UsageError(`no key "${id}" in ${keysFile}`);
  if (remove) lines.splice(i, 1);
  else lines[i] = lines[i]!.replace(/#.*/, '').trim().split(/\s+/).slice(0, 3).join(' ');
  writeSecretFile(keysFile, lines.join('\n') + '\n');
}

export function listKeys(keysFile: string): KeyInfo[] {
  const keys = parseServerKeys(readKeysText(keysFile, true), keysFile);
  return [...keys.values()].map((k) => ({ id: k.id, rights: k.rights.toString(), activeSecrets: k.secrets.length }));
}

/** Creates the cluster secret file, or rotates it (new secret first, the old one still accepted); `retire` drops the old one. */
export function clusterSecret(file: string, retire = false): { created: boolean; activeSecrets: number } {
  if (!existsSync(file)) {
    if (retire) throw new UsageError(`${file} does not exist`);
    writeSecretFile(file, `${newSecret()}\n`);
    return { created: true, activeSecrets: 1 };
  }
  const secrets = loadClusterSecrets(file).map((b) => b.toString('hex'));
  const next = retire ? secrets.slice(0, 1) : [newSecret(), secrets[0]!];
  writeSecretFile(file, next.join('\n') + '\n');
  return { created: false, activeSecrets: next.length };
}
