// Storage ids on the storage side (§10.3, §8.3): when the tracker's parameters say use_storage_id, fetch
// storage_ids.conf (69, paged), find the own id (server_id, else own address + port, else 70) and name files by it.
import type { StorageConfig } from '../../config/index.js';
import { parseStorageIds } from '../../config/index.js';
import type { HostPort } from '../../config/values.js';
import type { Logger } from '../../log.js';
import { TrackerCmd } from '../../protocol/codes.js';
import type { FileSource } from '../../protocol/file-id.js';
import {
  decodeFetchStorageIdsResponse, decodeGetServerIdResponse, encodeFetchStorageIdsRequest, encodeGetServerIdRequest,
} from '../../protocol/join.js';
import type { StorageIdentity, StorageRuntime } from '../runtime.js';
import type { TrackerParams } from './tracker-params.js';
import { connectTracker } from './tracker-client.js';

const truthy = (v: string | undefined): boolean => v === '1' || v === 'true';

/** Ask one tracker for storage_ids.conf and this storage's id; undefined when storage ids are off. */
export async function fetchIdentity(config: StorageConfig, params: TrackerParams, tracker: HostPort,
  own: { ip: string; port: number }, log: Logger): Promise<StorageIdentity | undefined> {
  if (!truthy(params.raw.use_storage_id)) return undefined;
  const { conn } = await connectTracker(config, tracker);
  try {
    const lines: string[] = [];
    for (let start = 0; ;) {
      const body = await conn.call(encodeFetchStorageIdsRequest({ startIndex: start, allowEmpty: false }),
        { cmd: TrackerCmd.StorageFetchStorageIds, maxBody: 1 << 20 });
      const page = decodeFetchStorageIdsResponse(body);
      for (const e of page.entries) lines.push(`${e.id} ${e.group} ${e.host}${e.rwMode ? ` rw=${e.rwMode}` : ''}`);
      start += page.entries.length;
      if (!page.entries.length || start >= page.totalCount) break;
    }
    const entries = parseStorageIds(lines.join('\n'), `storage ids from ${tracker.hosts[0]}:${tracker.port}`);
    let id = config.serverId;
    if (!id) {
      const h = own.ip.toLowerCase();
      const mine = entries.filter((e) => e.hosts.some((x) => x.toLowerCase() === h));
      id = (mine.find((e) => e.port === own.port) ?? (mine.length === 1 ? mine[0] : undefined))?.id ?? '';
    }
    if (!id && own.ip) {
      id = decodeGetServerIdResponse(await conn.call(encodeGetServerIdRequest({ group: config.groupName, ip: own.ip, port: own.port }),
        { cmd: TrackerCmd.StorageGetServerId, maxBody: 64 }));
    }
    if (!id) throw new Error(`no storage id for ${own.ip}:${own.port} in storage_ids.conf`);
    const idInFilename = params.raw.id_type_in_filename === 'id';
    log.info({ id, idInFilename, ids: entries.length }, 'storage id');
    return { id, idInFilename, entries };
  } finally {
    conn.quit();
  }
}

/** What new file names carry as their source (§6.3): the numeric id, or the IPv4 address. */
export function nameSource(rt: StorageRuntime, ip: string): FileSource {
  const idn = rt.identity;
  return idn?.idInFilename ? { serverId: Number(idn.id) } : { ipv4: ip };
}

/** The address text for a name's source (22 QUERY_FILE_INFO): ids map through storage_ids.conf, '' if unknown. */
export function sourceAddress(rt: StorageRuntime, source: FileSource): string {
  if ('ipv4' in source) return source.ipv4;
  return rt.identity?.entries.find((e) => e.id === String(source.serverId))?.hosts[0] ?? '';
}
