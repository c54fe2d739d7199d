// Keys files and rights (src/security/keys.ts, rights.ts).
import { describe, it, expect } from 'vitest';
import { writeFileSync, mkdtempSync, utimesSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError } from '../../../src/errors.js';
import { KeyStore, loadClientKey, loadClusterSecrets, newSecret, parseServerKeys } from '../../../src/security/keys.js';
import { Rights } from '../../../src/security/rights.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'fdfs-keys-'));

describe('Rights', () => {
  it('grants operations per group, * for every group, all for every operation', () => {
    const r = Rights.parse('group1:upload,download;*:download;group2:all');
    expect(r.allows('group1', 'upload')).toBe(true);
    expect(r.allows('group1', 'delete')).toBe(false);
    expect(r.allows('group9', 'download')).toBe(true);
    expect(r.allows('group2', 'admin')).toBe(true);
    expect(r.allows(null, 'delete')).toBe(true);
    expect(Rights.parse('group1:download').allows(null, 'upload')).toBe(false);
  });

  it('refuses unknown operations and bad groups in plain words', () => {
    expect(() => Rights.parse('group1:write')).toThrow(/unknown operation "write"/);
    expect(() => Rights.parse('bad group:upload')).toThrow(ConfigError);
    expect(() => Rights.parse('')).toThrow(/no rights/);
  });
});

describe('keys files', () => {
  it('server keys: id, rights, current and previous secret', () => {
    const a = newSecret();
    const b = newSecret();
    const keys = parseServerKeys(`# comment\napp group1:upload ${a} ${b}\n`, 'keys.conf');
    expect(keys.get('app')!.secrets.map((s) => s.toString('hex'))).toEqual([a, b]);
    expect(() => parseServerKeys(`app group1:upload ${a}\napp group1:upload ${a}\n`, 'k')).toThrow(/listed twice/);
    expect(() => parseServerKeys('app group1:upload nothex\n', 'k')).toThrow(/hex digits/);
    expect(() => parseServerKeys(`cluster *:all ${a}\n`, 'k')).toThrow(/not "cluster"/);
  });

  it('the store reads the file again when it changes', () => {
    const file = path.join(dir, 'keys.conf');
    writeFileSync(file, `one *:all ${newSecret()}\n`);
    const errors: Error[] = [];
    const store = new KeyStore(file, (e) => errors.push(e));
    expect(store.get('one')).toBeDefined();
    writeFileSync(file, `two *:all ${newSecret()}\n`);
    utimesSync(file, new Date(), new Date(Date.now() + 5000));
    expect(store.get('one')).toBeUndefined();
    expect(store.get('two')).toBeDefined();
    // A broken edit keeps the previous keys.
    writeFileSync(file, 'garbage\n');
    utimesSync(file, new Date(), new Date(Date.now() + 10_000));
    expect(store.get('two')).toBeDefined();
    expect(errors).toHaveLength(1);
  });

  it('client key and cluster secret files', () => {
    const s = newSecret();
    const k = path.join(dir, 'app.key');
    writeFileSync(k, `app ${s}\n`);
    expect(loadClientKey(k).id).toBe('app');
    const c = path.join(dir, 'cluster.secret');
    writeFileSync(c, `${s}\n${newSecret()}\n`);
    expect(loadClusterSecrets(c)).toHaveLength(2);
    writeFileSync(c, `${s}\n${s}\n${s}\n`);
    expect(() => loadClusterSecrets(c)).toThrow(/at most two/);
    expect(() => loadClientKey(path.join(dir, 'missing.key'))).toThrow(/cannot read the key file/);
  });
});
