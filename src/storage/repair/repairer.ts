// Repair of a damaged copy from the group's other members: the tracker lists them (92), each ACTIVE readable
// peer is asked for the file (9 REPORT_SERVER_ID, so it does not in turn repair from us, then 14), and the
// first copy whose size and CRC32 match the name replaces ours atomically (temp file + rename, mtime = the
// name's time); a trunk name's copy is written back into its slot (trunk/slot-open.ts restoreTrunkSlot).
// No binlog record: the content is the one every member already has.
import { mkdir, stat } from 'node:fs/promises';
import { Connection } from '../../net/connection.js';
import { StorageCmd, StorageStatus, TrackerCmd } from '../../protocol/codes.js';
import { encodeDownloadRequest } from '../../protocol/storage-file.js';
import { encodeReportServerIdRequest } from '../../protocol/sync.js';
import { decodeListStorageResponse, encodeListStorageRequest, type StorageRecord } from '../../protocol/tracker-list.js';
import { TempFile, writeFileAtomic } from '../store/file-writer.js';
import { encodeGetMetadataRequest } from '../../protocol/storage-meta.js';
import { METADATA_SUFFIX, peekFileName } from '../../protocol/file-id.js';
import { connectTracker, localAddressFor, sortTrackers } from '../tracker-side/tracker-client.js';
import { firstAddress, type StorageRuntime } from '../runtime.js';
import { copyMatches, expectedContent, type ExpectedContent } from './content-check.js';
import { isTrunkName } from '../../protocol/trunk-slot.js';
import { restoreTrunkSlot } from '../trunk/slot-open.js';
import { trunkExpected, trunkSlotMatches } from '../trunk/slot-check.js';

/** repaired: a good copy replaced ours. unavailable: no peer could supply one now. */
export type RepairOutcome = 'repaired' | 'unavailable';

export interface RepairCounts {
  damaged: number;
  repaired: number;
  unrepaired: number;
}

export class Repairer {
  private readonly inFlight = new Map<string, Promise<RepairOutcome>>();
  readonly counts: RepairCounts = { damaged: 0, repaired: 0, unrepaired: 0 };

  constructor(private readonly rt: () => StorageRuntime) {}

  /** Repair `logical` (one attempt at a time per name). */
  repair(logical: string, expected: ExpectedContent, why: string): Promise<RepairOutcome> {
    const running = this.inFlight.get(logical);
    if (running) return running;
    this.counts.damaged++;
    const log = this.rt().log.child({ part: 'repair', file: logical });
    log.warn({ why }, 'damaged copy: its content does not match its file ID; fetching a good copy from a peer');
    const p = this.fromPeers(logical, expected)
      .catch((err: unknown) => {
        log.warn({ err: (err as Error).message }, 'repair failed');
        return 'unavailable' as const;
      })
      .then((outcome) => {
        if (outcome === 'repaired') this.counts.repaired++;
        if (outcome === 'unavailable') this.counts.unrepaired++;
        log[outcome === 'unavailable' ? 'warn' : 'info']({ outcome }, 'repair finished');
        return outcome;
      })
      .finally(() => this.inFlight.delete(logical));
    this.inFlight.set(logical, p);
    return p;
  }

  private async fromPeers(logical: string, expected: ExpectedContent): Promise<RepairOutcome> {
    for (const peer of await this.peers()) {
      if (await this.fetchFrom(peer, logical, expected).catch(() => false)) return 'repaired';
    }
    return 'unavailable';
  }

  /**
   * 121 REPAIR_FILES: make sure this storage holds `logical`. A normal file's copy must match its name (else
   * it is fetched again); any other name is fetched when missing, as a peer has it, with its metadata.
   */
  async restore(logical: string): Promise<'present' | 'repaired' | 'unavailable'> {
    const rt = this.rt();
    const target = rt.paths.resolve(logical);
    const trunk = isTrunkName(logical);
    const expected = trunk ? trunkExpected(logical) : expectedContent(logical);
    if (trunk) {
      if (trunkSlotMatches(rt.paths, logical)) return 'present';
    } else {
      const st = await stat(target.absPath).catch(() => null);
      if (st?.isFile() && (!expected || await copyMatches(target.absPath, st.size, expected))) return 'present';
    }
    const mtime = expected?.timestamp ?? nameTime(logical);
    for (const peer of await this.peers()) {
      if (await this.fetchFrom(peer, logical, expected, mtime).catch(() => false)) {
        this.counts.repaired++;
        this.rt().log.info({ part: 'repair', file: logical, from: `${peer.ipAddr}:${peer.storagePort}` }, 'file restored from a peer');
        return 'repaired';
      }
    }
    this.counts.unrepaired++;
    return 'unavailable';
  }

  /** ACTIVE readable members of the group other than this storage, from the first tracker that answers. */
  private async peers(): Promise<StorageRecord[]> {
    const rt = this.rt();
    const me = this.selfId();
    for (const t of sortTrackers(rt.config.trackerServers)) {
      try {
        const { conn } = await connectTracker(rt.config, t);
        try {
          const list = decodeListStorageResponse(await conn.call(encodeListStorageRequest(rt.group),
            { cmd: TrackerCmd.ServerListStorage, maxBody: 64 << 10 }));
          return list.filter((s) => s.id !== me && s.ipAddr !== me && s.status === StorageStatus.Active && (s.rwMode & 4) !== 0);
        } finally {
          conn.quit();
        }
      } catch {
        continue;
      }
    }
    return [];
  }

  private selfId(): string {
    const rt = this.rt();
    return rt.identity?.id || firstAddress(rt.config.bindAddr) || rt.myIp;
  }

  /**
   * True once the peer's copy is published here (with its metadata sidecar, if any); false when it does not
   * match `expected` (null: names without checkable facts take the copy as it is).
   */
  private async fetchFrom(peer: StorageRecord, logical: string, expected: ExpectedContent | null,
    mtime = expected?.timestamp ?? Math.floor(Date.now() / 1000)): Promise<boolean> {
    const rt = this.rt();
    const conn = await Connection.connect(peer.ipAddr, peer.storagePort, {
      connectTimeout: rt.config.connectTimeout, networkTimeout: rt.config.networkTimeout, localAddress: localAddressFor(rt.config),
    });
    try {
      await conn.call(encodeReportServerIdRequest(this.selfId()), { cmd: StorageCmd.ReportServerId, maxBody: 0 });
      const size = await conn.open(encodeDownloadRequest({ group: rt.group, filename: logical, fileOffset: 0, downloadBytes: 0 }),
        StorageCmd.DownloadFile);
      const target = rt.paths.resolve(logical);
      await mkdir(target.dir, { recursive: true });
      const tmp = await TempFile.create(target.dir);
      try {
        await tmp.writeAll(conn.body(), size);
        conn.done();
        if (expected && (size !== expected.size || tmp.crc32 >>> 0 !== expected.crc32)) {
          await tmp.discard();
          return false;
        }
        if (isTrunkName(logical)) {
          restoreTrunkSlot(rt.paths, logical, tmp.path);
          await tmp.discard();
        } else {
          await tmp.publish(target.absPath, mtime, { replace: true });
        }
        const meta = await conn.call(encodeGetMetadataRequest({ group: rt.group, filename: logical }),
          { cmd: StorageCmd.GetMetadata, maxBody: rt.config.buffSize, onError: 'return' });
        if (meta.status === 0 && meta.body.length) await writeFileAtomic(`${target.absPath}${METADATA_SUFFIX}`, meta.body);
        return true;
      } catch (err) {
        await tmp.discard();
        throw err;
      }
    } finally {
      conn.destroy();
    }
  }
}

function nameTime(logical: string): number {
  try {
    return peekFileName(logical)?.timestamp ?? Math.floor(Date.now() / 1000);
  } catch {
    return Math.floor(Date.now() / 1000);
  }
}
