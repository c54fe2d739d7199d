// Anti-steal tokens (spec §7.1) against md5sum-computed vectors, the check's verdicts, the client's URLs,
// and the gateway's request-target parsing (every traversal spelling refused).
import { describe, it, expect } from 'vitest';
import { checkHmacUrlToken, checkHttpToken, hmacUrlToken, httpToken, tokenSubject } from '../../../src/protocol/http-token.js';
import { httpUrl } from '../../../src/client/http-url.js';
import { fileTarget, parseTarget } from '../../../src/http/url-path.js';

const ID = 'group1/M00/02/AC/Ck0AA2sB8HuAKOo1AAAAHWMZ9Uk701.txt';
const LOGICAL = 'M00/02/AC/Ck0AA2sB8HuAKOo1AAAAHWMZ9Uk701.txt';
const SECRET = 'FastDFS1234567890';
// printf '%s' "$LOGICAL$SECRET$TS" | md5sum
const TS = 1795289211;
const TOKEN = 'd1d90097ff69dcd7e68f2099f227f407';
const TOKEN_TS0 = '556fefff509339567951f13e58c1b6df';

describe('httpToken', () => {
  it('is md5 hex of the name without the group, the secret and the decimal ts', () => {
    expect(httpToken(ID, SECRET, TS)).toBe(TOKEN);
    expect(httpToken(LOGICAL, SECRET, TS)).toBe(TOKEN);
    expect(httpToken(ID, SECRET, 0)).toBe(TOKEN_TS0);
  });

  it('strips a group, also one that looks like a store path', () => {
    expect(tokenSubject(ID)).toBe(LOGICAL);
    expect(tokenSubject(`/${ID}`)).toBe(LOGICAL);
    expect(tokenSubject(`M00/${LOGICAL}`)).toBe(LOGICAL);
  });

  it('checks like fdfs_http_check_token', () => {
    const now = TS + 100;
    expect(checkHttpToken(LOGICAL, SECRET, TOKEN, String(TS), 600, now)).toBe('ok');
    expect(checkHttpToken(LOGICAL, SECRET, TOKEN, String(TS), 60, now)).toBe('expired');
    expect(checkHttpToken(LOGICAL, SECRET, TOKEN_TS0, '0', 1, now + 10 ** 6)).toBe('ok');
    expect(checkHttpToken(LOGICAL, SECRET, TOKEN.toUpperCase(), String(TS), 600, now)).toBe('invalid');
    expect(checkHttpToken(LOGICAL, 'other', TOKEN, String(TS), 600, now)).toBe('invalid');
    expect(checkHttpToken(LOGICAL, SECRET, TOKEN, String(TS + 1), 600, now)).toBe('invalid');
    expect(checkHttpToken(LOGICAL, SECRET, TOKEN.slice(1), String(TS), 600, now)).toBe('invalid');
    expect(checkHttpToken(LOGICAL, SECRET, TOKEN, '12x', 600, now)).toBe('invalid');
    expect(checkHttpToken(LOGICAL, SECRET, null, String(TS), 600, now)).toBe('missing');
    expect(checkHttpToken(LOGICAL, SECRET, TOKEN, undefined, 600, now)).toBe('missing');
  });
});

describe('httpUrl', () => {
  it('builds paths and full URLs with token, ts and filename', () => {
    expect(httpUrl(ID)).toBe(`/${ID}`);
    expect(httpUrl(ID, { base: 'http://10.0.0.5:8888/', secret: SECRET, ts: TS }))
      .toBe(`http://10.0.0.5:8888/${ID}?token=${TOKEN}&ts=${TS}`);
    expect(httpUrl(ID, { groupInPath: false, filename: 'a b.txt' })).toBe(`/${LOGICAL}?filename=a+b.txt`);
  });
});

describe('request targets', () => {
  const file = (url: string) => {
    const t = parseTarget(url);
    return t ? fileTarget(t.path) : null;
  };

  it('accepts file URLs with and without the group', () => {
    expect(file(`/${ID}?token=x`)).toEqual({ group: 'group1', logical: LOGICAL });
    expect(file(`/${LOGICAL}`)).toEqual({ group: '', logical: LOGICAL });
    expect(file(`/group1/M00/02/AC/Ck0AA2sB8HuAKOo1AAAAHWMZ9Uk701%2Etxt`)).toEqual({ group: 'group1', logical: LOGICAL });
  });

  it('refuses traversal in every spelling, absolute paths, NUL and junk', () => {
    for (const url of [
      '/group1/M00/02/AC/../../../../etc/passwd', '/group1/M00/02/AC/%2e%2e/%2e%2e/etc/passwd',
      '/group1/M00/02/AC/..%2f..%2fetc%2fpasswd', '/group1/M00/02/AC/%2E%2E%2F%2E%2E%2Fetc', '/group1/M00/02/AC/..',
      '/group1/M00/02/AC/%252e%252e%252fetc', '/group1/M00/02/AC/..%5c..%5cetc', '/group1/M00/02/AC/a\\..\\b',
      '//etc/passwd', '/etc/passwd', '/group1/M00/02/AC/x%00.txt', '/group1/M00/02/AC/.hidden',
      '/group1/M00/02/AC/a/b', '/group1/m00/02/ac/x', '/group1/M00/02/AC/', '/group1/M00/02/AC/%ff', 'http://x/y', '',
      '/group1/M00/02/AC/a..b', '/group1/M00/02/AC/%', '/../group1/M00/02/AC/x', '/group1/./M00/02/AC/x',
    ]) {
      expect(file(url), url).toBeNull();
    }
  });
});

describe('HMAC download token (fdfs)', () => {
  // python3: base64url(hmac(b'hmac-secret', b'fdfs-url-v1\0' + LOGICAL + b'\0' + b'1795289211', sha256)) without padding
  const SIG = 'cquzJMXLzGPYibCbFVaxfhJpQUTmpb_RJC7glNYgZkU';

  it('signs the name without the group and the expiry', () => {
    expect(hmacUrlToken(ID, 'hmac-secret', TS)).toBe(SIG);
    expect(hmacUrlToken(LOGICAL, 'hmac-secret', TS)).toBe(SIG);
  });

  it('always expires; takes any of the accepted secrets; refuses forgeries', () => {
    expect(checkHmacUrlToken(ID, ['hmac-secret'], SIG, String(TS), TS - 1)).toBe('ok');
    expect(checkHmacUrlToken(ID, ['new', 'hmac-secret'], SIG, String(TS), TS)).toBe('ok');
    expect(checkHmacUrlToken(ID, ['hmac-secret'], SIG, String(TS), TS + 1)).toBe('expired');
    expect(checkHmacUrlToken(ID, ['hmac-secret'], SIG, String(TS + 1), TS)).toBe('invalid');
    expect(checkHmacUrlToken(ID, ['hmac-secret'], SIG, '0', 0)).toBe('invalid');
    expect(checkHmacUrlToken(ID, ['hmac-secret'], null, String(TS), TS)).toBe('missing');
    expect(httpUrl(ID, { hmacSecret: 'hmac-secret', expires: TS })).toBe(`/${ID}?sig=${SIG}&exp=${TS}`);
  });
});
