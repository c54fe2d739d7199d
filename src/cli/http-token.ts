// `fdfs token`: the secret and ttl from flags or client.conf (http.anti_steal.*), then a download URL whose
// token the storage gateway (and fastdfs-nginx-module) accepts until ts + ttl.
import { httpToken, httpUrl } from '../client/http-url.js';
import { loadClientConfig } from '../config/index.js';
import { splitFileId } from '../protocol/file-id.js';
import { UsageError } from '../errors.js';

export interface TokenRequest {
  fileId: string;
  secret?: string;
  /** client.conf to read http.anti_steal.secret_key / token_ttl from. */
  config?: string;
  /** The gateway's token_ttl (seconds), for the expiry shown. */
  ttl?: number;
  ts?: number;
  base?: string;
  filename?: string;
  /** The HMAC token (http.token.hmac_secret) instead of the MD5 one, valid for this many seconds. */
  hmac?: boolean;
  expiresIn?: number;
}

export interface TokenResult {
  fileId: string;
  url: string;
  token: string;
  ts: number;
  /** Unix seconds after which the gateway refuses the token; null = never (ts 0). */
  expires: number | null;
}

export function makeTokenUrl(r: TokenRequest): TokenResult {
  splitFileId(r.fileId); // a clear EINVAL for something that is no file ID
  const conf = r.config ? loadClientConfig(r.config) : null;
  if (r.hmac) return makeHmacUrl(r, r.secret ?? process.env.FDFS_HTTP_HMAC_SECRET ?? conf?.httpTokenHmacSecret ?? '');
  const secret = r.secret ?? process.env.FDFS_HTTP_SECRET ?? conf?.httpAntiStealSecretKey ?? '';
  if (!secret) throw new UsageError('no secret: pass --secret, set FDFS_HTTP_SECRET, or --config a client.conf with http.anti_steal.secret_key');
  if (r.base !== undefined && !/^https?:\/\/[^/?#\s]+\/?$/i.test(r.base)) {
    throw new UsageError(`bad --base "${r.base}" (want http://host[:port])`);
  }
  const ttl = r.ttl ?? conf?.httpAntiStealTokenTtl ?? 600;
  const ts = r.ts ?? Math.floor(Date.now() / 1000);
  const url = httpUrl(r.fileId, { base: r.base, secret, ts, filename: r.filename });
  return { fileId: r.fileId, url, token: httpToken(r.fileId, secret, ts), ts, expires: ts === 0 ? null : ts + ttl };
}

function makeHmacUrl(r: TokenRequest, secret: string): TokenResult {
  if (!secret) throw new UsageError('no secret: pass --secret, set FDFS_HTTP_HMAC_SECRET, or --config a client.conf with http.token.hmac_secret');
  checkBase(r.base);
  const expires = Math.floor(Date.now() / 1000) + (r.expiresIn ?? 3600);
  const url = httpUrl(r.fileId, { base: r.base, hmacSecret: secret, expires, filename: r.filename });
  return { fileId: r.fileId, url, token: new URL(url, 'http://x').searchParams.get('sig')!, ts: expires, expires };
}

function checkBase(base: string | undefined): void {
  if (base !== undefined && !/^https?:\/\/[^/?#\s]+\/?$/i.test(base)) throw new UsageError(`bad --base "${base}" (want http://host[:port])`);
}
