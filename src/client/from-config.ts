// ClientOptions from a stock client.conf (tracker_server lines, timeouts, pool, anti-steal secret).
import { loadClientConfig } from '../config/index.js';
import type { ClientOptions } from './client.js';
import { readFileSync } from 'node:fs';
import { ConfigError } from '../errors.js';
import { loadClientKey } from '../security/keys.js';

function readPem(file: string, key: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new ConfigError(`${key}: cannot read ${file || '(not set)'}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

export async function loadClientOptions(file: string): Promise<ClientOptions> {
  const cfg = loadClientConfig(file);
  // A dual-address entry "ip1,ip2:port" names one tracker; use its first address.
  const trackers = cfg.trackerServers.map((t) => `${t.hosts[0]!.includes(':') ? `[${t.hosts[0]}]` : t.hosts[0]}:${t.port}`);
  return {
    trackers,
    connectTimeout: cfg.connectTimeout,
    networkTimeout: cfg.networkTimeout,
    maxIdleTime: cfg.connectionPoolMaxIdleTime,
    antiStealSecret: cfg.httpAntiStealSecretKey || undefined,
    key: cfg.authKeyFile ? loadClientKey(cfg.authKeyFile) : undefined,
    tls: cfg.tlsCaFile ? {
      ca: readPem(cfg.tlsCaFile, 'tls_ca_file'),
      ...(cfg.tlsCertFile ? { cert: readPem(cfg.tlsCertFile, 'tls_cert_file'), key: readPem(cfg.tlsKeyFile, 'tls_key_file') } : {}),
    } : undefined,
  };
}
