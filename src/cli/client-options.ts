// Where a CLI command finds its trackers: --tracker flags, then FDFS_TRACKER, then --config
// client.conf, then 127.0.0.1:22122.
import type { ClientOptions } from '../client/index.js';
import { UsageError } from '../errors.js';
import { DEFAULT_TRACKER_PORT } from '../protocol/codes.js';

export interface ClientSources {
  trackers?: string[];
  configFile?: string;
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
    if (!/^(\[[0-9a-fA-F:.]+\]|[^:\s]+)(:\d{1,5})?$/.test(t)) throw new UsageError(`bad tracker address "${t}" (want HOST:PORT)`);
  }
  return { ...base, trackers };
}
