// Where a CLI command finds its trackers: --tracker flags, then FDFS_TRACKER, then --config
// client.conf, then 127.0.0.1:22122. --timeout (or $FDFS_TIMEOUT) bounds connects and tracker answers.
import type { ClientOptions } from '../client/index.js';
import { readFileSync } from 'node:fs';
import { UsageError } from '../errors.js';
import { DEFAULT_TRACKER_PORT } from '../protocol/codes.js';

export interface ClientSources {
  trackers?: string[];
  configFile?: string;
  /** Seconds: connect timeout and the wait for a tracker's answer. */
  timeout?: number;
  /** --key-file: the key to authenticate with (over client.conf's auth_key_file). */
  keyFile?: string;
  /** --tls-ca, --tls-cert, --tls-key. */
  tlsCa?: string;
  tlsCert?: string;
  tlsKey?: string;
}

export async function resolveClientOptions(src: ClientSources): Promise<ClientOptions> {
  const fromFlags = (src.trackers ?? []).flatMap((t) => t.split(',')).filter(Boolean);
  const fromEnv = (process.env.FDFS_TRACKER ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  let trackers = fromFlags.length ? fromFlags : fromEnv;
  let base: Partial<ClientOptions> = {};
  if (src.configFile) {
    const { loadClientOptions } = await import('../client/from-config.js');
    base = await loadClientOptions(src.configFile);
    if (!trackers.length) trackers = base.trackers ?? [];
  }
  if (!trackers.length) trackers = [`127.0.0.1:${DEFAULT_TRACKER_PORT}`];
  for (const t of trackers) {
    const m = /^(\[[0-9a-fA-F:.]+\]|[^:\s]+)(?::(\d+))?$/.exec(t);
    if (!m) throw new UsageError(`bad tracker address "${t}" (want HOST:PORT)`);
    const port = m[2] === undefined ? DEFAULT_TRACKER_PORT : Number(m[2]);
    if (port < 1 || port > 65535) throw new UsageError(`bad tracker address "${t}": port ${m[2]} is not between 1 and 65535`);
  }
  const keyFile = src.keyFile ?? (process.env.FDFS_KEY_FILE?.trim() || undefined);
  if (keyFile) {
    const { loadClientKey } = await import('../security/keys.js');
    base = { ...base, key: loadClientKey(keyFile) };
  }
  if (src.tlsCa) {
    const pem = (file: string, what: string) => {
      try {
        return readFileSync(file);
      } catch (err) {
        throw new UsageError(`cannot read the ${what} ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      }
    };
    base = { ...base, tls: { ca: pem(src.tlsCa, 'TLS CA file'), ...(src.tlsCert ? { cert: pem(src.tlsCert, 'TLS certificate'), key: pem(src.tlsKey!, 'TLS key') } : {}) } };
  }
  const timeout = src.timeout ?? envSeconds('FDFS_TIMEOUT');
  return timeout === undefined ? { ...base, trackers } : { ...base, trackers, connectTimeout: timeout, trackerTimeout: timeout };
}

function envSeconds(name: string): number | undefined {
  const text = process.env[name]?.trim();
  if (!text) return undefined;
  const n = Number(text);
  if (!(n > 0)) throw new UsageError(`bad ${name} "${text}" (want a number of seconds above 0)`);
  return n;
}
