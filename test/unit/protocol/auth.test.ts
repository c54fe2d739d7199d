// The handshake codec and MAC (src/protocol/auth.ts) against a vector computed with Python's hmac module.
import { describe, it, expect } from 'vitest';
import { Errno, StatusError } from '../../../src/errors.js';
import {
  authMac, decodeHelloAnswer, decodeHelloRequest, encodeHelloAnswer, encodeHelloRequest, encodeProveRequest, sameMac,
} from '../../../src/protocol/auth.js';
import { FdfsAuthCmd } from '../../../src/protocol/codes.js';
import { decodeHeader } from '../../../src/protocol/header.js';

const T = { clientNonce: Buffer.alloc(32, 1), serverNonce: Buffer.alloc(32, 2), keyId: 'app', identity: '127.0.0.1:23000' };

describe('auth handshake', () => {
  it('MAC = HMAC-SHA256 over side, both nonces, key id and server identity', () => {
    // python3: hmac.new(bytes(range(32)), b'fdfs-auth-v1\0client\0' + b'\1'*32 + b'\2'*32 + b'app\0127.0.0.1:23000', sha256)
    const secret = Buffer.from(Array.from({ length: 32 }, (_, i) => i));
    expect(authMac(secret, 'client', T).toString('hex')).toBe('ead4bb249ab4291d360c3908ffb78c45ae0fba52fff1788d76e31df7d2dc8287');
    expect(sameMac(authMac(secret, 'server', T), authMac(secret, 'client', T))).toBe(false);
    expect(sameMac(authMac(secret, 'client', { ...T, identity: '127.0.0.2:23000' }), authMac(secret, 'client', T))).toBe(false);
  });

  it('HELLO and PROVE round-trip with fdfs-only command codes', () => {
    const packet = encodeHelloRequest({ clientNonce: T.clientNonce, keyId: 'app' });
    const h = decodeHeader(packet.subarray(0, 10));
    expect(h.cmd).toBe(FdfsAuthCmd.Hello);
    expect(decodeHelloRequest(packet.subarray(10))).toEqual({ clientNonce: T.clientNonce, keyId: 'app' });
    expect(decodeHelloAnswer(encodeHelloAnswer(T.serverNonce, T.identity))).toEqual({ serverNonce: T.serverNonce, identity: T.identity });
    expect(decodeHeader(encodeProveRequest(Buffer.alloc(32)).subarray(0, 10)).cmd).toBe(FdfsAuthCmd.Prove);
  });

  it('refuses a bad version, key id or size with EINVAL', () => {
    const body = encodeHelloRequest({ clientNonce: T.clientNonce, keyId: 'app' }).subarray(10);
    const bad = (b: Buffer) => {
      try {
        decodeHelloRequest(b);
        return 'ok';
      } catch (err) {
        return (err as StatusError).errno;
      }
    };
    expect(bad(Buffer.concat([Buffer.from([2]), body.subarray(1)]))).toBe(Errno.EINVAL);
    expect(bad(Buffer.concat([body.subarray(0, 33), Buffer.from('a b')]))).toBe(Errno.EINVAL);
    expect(bad(body.subarray(0, 20))).toBe(Errno.EINVAL);
  });
});
