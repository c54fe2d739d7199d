// The settings a storage takes from the tracker's 75 STORAGE_PARAMETER_REQ answer (§8.2): store path mode,
// reserved space, IP width, trunk/link flags; placement and the request handlers read them.
import { parseReservedSpace, type ReservedSpace } from '../../config/values.js';
import type { Logger } from '../../log.js';
import { IPV4_ADDRESS_SIZE, IPV6_ADDRESS_SIZE } from '../../protocol/codes.js';

/** The settings a storage takes from the tracker's 75 STORAGE_PARAMETER_REQ answer (§8.2). */
export interface TrackerParams {
  loaded: boolean;
  /** `store_path`: 0 round robin, 2 most free. */
  storePathMode: number;
  reserved: ReservedSpace;
  /** Width of the IP field in 22 QUERY_FILE_INFO answers. */
  ipSize: typeof IPV4_ADDRESS_SIZE | typeof IPV6_ADDRESS_SIZE;
  useTrunkFile: boolean;
  storeSlaveFileUseLink: boolean;
  raw: Record<string, string>;
}

/** Stock default before the tracker answered: reserved_storage_space = 1024MB (§10.2). */
export function defaultTrackerParams(): TrackerParams {
  return {
    loaded: false, storePathMode: 0, reserved: { kind: 'mb', mb: 1024 }, ipSize: IPV4_ADDRESS_SIZE,
    useTrunkFile: false, storeSlaveFileUseLink: false, raw: {},
  };
}

/** Apply a 75 answer; unknown or malformed values keep the previous setting. */
export function applyTrackerParams(p: TrackerParams, raw: Record<string, string>, log?: Logger): void {
  p.raw = raw;
  p.loaded = true;
  if (raw.store_path !== undefined) p.storePathMode = Number(raw.store_path) === 2 ? 2 : 0;
  if (raw.reserved_storage_space) {
    try {
      p.reserved = parseReservedSpace(raw.reserved_storage_space);
    } catch (err) {
      log?.warn({ err, value: raw.reserved_storage_space }, 'bad reserved_storage_space from the tracker');
    }
  }
  // 6.16.1 trackers send 16 for IPv4 clusters; 46 only when it says so explicitly.
  p.ipSize = raw.response_ip_addr_size === '46' ? IPV6_ADDRESS_SIZE : IPV4_ADDRESS_SIZE;
  p.useTrunkFile = raw.use_trunk_file === '1' || raw.use_trunk_file === 'true';
  p.storeSlaveFileUseLink = raw.store_slave_file_use_link === '1' || raw.store_slave_file_use_link === 'true';
}
