// Disk recovery (spec §9.8): a store path whose data directory vanished although this storage had finished
// its initial sync (the disk was replaced) is refilled from a peer before the storage joins: report RECOVERY
// (76), fetch the path's file list (26, saved to disk, never held in memory), download every file (14) on
// disk_recovery_threads connections, then remake the listed links. A `.recovery.flag` in the data directory makes an interrupted recovery
// resume at the next start; files already there are skipped.
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import readline from 'node:readline';
import { finished } from 'node:stream/promises';
import type { StorageConfig } from '../../config/index.js';
import { Errno, StatusError } from '../../errors.js';
import type { Logger } from '../../log.js';
import { Connection } from '../../net/connection.js';
import { readUntilTrailer } from '../../net/exchange.js';
import type { StorageBrief } from '../../protocol/beat.js';
import { StorageCmd, StorageStatus, TrackerCmd } from '../../protocol/codes.js';
import { decodeListStorageResponse, encodeListStorageRequest, type StorageRecord } from '../../protocol/tracker-list.js';
import { encodeDownloadRequest } from '../../protocol/storage-file.js';
import { encodeFetchOnePathBinlogRequest, SIZES as SYNC_SIZES } from '../../protocol/sync.js';
import { TempFile } from '../store/file-writer.js';
import type { StorePaths } from '../store/store-paths.js';
import { TrackerCalls } from '../tracker-side/tracker-calls.js';
import { connectTracker, localAddressFor, sortTrackers } from '../tracker-side/tracker-client.js';
import { isTrunkName } from '../../protocol/trunk-slot.js';
import { hasTrunkFile, writeSlot } from '../trunk/replica.js';

const FLAG = '.recovery.flag';
const LIST = '.binlog.recovery';
const RETRY_MS = 5000;
const LINK_LINE = /^(\d+) [Ll] (\S+) (\S+)$/;

/** Store paths to recover: data directory missing (checked before it is created) or a recovery under way. */
export function lostStorePaths(config: StorageConfig): number[] {
  const base = path.resolve(config.basePath);
  return config.storePaths.flatMap((p, i) => {
    const data = path.join(p, 'data');
    if (existsSync(path.join(data, FLAG))) return [i];
    // A store path that is the base path holds the sync state too: losing it is a new storage, not a disk.
    return path.resolve(p) !== base && !existsSync(data) ? [i] : [];
  });
}

/** Mark the paths as under recovery (their data directories exist by now). */
export async function markRecovering(paths: StorePaths, indices: number[]): Promise<void> {
  for (const i of indices) await writeFile(path.join(paths.dataDirs[i]!, FLAG), `started=${new Date().toISOString()}\n`);
}

export interface RecoveryDeps {
  config: StorageConfig;
  paths: StorePaths;
  group: string;
  log: Logger;
  /** This storage as the trackers know it. */
  self: () => { id: string; ip: string; port: number };
  stopping: () => boolean;
}

/** Recover `indices`; resolves when done (retrying every 5 s while no peer can serve), or when stopping. */
export async function recoverStorePaths(d: RecoveryDeps, indices: number[]): Promise<void> {
  const log = d.log.child({ part: 'recovery' });
  const calls = new TrackerCalls(d.config, log);
  let reported = false;
  for (let attempt = 1; !d.stopping(); attempt++) {
    try {
      const choice = await pickSource(d);
      if (!choice) throw new Error('no tracker answered with the group\'s members');
      if ('skip' in choice) {
        log.info({ why: choice.skip, paths: indices }, 'lost store paths start empty: nothing to recover them from');
        for (const i of indices) await rm(path.join(d.paths.dataDirs[i]!, FLAG), { force: true });
        return;
      }
      // RECOVERY at once, even while no peer can serve: a tracker that missed the restart (a crash it has not
      // noticed) would otherwise list this storage ACTIVE, and send readers to it, until the recovery ends.
      if (!reported) {
        const me = d.self();
        const brief: StorageBrief = { status: StorageStatus.Recovery, port: me.port, id: me.id, ipAddr: me.ip };
        reported = (await calls.reportStatus(d.group, brief)) === d.config.trackerServers.length;
      }
      if (!('source' in choice)) throw new Error('no ACTIVE peer in the group to recover from');
      const source = choice.source;
      log.info({ source: `${source.ipAddr}:${source.storagePort}`, paths: indices }, 'recovering lost store paths from a peer');
      for (const i of indices) await recoverPath(d, log, source, i);
      return;
    } catch (err) {
      if (d.stopping()) return;
      log[attempt === 1 ? 'warn' : 'debug']({ err: (err as Error).message, attempt }, 'disk recovery failed; retrying');
      await new Promise((r) => setTimeout(r, RETRY_MS));
    }
  }
}

/** source: recover from it. none: this storage must recover but no peer can serve yet. skip: nothing to recover. */
type SourceChoice = { source: StorageRecord } | { none: true } | { skip: string } | null;

/**
 * The first ACTIVE, readable peer by id (92 from the first tracker that answers). As stock, nothing is to be
 * recovered when this storage is the group's only member, unknown, or INIT/DELETED/IP_CHANGED; null = ask again.
 */
async function pickSource(d: RecoveryDeps): Promise<SourceChoice> {
  const me = d.self();
  for (const t of sortTrackers(d.config.trackerServers)) {
    let list: StorageRecord[];
    try {
      const { conn } = await connectTracker(d.config, t);
      try {
        list = decodeListStorageResponse(await conn.call(encodeListStorageRequest(d.group), { cmd: TrackerCmd.ServerListStorage, maxBody: 64 << 10 }));
      } finally {
        conn.quit();
      }
    } catch (err) {
      if (err instanceof StatusError && err.errno === Errno.ENOENT) return { skip: 'the group is unknown to the tracker' };
      continue;
    }
    const isMe = (s: StorageRecord) => s.id === me.id || s.ipAddr === me.ip;
    const mine = list.find(isMe);
    if (!mine) return { skip: 'this storage is unknown to the tracker' };
    if (([StorageStatus.Init, StorageStatus.Deleted, StorageStatus.IpChanged] as number[]).includes(mine.status)) {
      return { skip: `this storage is ${mine.status === StorageStatus.Init ? 'INIT' : 'deleted or moved'} at the tracker` };
    }
    if (list.length === 1) return { skip: 'this storage is the only one of its group' };
    const peers = list.filter((s) => !isMe(s) && s.status === StorageStatus.Active && (s.rwMode & 4) !== 0)
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return peers[0] ? { source: peers[0] } : { none: true };
  }
  return null;
}

async function recoverPath(d: RecoveryDeps, log: Logger, source: StorageRecord, index: number): Promise<void> {
  const data = d.paths.dataDirs[index]!;
  const list = path.join(data, LIST);
  const lines = await fetchPathList(d, source, index, list);
  const files = await downloadAll(d, log, source, index, list);
  const links = await linkAll(d, log, list);
  await rm(list, { force: true });
  await rm(path.join(data, FLAG), { force: true });
  log.info({ storePathIndex: index, listed: lines, downloaded: files.downloaded, present: files.present, gone: files.gone, links }, 'store path recovered');
}

/** 26 into `file`: the text until the 8-byte trailer, which must count it. Resolves with the line count. */
async function fetchPathList(d: RecoveryDeps, source: StorageRecord, index: number, file: string): Promise<number> {
  const cmd = StorageCmd.FetchOnePathBinlog;
  const conn = await Connection.connect(source.ipAddr, source.storagePort, {
    connectTimeout: d.config.connectTimeout, networkTimeout: d.config.networkTimeout, localAddress: localAddressFor(d.config),
  });
  const out = createWriteStream(file);
  const trailer = Buffer.alloc(SYNC_SIZES.fetchBinlogTrailer);
  let got = 0;
  let text = 0;
  let lines = 0;
  try {
    await conn.open(encodeFetchOnePathBinlogRequest({ group: d.group, storePathIndex: index }), cmd);
    got = await readUntilTrailer(conn, trailer, async (body) => {
      text += body.length;
      for (const c of body) if (c === 10) lines++;
      if (!out.write(body)) await new Promise<void>((r) => out.once('drain', () => r()));
    });
  } finally {
    conn.destroy();
    out.end();
    await finished(out).catch(() => {});
  }
  if (got !== trailer.length || Number(trailer.readBigUInt64BE(0)) !== text) {
    throw new StatusError(Errno.EINVAL, `26 stream from ${source.ipAddr} ended without a valid trailer (${text} bytes)`);
  }
  return lines;
}

/** 14 for every listed file not here yet, on disk_recovery_threads connections. */
async function downloadAll(d: RecoveryDeps, log: Logger, source: StorageRecord, index: number, list: string): Promise<{ downloaded: number; present: number; gone: number }> {
  const counts = { downloaded: 0, present: 0, gone: 0 };
  const inPath = (name: string): boolean => {
    try {
      return d.paths.resolve(name).storePathIndex === index;
    } catch {
      return false;
    }
  };
  const rl = readline.createInterface({ input: createReadStream(list), crlfDelay: Infinity });
  const names = rl[Symbol.asyncIterator]();
  const next = async (): Promise<{ ts: number; name: string } | null> => {
    for (;;) {
      const r = await names.next();
      if (r.done) return null;
      const m = /^(\d+) [Cc] (\S+)$/.exec(r.value);
      if (m && inPath(m[2]!)) return { ts: Number(m[1]), name: m[2]! };
      if (!m && LINK_LINE.test(r.value)) continue;
      // A name this store path cannot hold would leave it: skipped, never fatal to the recovery.
      if (r.value.trim()) log.warn({ line: r.value.slice(0, 200) }, 'skipped a malformed recovery line');
    }
  };
  let queue = Promise.resolve<{ ts: number; name: string } | null>(null);
  const take = () => (queue = queue.then(next));
  const worker = async () => {
    const conn = await Connection.connect(source.ipAddr, source.storagePort, {
      connectTimeout: d.config.connectTimeout, networkTimeout: d.config.networkTimeout, localAddress: localAddressFor(d.config),
    });
    try {
      for (let item = await take(); item && !d.stopping(); item = await take()) {
        const got = await fetchOne(d, conn, item.name, item.ts);
        counts[got]++;
        if (got === 'gone') log.debug({ file: item.name }, 'listed file is gone at the source');
      }
    } finally {
      conn.destroy();
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, d.config.diskRecoveryThreads) }, worker));
  } finally {
    rl.close();
  }
  return counts;
}

async function fetchOne(d: RecoveryDeps, conn: Connection, name: string, ts: number): Promise<'downloaded' | 'present' | 'gone'> {
  const target = d.paths.resolve(name);
  const trunk = isTrunkName(name);
  if (trunk ? hasTrunkFile(d.paths, name) : existsSync(target.absPath)) return 'present';
  let size: number;
  try {
    size = await conn.open(encodeDownloadRequest({ group: d.group, filename: name, fileOffset: 0, downloadBytes: 0 }), StorageCmd.DownloadFile);
  } catch (err) {
    // Deleted at the source since the list was made (the storage keeps the connection after ENOENT).
    if (err instanceof StatusError && err.errno === Errno.ENOENT) return 'gone';
    throw err;
  }
  if (trunk) {
    // Into its slot (a stock peer lists trunk IDs); a new trunk file here is as long as the slot's end.
    await writeSlot(d.paths, 0, name, size, conn.body());
    conn.done();
    return 'downloaded';
  }
  await mkdir(target.dir, { recursive: true });
  const tmp = await TempFile.create(target.dir);
  try {
    await tmp.writeAll(conn.body(), size);
    await tmp.close();
    await tmp.publish(target.absPath, ts);
  } catch (err) {
    await tmp.discard();
    if (err instanceof StatusError && err.errno === Errno.EEXIST) return 'present';
    throw err;
  }
  conn.done();
  return 'downloaded';
}

/** After the files: each listed link made again, pointing at this storage's own copy of its target. */
async function linkAll(d: RecoveryDeps, log: Logger, list: string): Promise<number> {
  let made = 0;
  const rl = readline.createInterface({ input: createReadStream(list), crlfDelay: Infinity });
  try {
    for await (const line of rl) {
      const m = LINK_LINE.exec(line);
      if (!m || d.stopping()) continue;
      try {
        const link = d.paths.resolve(m[2]!);
        const target = d.paths.resolve(m[3]!);
        if (!existsSync(target.absPath)) continue;
        await mkdir(link.dir, { recursive: true });
        await symlink(target.absPath, link.absPath);
        made++;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') log.warn({ line: line.slice(0, 200), err: (err as Error).message }, 'cannot recreate a link');
      }
    }
  } finally {
    rl.close();
  }
  return made;
}

