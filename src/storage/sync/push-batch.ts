// Creates of small files and deletes pipelined on one connection to a peer that said it answers in order (123):
// their requests leave together and their answers are read one after another, so a record costs no round trip
// and no write of its own. The answers are judged as pushRecord judges them (a create as when the peer has no
// files yet).
import type { BinlogRecord } from '../../protocol/binlog-format.js';
import { StorageCmd } from '../../protocol/codes.js';
import { normalContentFacts } from '../../protocol/file-id.js';
import { encodeSyncFileHead, syncFileHeadLength } from '../../protocol/sync.js';
import { isTrunkName } from '../../protocol/trunk-slot.js';
import { BufferPool } from '../../net/buffer-pool.js';
import {
  deleteRequest, judgeCreate, judgeDelete, localPath, MAX_ANSWER, noteVanished, pushRecord, readSmallFileInto, SMALL_FILE,
  type PushEnv, type PushResult,
} from './sync-ops.js';

/** Records per batch: enough to share a write among many, few enough that a failure costs little to resend. */
export const BATCH_MAX = 16;
/** Requests gathered up to this many bytes leave in one write. */
const WRITE_BYTES = 256 << 10;
/** Header + head of a 16 or 17 request at most (the name is under 128 bytes). */
const HEAD_MAX = 10 + 36 + 128;
/**
 * A batch's requests are read straight into one of these (no buffer per file, no copy to join them): below
 * WRITE_BYTES of requests plus one more whole small file always fit.
 */
const batchBuffers = new BufferPool(WRITE_BYTES + HEAD_MAX + SMALL_FILE + 1, 4);

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
  let buf: Buffer | null = null;
  let bytes = 0;
  const flush = async (): Promise<void> => {
    if (!pending.length) return;
    await env.conn.send(buf!.subarray(0, bytes));
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
    // Every answer is in, so the peer read every byte: the buffer is free again. (After a failure it is not
    // given back: a write of it may still be queued on the closing socket.)
    batchBuffers.give(buf!);
    buf = null;
    pending = [];
    bytes = 0;
  };
  /** Room for `need` more bytes in the batch buffer (sending what is gathered when there is not). */
  const room = async (need: number): Promise<Buffer> => {
    if (buf && bytes + need > buf.length) await flush();
    buf ??= batchBuffers.take();
    return buf;
  };
  for (let index = 0; index < recs.length; index++) {
    const rec = recs[index]!;
    if (isDelete(rec)) {
      const packet = deleteRequest(env, rec);
      if (!packet) {
        out[index] = { result: 'skipped' };
        continue;
      }
      packet.copy(await room(packet.length), bytes);
      pending.push({ index, rec, size: -1 });
      bytes += packet.length;
    } else {
      const p = localPath(env, rec.filename);
      const headLength = syncFileHeadLength(rec.filename);
      const into = await room(headLength + SMALL_FILE + 1);
      const size = p === null ? 'missing' : readSmallFileInto(p, into, bytes + headLength, SMALL_FILE, normalContentFacts(rec.filename)?.size);
      if (size === 'missing') {
        out[index] = { result: noteVanished(env, rec.filename) };
      } else if (size === null) {
        await flush();
        out[index] = await pushRecord(env, rec).then((result) => ({ result }), (error: unknown) => ({ error }));
      } else {
        encodeSyncFileHead(StorageCmd.SyncCreateFile, { fileSize: size, timestamp: rec.timestamp, group: env.rt.group, filename: rec.filename })
          .copy(into, bytes);
        pending.push({ index, rec, size });
        bytes += headLength + size;
      }
    }
    if (bytes >= WRITE_BYTES) await flush();
  }
  await flush();
  if (buf) batchBuffers.give(buf);
  return out;
}
