// Creates of small files and deletes pipelined on one connection to a peer that said it answers in order (123):
// their requests leave together and their answers are read one after another, so a record costs no round trip
// and no write of its own. The answers are judged as pushRecord judges them (a create as when the peer has no
// files yet).
import type { BinlogRecord } from '../../protocol/binlog-format.js';
import { StorageCmd } from '../../protocol/codes.js';
import { encodeSyncFileHead } from '../../protocol/sync.js';
import { isTrunkName } from '../../protocol/trunk-slot.js';
import {
  deleteRequest, judgeCreate, judgeDelete, localPath, MAX_ANSWER, noteVanished, pushRecord, smallFilePacket, type PushEnv,
  type PushResult,
} from './sync-ops.js';

/** Records per batch: enough to share a write among many, few enough that a failure costs little to resend. */
export const BATCH_MAX = 16;
/** Requests gathered up to this many bytes leave in one write. */
const WRITE_BYTES = 256 << 10;

export type BatchOutcome = { result: PushResult } | { error: unknown };

/** Records pipelined and the writes that carried them (records / writes = the records each write saved a round trip for). */
export interface PipelineCounts {
  records: number;
  writes: number;
}

const isDelete = (rec: BinlogRecord) => rec.op === 'D' || rec.op === 'd';

/**
 * A record that may go in a batch: a delete, or a create of a plain file (not a trunk slot) to a peer not yet
 * known to hold files (else 22 first).
 */
export function isBatchable(rec: BinlogRecord, peerHasFiles: boolean): boolean {
  if (isDelete(rec)) return true;
  return (rec.op === 'C' || rec.op === 'c') && !peerHasFiles && !isTrunkName(rec.filename);
}

interface Pending {
  index: number;
  rec: BinlogRecord;
  /** Content bytes (a create), or -1 for a delete. */
  size: number;
}

/**
 * Push `recs` (all batchable) on env.conn: one outcome per record, in order. A file too large to read whole goes
 * the usual way once the answers before it are in. Throws when the connection fails (every record then retries).
 */
export async function pushBatch(env: PushEnv, recs: BinlogRecord[], counts?: PipelineCounts): Promise<BatchOutcome[]> {
  const out: BatchOutcome[] = new Array<BatchOutcome>(recs.length);
  let pending: Pending[] = [];
  let packets: Buffer[] = [];
  let bytes = 0;
  const queue = (index: number, rec: BinlogRecord, size: number, packet: Buffer) => {
    pending.push({ index, rec, size });
    packets.push(packet);
    bytes += packet.length;
  };
  const flush = async (): Promise<void> => {
    if (!pending.length) return;
    await env.conn.send(packets.length === 1 ? packets[0]! : Buffer.concat(packets, bytes));
    if (counts) {
      counts.writes++;
      counts.records += pending.length;
    }
    for (const p of pending) {
      const cmd = p.size < 0 ? StorageCmd.SyncDeleteFile : StorageCmd.SyncCreateFile;
      const { status } = await env.conn.answer({ cmd, maxBody: MAX_ANSWER, onError: 'return' });
      if (p.size >= 0) env.rt.stats.bytes('SyncOut', p.size, p.size);
      try {
        out[p.index] = { result: p.size < 0 ? judgeDelete(p.rec, status) : judgeCreate(env, p.rec, status) };
      } catch (error) {
        out[p.index] = { error };
      }
    }
    env.conn.done();
    pending = [];
    packets = [];
    bytes = 0;
  };
  for (let index = 0; index < recs.length; index++) {
    const rec = recs[index]!;
    if (isDelete(rec)) {
      const packet = deleteRequest(env, rec);
      if (!packet) {
        out[index] = { result: 'skipped' };
        continue;
      }
      queue(index, rec, -1, packet);
      continue;
    }
    const p = localPath(env, rec.filename);
    const small = p === null ? 'missing' : smallFilePacket(p, (fileSize) =>
      encodeSyncFileHead(StorageCmd.SyncCreateFile, { fileSize, timestamp: rec.timestamp, group: env.rt.group, filename: rec.filename }));
    if (small === 'missing') {
      out[index] = { result: noteVanished(env, rec.filename) };
    } else if (small === null) {
      await flush();
      out[index] = await pushRecord(env, rec).then((result) => ({ result }), (error: unknown) => ({ error }));
    } else {
      queue(index, rec, small.size, small.packet);
      if (bytes >= WRITE_BYTES) await flush();
    }
  }
  await flush();
  return out;
}
