// The HTTP anti-steal token of spec §7.1 (fdfs_http_shared.c): md5 hex of file id ‖ secret ‖ decimal ts,
// shared by the HTTP gateway (check) and the client library (URL generation); pure, no I/O.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** `Mxx/HH/HH/` at the start of a logical name (a group name never looks like this: no `/` inside). */
const LOGICAL_START = /^M[0-9A-F]{2}\/[0-9A-F]{2}\/[0-9A-F]{2}\//;

/**
 * The part of a file ID tokens are computed over: the logical name without the group, as the nginx module
 * checks it in both url_have_group_name modes (§7.1). `group1/M00/…` and `M00/…` give the same string.
 */
export function tokenSubject(fileId: string): string {
  const id = fileId.replace(/^\/+/, '');
  if (LOGICAL_START.test(id)) return id;
  const slash = id.indexOf('/');
  return slash === -1 ? id : id.slice(slash + 1);
}

/** 32 lowercase hex chars: md5(tokenSubject(fileId) ‖ secret ‖ String(ts)). */
export function httpToken(fileId: string, secret: string, ts: number): string {
  if (!Number.isSafeInteger(ts) || ts < 0) throw new RangeError(`bad token timestamp ${ts}`);
  return createHash('md5').update(tokenSubject(fileId)).update(secret).update(String(ts)).digest('hex');
}

export type TokenVerdict = 'ok' | 'missing' | 'invalid' | 'expired';

/**
 * fdfs_http_check_token: a 32-char token; `ts` 0 never expires, otherwise `now - ts > ttl` is expired;
 * then an exact (case-sensitive, constant-time) comparison with the recomputed token.
 */
export function checkHttpToken(
  fileId: string, secret: string, token: string | null | undefined, tsText: string | null | undefined,
  ttl: number, now = Math.floor(Date.now() / 1000),
): TokenVerdict {
  if (!token || !tsText) return 'missing';
  if (token.length !== 32 || !/^\d{1,15}$/.test(tsText)) return 'invalid';
  const ts = Number(tsText);
  if (ts !== 0 && now - ts > ttl) return 'expired';
  const want = Buffer.from(httpToken(fileId, secret, ts));
  const got = Buffer.from(token);
  return got.length === want.length && timingSafeEqual(got, want) ? 'ok' : 'invalid';
}

/**
 * fdfs only (issue 14): base64url HMAC-SHA256(secret, "fdfs-url-v1" ‖ 0 ‖ tokenSubject(fileId) ‖ 0 ‖ exp), carried
 * as `sig` and `exp` (Unix seconds). Unlike the MD5 token it always expires.
 */
export function hmacUrlToken(fileId: string, secret: string, exp: number): string {
  if (!Number.isSafeInteger(exp) || exp <= 0) throw new RangeError(`bad token expiry ${exp}`);
  return createHmac('sha256', secret).update(`fdfs-url-v1\0${tokenSubject(fileId)}\0${exp}`).digest('base64url');
}

/** The `sig`/`exp` pair against each accepted secret (current, previous), in constant time. */
export function checkHmacUrlToken(
  fileId: string, secrets: readonly string[], sig: string | null | undefined, expText: string | null | undefined,
  now = Math.floor(Date.now() / 1000),
): TokenVerdict {
  if (!sig || !expText) return 'missing';
  if (!/^\d{1,15}$/.test(expText) || sig.length !== 43) return 'invalid';
  const exp = Number(expText);
  if (exp <= 0) return 'invalid';
  if (now > exp) return 'expired';
  const got = Buffer.from(sig);
  let ok = false;
  for (const s of secrets) {
    const want = Buffer.from(hmacUrlToken(fileId, s, exp));
    if (want.length === got.length && timingSafeEqual(want, got)) ok = true;
  }
  return ok ? 'ok' : 'invalid';
}
