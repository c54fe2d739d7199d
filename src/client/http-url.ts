// HTTP download URLs for file IDs (spec §7.2): `[base]/group/Mxx/HH/HH/name[?token=…&ts=…][&filename=…]`,
// with the anti-steal token the gateway and fastdfs-nginx-module check (over the name without the group).
import { splitFileId } from '../protocol/file-id.js';
import { hmacUrlToken, httpToken as tokenOf } from '../protocol/http-token.js';

export interface HttpUrlOptions {
  /** `http://host:port` of a storage gateway or the tracker entry; omitted → a path-only URL. */
  base?: string;
  /** http.anti_steal.secret_key: adds `token` and `ts`. */
  secret?: string;
  /** Token timestamp (Unix seconds); default now. 0 = a token that never expires. */
  ts?: number;
  /** Download name (Content-Disposition). */
  filename?: string;
  /** fdfs gateways' http.token.hmac_secret: adds the HMAC token `sig` and its expiry `exp` (instead of token/ts). */
  hmacSecret?: string;
  /** Unix seconds the HMAC token expires at. @default now + 3600 */
  expires?: number;
  /** false: leave the group out of the path (gateways with url_have_group_name = false accept both). @default true */
  groupInPath?: boolean;
}

/** The anti-steal token of `fileId` (with or without its group) for `ts` (Unix seconds). */
export function httpToken(fileId: string, secret: string, ts: number = Math.floor(Date.now() / 1000)): string {
  return tokenOf(fileId, secret, ts);
}

/** A download URL for `fileId`; with `secret`, carrying a token valid from `ts` for the server's token_ttl. */
export function httpUrl(fileId: string, o: HttpUrlOptions = {}): string {
  const { group, logical } = splitFileId(fileId);
  const path = o.groupInPath === false ? `/${logical}` : `/${group}/${logical}`;
  const q = new URLSearchParams();
  if (o.hmacSecret !== undefined) {
    const exp = o.expires ?? Math.floor(Date.now() / 1000) + 3600;
    q.set('sig', hmacUrlToken(logical, o.hmacSecret, exp));
    q.set('exp', String(exp));
  } else if (o.secret !== undefined) {
    const ts = o.ts ?? Math.floor(Date.now() / 1000);
    q.set('token', tokenOf(logical, o.secret, ts));
    q.set('ts', String(ts));
  }
  if (o.filename) q.set('filename', o.filename);
  const query = q.toString();
  const base = (o.base ?? '').replace(/\/+$/, '');
  return `${base}${path}${query ? `?${query}` : ''}`;
}
