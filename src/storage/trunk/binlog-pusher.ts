// The trunk server keeps the other members' copy of its trunk binlog (spec §8.8): to each ACTIVE peer, 33
// TRUNK_TRUNCATE_BINLOG_FILE once per session and then every byte of `data/trunk/binlog` with 30
// TRUNK_SYNC_BINLOG, in chunks, as it grows. A member named trunk server later starts from that copy
// (trunk-allocator.ts). Positions are kept in memory: after a restart each peer gets the whole file again.
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../../log.js';
import { Connection } from '../../net/connection.js';
import { StorageCmd } from '../../protocol/codes.js';
import { encodeTruncateTrunkBinlog, TrunkBinlogCommands } from '../../protocol/trunk-commands.js';

const CHUNK = 64 << 10;
const EVERY_MS = 1000;

export interface PusherDeps {
  baseDataDir: string;
  log: Logger;
  /** This storage is the trunk server now. */
  isTrunkServer(): boolean;
  /** The ACTIVE members other than this storage. */
  peers(): Array<{ host: string; port: number }>;
  connectTimeout: number;
  networkTimeout: number;
  localAddress?: string;
}

export class TrunkBinlogPusher {
  /** Bytes of the binlog each peer has (key host:port). */
  private readonly sent = new Map<string, number>();
  private ino = 0;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;

  constructor(private readonly d: PusherDeps) {}

  start(): void {
    this.timer = setInterval(() => {
      if (!this.running && !this.stopped) this.running = this.round().finally(() => { this.running = null; });
    }, EVERY_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  private get file(): string {
    return path.join(this.d.baseDataDir, 'trunk', 'binlog');
  }

  private async round(): Promise<void> {
    if (!this.d.isTrunkServer()) {
      this.sent.clear();
      return;
    }
    const st = statSync(this.file, { throwIfNoEntry: false });
    const size = st?.size ?? 0;
    // A compacted binlog is another file: every peer gets it from the start (33, then 30).
    if (st && st.ino !== this.ino) {
      this.sent.clear();
      this.ino = st.ino;
    }
    for (const p of this.d.peers()) {
      const key = `${p.host}:${p.port}`;
      if (this.sent.get(key) === size) continue;
      await this.pushTo(p, key, size).catch((err: Error) => {
        this.sent.delete(key);
        this.d.log.debug({ peer: key, err: err.message }, 'trunk binlog not sent');
      });
    }
  }

  private async pushTo(p: { host: string; port: number }, key: string, size: number): Promise<void> {
    const c = await Connection.connect(p.host, p.port, {
      connectTimeout: this.d.connectTimeout, networkTimeout: this.d.networkTimeout, localAddress: this.d.localAddress,
    });
    try {
      let at = this.sent.get(key);
      if (at === undefined || at > size) {
        await c.call(encodeTruncateTrunkBinlog(), { cmd: StorageCmd.TrunkTruncateBinlogFile });
        at = 0;
        this.sent.set(key, 0);
      }
      const fd = openSync(this.file, 'r');
      try {
        while (at < size && !this.stopped) {
          const buf = Buffer.allocUnsafe(Math.min(CHUNK, size - at));
          const n = readSync(fd, buf, 0, buf.length, at);
          if (n === 0) break;
          // Whole lines only: a line cut between two chunks would be two bad lines on the peer.
          const end = buf.lastIndexOf(0x0a, n - 1) + 1;
          if (end === 0) break;
          await c.call(TrunkBinlogCommands.SyncBinlog.encode(buf.subarray(0, end)), { cmd: StorageCmd.TrunkSyncBinlog });
          at += end;
          this.sent.set(key, at);
        }
      } finally {
        closeSync(fd);
      }
    } finally {
      c.destroy();
    }
  }
}
