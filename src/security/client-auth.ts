// Client side of the handshake: prove a key right after connecting, check the server's proof back.
// A server that does not know the handshake (stock, or fdfs with security off) answers EINVAL: it is then
// used without one (remembered per address, so that costs one extra connection once).
import { Errno, StatusError } from '../errors.js';
import type { Authenticate, Connection } from '../net/connection.js';
import {
  authMac, CLUSTER_KEY_ID, decodeHelloAnswer, encodeHelloRequest, encodeProveRequest, MAC_SIZE, MAX_IDENTITY, NONCE_SIZE, newNonce, sameMac,
} from '../protocol/auth.js';
import { FdfsAuthCmd } from '../protocol/codes.js';
import type { ClientKey } from './keys.js';

export function keyAuthenticator(key: ClientKey): Authenticate {
  const plain = new Set<string>();
  return async (conn: Connection) => {
    if (plain.has(conn.address)) return true;
    const clientNonce = newNonce();
    const hello = await conn.call(encodeHelloRequest({ clientNonce, keyId: key.id }),
      { cmd: FdfsAuthCmd.Hello, onError: 'return', maxBody: NONCE_SIZE + MAX_IDENTITY });
    if (hello.status === Errno.EINVAL) {
      plain.add(conn.address);
      return false;
    }
    if (hello.status !== 0) throw new StatusError(hello.status, `${conn.address} refused the authentication handshake`, FdfsAuthCmd.Hello);
    const { serverNonce, identity } = decodeHelloAnswer(hello.body);
    const t = { clientNonce, serverNonce, keyId: key.id, identity };
    const proof = await conn.call(encodeProveRequest(authMac(key.secret, 'client', t)),
      { cmd: FdfsAuthCmd.Prove, onError: 'return', maxBody: MAC_SIZE });
    if (proof.status === Errno.EACCES) {
      throw new StatusError(Errno.EACCES, key.id === CLUSTER_KEY_ID
        ? `${conn.address} refused this server's cluster secret (cluster_secret_file must hold the same secret on every fdfs server)`
        : `${conn.address} refused key "${key.id}": the server does not know this key or its secret (check the key file, or ask for a new key)`, FdfsAuthCmd.Prove);
    }
    if (proof.status !== 0) throw new StatusError(proof.status, `${conn.address} failed the authentication handshake`, FdfsAuthCmd.Prove);
    if (!sameMac(proof.body, authMac(key.secret, 'server', t))) {
      throw new StatusError(Errno.EACCES, `${conn.address} could not prove it knows key "${key.id}": it is not a server of this cluster`, FdfsAuthCmd.Prove);
    }
    return true;
  };
}
