// The HTTP flags of `fdfs serve` over the configs (embedded default or conf files): where the tracker's entry
// and the storage's gateway listen (0 or --no-http = off), the anti-steal token and POST /upload secrets.
import type { StorageConfig, TrackerConfig } from '../../config/index.js';
import { UsageError } from '../../errors.js';

export interface ServeHttpOptions {
  /** The tracker's HTTP entry port; 0 = off. */
  trackerHttpPort?: number;
  /** The storage's HTTP gateway port; 0 = off. */
  storageHttpPort?: number;
  /** Off: the HTTP ports not given by the two flags above. */
  noHttp?: boolean;
  /** Turns on anti-steal tokens on the gateway with this secret. */
  httpTokenSecret?: string;
  httpTokenTtl?: number;
  /** Turns on POST /upload on the gateway with this bearer secret. */
  httpUploadSecret?: string;
}

/** Applies the flags; returns warnings (storage settings given to a tracker, e.g. from the environment). */
export function applyHttpFlags(o: ServeHttpOptions, tc?: TrackerConfig, sc?: StorageConfig): string[] {
  const storageFlags = [o.httpTokenSecret !== undefined && '--http-token-secret', o.httpTokenTtl !== undefined && '--http-token-ttl',
    o.httpUploadSecret !== undefined && '--http-upload-secret'].filter(Boolean);
  // Not an error: FDFS_HTTP_TOKEN_SECRET may be set for every fdfs serve on a host.
  const warnings = !sc && storageFlags.length ? [`${storageFlags.join(', ')} ignored: only a storage has an HTTP gateway`] : [];
  // --no-http turns off the HTTP ports not given explicitly.
  const trackerPort = o.trackerHttpPort ?? (o.noHttp ? 0 : undefined);
  const storagePort = o.storageHttpPort ?? (o.noHttp ? 0 : undefined);
  if (tc) {
    if (trackerPort !== undefined) tc.httpServerPort = trackerPort;
    // The entry's redirects go to the gateway's port (one port for the cluster).
    if (storagePort) tc.httpStorageServerPort = storagePort;
  }
  if (!sc) return warnings;
  if (storagePort !== undefined) {
    sc.httpServerPort = storagePort;
    if (storagePort > 0) sc.httpDisabled = false;
  }
  if (o.httpTokenSecret !== undefined) {
    if (!o.httpTokenSecret.trim()) throw new UsageError('--http-token-secret is empty: give the secret the clients sign URLs with');
    sc.httpAntiStealCheckToken = true;
    sc.httpAntiStealSecretKey = o.httpTokenSecret;
  }
  if (o.httpTokenTtl !== undefined) {
    if (!sc.httpAntiStealCheckToken) throw new UsageError('--http-token-ttl needs tokens turned on: add --http-token-secret SECRET');
    sc.httpAntiStealTokenTtl = o.httpTokenTtl;
  }
  if (o.httpUploadSecret !== undefined) {
    if (!o.httpUploadSecret.trim()) throw new UsageError('--http-upload-secret is empty: give the bearer secret uploaders send');
    sc.httpUploadSecret = o.httpUploadSecret;
  }
  if (storageFlags.length && !(sc.httpServerPort > 0 && !sc.httpDisabled)) {
    throw new UsageError(`${storageFlags.join(', ')}: the storage's HTTP gateway is off (no http.server_port): add --storage-http-port PORT`);
  }
  return warnings;
}

/** EADDRINUSE on an HTTP port: which flag moves it. */
export function httpPortInUse(err: unknown, what: 'tracker' | 'storage', port: number): unknown {
  if ((err as NodeJS.ErrnoException)?.code !== 'EADDRINUSE') return err;
  return new UsageError(`the ${what} HTTP port ${port} is already in use (another fdfs serve?): choose another with --${what}-http-port PORT, or turn HTTP off with --no-http`);
}
