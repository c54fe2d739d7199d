// Which token a download needs (issue 14): per-prefix rules over the module-compatible MD5 token and the
// fdfs HMAC token; the verdict for one request.
import type { AntiStealSettings, UrlTokenSettings } from '../config/index.js';
import { checkHmacUrlToken, checkHttpToken, type TokenVerdict } from '../protocol/http-token.js';

export type TokenMode = 'open' | 'md5' | 'hmac';

export class TokenPolicy {
  /** Longest prefix first. */
  private readonly rules: Array<{ prefix: string; mode: TokenMode }>;
  private readonly fallback: TokenMode;
  private readonly hmacSecrets: string[];

  constructor(private readonly cfg: AntiStealSettings & UrlTokenSettings) {
    this.rules = cfg.httpTokenRules.map((r) => {
      const [prefix, mode] = r.split(/\s+/) as [string, TokenMode];
      return { prefix: prefix.replace(/^\/+/, ''), mode };
    }).sort((a, b) => b.prefix.length - a.prefix.length);
    this.fallback = cfg.httpAntiStealCheckToken ? 'md5' : cfg.httpTokenHmacSecret ? 'hmac' : 'open';
    this.hmacSecrets = [cfg.httpTokenHmacSecret, cfg.httpTokenHmacPreviousSecret].filter(Boolean);
  }

  modeFor(group: string, logical: string): TokenMode {
    const name = `${group}/${logical}`;
    for (const r of this.rules) if (name.startsWith(r.prefix)) return r.mode;
    return this.fallback;
  }

  /** 'ok' when the file needs no token or the query carries a valid one for its mode. */
  check(group: string, logical: string, query: URLSearchParams): TokenVerdict {
    const mode = this.modeFor(group, logical);
    if (mode === 'open') return 'ok';
    // The HMAC token is accepted wherever a token is needed (it is the stronger one).
    if (this.hmacSecrets.length && (query.has('sig') || mode === 'hmac')) {
      return checkHmacUrlToken(logical, this.hmacSecrets, query.get('sig'), query.get('exp'));
    }
    if (mode === 'hmac') return 'missing';
    return checkHttpToken(logical, this.cfg.httpAntiStealSecretKey, query.get('token'), query.get('ts'), this.cfg.httpAntiStealTokenTtl);
  }
}
