// Short storage → tracker exchanges of the startup sequence (spec §8.1–§8.3): connecting to a tracker entry
// (dual addresses, client_bind), 60 GET_MY_IP + QUIT, 75 PARAMETER_REQ, and the stock tracker sort order.
import { Connection } from '../../net/connection.js';
import { formatHostPort, type HostPort } from '../../config/values.js';
import type { StorageConfig } from '../../config/index.js';
import { TrackerCmd } from '../../protocol/codes.js';
import { decodeGetMyIpResponse, decodeParameterResponse, encodeGetMyIpRequest, encodeParameterRequest } from '../../protocol/join.js';
import { advertisedBindAddress } from '../runtime.js';

/** Stock order (§8.10): fewer addresses per entry first, then the address text in byte order, then port. */
export function sortTrackers(list: readonly HostPort[]): HostPort[] {
  const key = (t: HostPort): string => t.hosts.join(',');
  const seen = new Set<string>();
  return [...list]
    .sort((a, b) => a.hosts.length - b.hosts.length || Buffer.compare(Buffer.from(key(a)), Buffer.from(key(b))) || a.port - b.port)
    .filter((t) => {
      const k = formatHostPort(t);
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
}

/** Outgoing connections bind to bind_addr when client_bind is on: the tracker knows a storage by source IP. */
export function localAddressFor(config: StorageConfig): string | undefined {
  const bind = advertisedBindAddress(config.bindAddr);
  return config.clientBind && bind ? bind : undefined;
}

/** Connect to one tracker entry, trying its addresses in turn; resolves with the address used. */
export async function connectTracker(config: StorageConfig, t: HostPort): Promise<{ conn: Connection; host: string }> {
  let last: unknown;
  for (const host of t.hosts) {
    try {
      const conn = await Connection.connect(host, t.port, {
        connectTimeout: config.connectTimeout,
        networkTimeout: config.networkTimeout,
        localAddress: localAddressFor(config),
      });
      return { conn, host };
    } catch (err) {
      last = err;
    }
  }
  throw last;
}

/** 60 on a connection of its own, closed with QUIT: the address(es) the tracker sees for this storage. */
export async function getMyIp(config: StorageConfig, group: string, port: number, t: HostPort): Promise<string[]> {
  const { conn } = await connectTracker(config, t);
  try {
    const body = await conn.call(encodeGetMyIpRequest({ group, storagePort: port }), { cmd: TrackerCmd.StorageGetMyIp, maxBody: 256 });
    return decodeGetMyIpResponse(body);
  } finally {
    conn.quit();
  }
}

/** 75 on a connection of its own, closed without QUIT (as stock does). */
export async function fetchParameters(config: StorageConfig, t: HostPort): Promise<Record<string, string>> {
  const { conn } = await connectTracker(config, t);
  try {
    const body = await conn.call(encodeParameterRequest(), { cmd: TrackerCmd.StorageParameterReq, maxBody: 64 << 10 });
    return decodeParameterResponse(body);
  } finally {
    conn.destroy();
  }
}
