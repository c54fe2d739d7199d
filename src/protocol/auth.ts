// The fdfs authentication handshake (commands 140/141), pure codec and MAC; no I/O.
// 140 HELLO   request: version u8 ‖ client nonce[32] ‖ key id (1..64 bytes)   answer: server nonce[32] ‖ identity
// 141 PROVE   request: client MAC[32]                                        answer: server MAC[32]
// MAC = HMAC-SHA256(secret, "fdfs-auth-v1" ‖ 0 ‖ side ‖ 0 ‖ client nonce ‖ server nonce ‖ key id ‖ 0 ‖ identity),
// side "client" or "server", so neither proof can be replayed as the other, nor on another server or connection.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { Errno, StatusError } from '../errors.js';
import { FdfsAuthCmd } from './codes.js';
import { encodeHeader } from './header.js';

export const AUTH_VERSION = 1;
export const NONCE_SIZE = 32;
export const MAC_SIZE = 32;
export const MAX_KEY_ID = 64;
export const MAX_IDENTITY = 128;
/** The key id servers use among themselves with the cluster secret. */
export const CLUSTER_KEY_ID = 'cluster';

const KEY_ID_RE = /^[A-Za-z0-9._-]{1,64}$/;

export function isValidKeyId(id: string): boolean {
  return KEY_ID_RE.test(id);
}

export function newNonce(): Buffer {
  return randomBytes(NONCE_SIZE);
}

export interface Hello {
  clientNonce: Buffer;
  keyId: string;
}

export function encodeHelloRequest(h: Hello): Buffer {
  const id = Buffer.from(h.keyId, 'latin1');
  const body = Buffer.concat([Buffer.from([AUTH_VERSION]), h.clientNonce, id]);
  return Buffer.concat([encodeHeader(body.length, FdfsAuthCmd.Hello), body]);
}

export function decodeHelloRequest(body: Buffer): Hello {
  const cmd = FdfsAuthCmd.Hello;
  if (body.length < 1 + NONCE_SIZE + 1 || body.length > 1 + NONCE_SIZE + MAX_KEY_ID) {
    throw new StatusError(Errno.EINVAL, `HELLO body of ${body.length} bytes`, cmd);
  }
  if (body[0] !== AUTH_VERSION) throw new StatusError(Errno.EINVAL, `handshake version ${body[0]} (this server speaks ${AUTH_VERSION})`, cmd);
  const keyId = body.subarray(1 + NONCE_SIZE).toString('latin1');
  if (!isValidKeyId(keyId)) throw new StatusError(Errno.EINVAL, 'bad key id in HELLO', cmd);
  return { clientNonce: Buffer.from(body.subarray(1, 1 + NONCE_SIZE)), keyId };
}

export function encodeHelloAnswer(serverNonce: Buffer, identity: string): Buffer {
  return Buffer.concat([serverNonce, Buffer.from(identity.slice(0, MAX_IDENTITY), 'latin1')]);
}

export function decodeHelloAnswer(body: Buffer): { serverNonce: Buffer; identity: string } {
  if (body.length < NONCE_SIZE || body.length > NONCE_SIZE + MAX_IDENTITY) {
    throw new StatusError(Errno.EINVAL, `HELLO answer of ${body.length} bytes`, FdfsAuthCmd.Hello);
  }
  return { serverNonce: body.subarray(0, NONCE_SIZE), identity: body.subarray(NONCE_SIZE).toString('latin1') };
}

export function encodeProveRequest(mac: Buffer): Buffer {
  return Buffer.concat([encodeHeader(MAC_SIZE, FdfsAuthCmd.Prove), mac]);
}

export interface Transcript {
  clientNonce: Buffer;
  serverNonce: Buffer;
  keyId: string;
  identity: string;
}

export function authMac(secret: Buffer, side: 'client' | 'server', t: Transcript): Buffer {
  return createHmac('sha256', secret)
    .update(`fdfs-auth-v1\0${side}\0`)
    .update(t.clientNonce)
    .update(t.serverNonce)
    .update(`${t.keyId}\0${t.identity}`, 'latin1')
    .digest();
}

/** Constant-time comparison of two MACs (false on a length mismatch). */
export function sameMac(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
