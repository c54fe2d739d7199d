// Outgoing tracker → tracker exchanges (spec §8.9): 64 status and 66/67 leader notices on short connections,
// the follower's long-lived 58 JOIN_LEADER + 65 PING_LEADER connection, and the 61/63/62 system-file fetch.
import { Connection } from '../net/connection.js';
import { TrackerCmd, FDFS_PROTOCOL_VERSION } from '../protocol/codes.js';
import {
  SIZES, SYS_FILES, encodeGetTrackerStatusRequest, decodeGetTrackerStatusResponse, encodeNextLeaderRequest,
  encodeJoinLeaderRequest, encodePingLeaderRequest, decodePingLeaderResponse, encodeGetSysFilesStartRequest,
  encodeGetSysFilesEndRequest, encodeGetOneSysFileRequest, decodeGetOneSysFileResponse, type TrackerStatus,
  type PingLeaderRequest,
} from '../protocol/tracker-peer.js';
import { ProtocolError } from '../errors.js';

export interface PeerAddr {
  ip: string;
  port: number;
}

export interface PeerTimeouts {
  /** Seconds. */
  connectTimeout: number;
  /** Seconds. */
  networkTimeout: number;
  /** Source address: bind_addr, so peers (and 58) see the address the storages list for this tracker. */
  localAddress?: string;
}

/** Largest system file we accept from a peer (the stock files are a few KB per storage). */
const MAX_SYS_FILE = 64 << 20;

async function withConnection<T>(peer: PeerAddr, t: PeerTimeouts, fn: (c: Connection) => Promise<T>): Promise<T> {
  const conn = await Connection.connect(peer.ip, peer.port, t);
  let ok = false;
  try {
    const result = await fn(conn);
    ok = true;
    return result;
  } finally {
    if (ok) conn.quit();
    else conn.destroy();
  }
}

/** 64 TRACKER_GET_STATUS (ENOENT when the peer has no groups yet). */
export function getTrackerStatus(peer: PeerAddr, t: PeerTimeouts): Promise<TrackerStatus> {
  return withConnection(peer, t, async (c) =>
    decodeGetTrackerStatusResponse(await c.call(encodeGetTrackerStatusRequest(), { cmd: TrackerCmd.TrackerGetStatus, maxBody: 64 })));
}

/** 66 NOTIFY_NEXT_LEADER or 67 COMMIT_NEXT_LEADER naming `leader`. */
export async function sendNextLeader(
  peer: PeerAddr, t: PeerTimeouts,
  cmd: typeof TrackerCmd.TrackerNotifyNextLeader | typeof TrackerCmd.TrackerCommitNextLeader, leader: PeerAddr,
): Promise<void> {
  await withConnection(peer, t, async (c) => {
    const body = await c.call(encodeNextLeaderRequest(cmd, leader), { cmd, maxBody: 64 });
    if (body.length) throw new ProtocolError(`${cmd} answered with ${body.length} bytes, want 0`);
  });
}

/** A follower's connection to its leader: 58 once, then 65 every second. */
export class LeaderLink {
  private conn: Connection | null = null;

  constructor(readonly leader: PeerAddr, private readonly t: PeerTimeouts, private readonly self: { upTime: number; port: number }) {}

  /** One ping (joining first on a new connection); the connection is dropped on any failure. */
  async ping(stats: PingLeaderRequest): Promise<void> {
    try {
      if (!this.conn || this.conn.broken || this.conn.closed) {
        this.conn?.destroy();
        this.conn = await Connection.connect(this.leader.ip, this.leader.port, this.t);
        await this.conn.call(encodeJoinLeaderRequest({ upTime: this.self.upTime, version: FDFS_PROTOCOL_VERSION, serverPort: this.self.port }),
          { cmd: TrackerCmd.TrackerJoinLeader, maxBody: 64 });
      }
      // Trunk servers are not used (use_trunk_file = false): the answer is only validated.
      decodePingLeaderResponse(await this.conn.call(encodePingLeaderRequest(stats), { cmd: TrackerCmd.TrackerPingLeader, maxBody: 1 << 16 }));
    } catch (err) {
      this.close();
      throw err;
    }
  }

  close(): void {
    this.conn?.destroy();
    this.conn = null;
  }
}

/** 61, then 63 for each file from offset 0 until complete, then 62: the peer's four data files. */
export function fetchSysFiles(peer: PeerAddr, t: PeerTimeouts): Promise<Buffer[]> {
  return withConnection(peer, t, async (c) => {
    await c.call(encodeGetSysFilesStartRequest(), { cmd: TrackerCmd.TrackerGetSysFilesStart, maxBody: 0 });
    const files: Buffer[] = [];
    for (let index = 0; index < SYS_FILES.length; index++) {
      const parts: Buffer[] = [];
      let offset = 0;
      for (;;) {
        const res = decodeGetOneSysFileResponse(await c.call(encodeGetOneSysFileRequest({ index, offset }),
          { cmd: TrackerCmd.TrackerGetOneSysFile, maxBody: SIZES.getOneSysFileHead + SIZES.sysFileChunkMax }));
        if (res.fileSize > MAX_SYS_FILE) throw new ProtocolError(`${SYS_FILES[index]} of ${res.fileSize} bytes`);
        parts.push(res.data);
        offset += res.data.length;
        if (offset >= res.fileSize) break;
        if (!res.data.length) throw new ProtocolError(`${SYS_FILES[index]}: no data at ${offset} of ${res.fileSize}`);
      }
      files.push(Buffer.concat(parts));
    }
    await c.call(encodeGetSysFilesEndRequest(), { cmd: TrackerCmd.TrackerGetSysFilesEnd, maxBody: 0 });
    return files;
  });
}
