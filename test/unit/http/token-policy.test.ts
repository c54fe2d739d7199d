// Which token a download needs (src/http/token-policy.ts): longest prefix rule, then the defaults.
import { describe, it, expect } from 'vitest';
import { TokenPolicy } from '../../../src/http/token-policy.js';
import { hmacUrlToken, httpToken } from '../../../src/protocol/http-token.js';

const base = { httpAntiStealCheckToken: false, httpAntiStealTokenTtl: 600, httpAntiStealSecretKey: 'md5-secret', httpTokenHmacSecret: '', httpTokenHmacPreviousSecret: '', httpTokenRules: [] as string[] };
const NAME = 'M00/00/01/abc.txt';
const now = () => Math.floor(Date.now() / 1000);
const md5q = () => new URLSearchParams({ token: httpToken(NAME, 'md5-secret', now()), ts: String(now()) });
const hmacq = (s = 'h') => new URLSearchParams({ sig: hmacUrlToken(NAME, s, now() + 60), exp: String(now() + 60) });

describe('TokenPolicy', () => {
  it('defaults: open; md5 with check_token; hmac with only an HMAC secret', () => {
    expect(new TokenPolicy(base).check('group1', NAME, new URLSearchParams())).toBe('ok');
    const md5 = new TokenPolicy({ ...base, httpAntiStealCheckToken: true });
    expect(md5.check('group1', NAME, new URLSearchParams())).toBe('missing');
    expect(md5.check('group1', NAME, md5q())).toBe('ok');
    const hmac = new TokenPolicy({ ...base, httpTokenHmacSecret: 'h' });
    expect(hmac.check('group1', NAME, md5q())).toBe('missing');
    expect(hmac.check('group1', NAME, hmacq())).toBe('ok');
  });

  it('the longest matching prefix decides', () => {
    const p = new TokenPolicy({ ...base, httpTokenHmacSecret: 'h', httpTokenHmacPreviousSecret: 'old',
      httpTokenRules: ['group1/ md5', 'group1/M00/00/ open', 'group1/M00/00/01/ hmac'] });
    expect(p.modeFor('group1', NAME)).toBe('hmac');
    expect(p.modeFor('group1', 'M00/00/02/x')).toBe('open');
    expect(p.modeFor('group1', 'M01/00/02/x')).toBe('md5');
    expect(p.modeFor('group2', 'M01/00/02/x')).toBe('hmac');
    expect(p.check('group1', NAME, hmacq('old'))).toBe('ok');
    expect(p.check('group1', 'M01/00/02/x', new URLSearchParams())).toBe('missing');
  });
});
