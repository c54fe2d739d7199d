// Creates of small files pipelined on one connection to a peer that said it answers in order (123): their
// requests leave together and their answers are read one after another, so a record costs no round trip and no
// write of its own. The same answers are judged as pushCreate judges them when the peer has no files yet.
import { Errno, SyncFailure } from '../../errors.js';
import type { BinlogRecord } from '../../protocol/binlog-format.js';
import { StorageCmd } from '../../protocol/codes.js';
import { encodeSyncFileHead } from '../../protocol/sync.js';
import { isTrunkName } from '../../protocol/trunk-slot.js';
import { localPath, MAX_ANSWER, noteVanished, pushRecord, smallFilePacket, type PushEnv, type PushResult } from './sync-ops.js';

/** Records per batch: enough to share a write among many, few enough that a failure costs little to resend. */
export const BATCH_MAX = 16;
/** Requests gathered up to this many bytes leave in one write. */
const WRITE_BYTES = 256 << 10;

export type BatchOutcome = { result: PushResult } | { error: unknown };

/** A record that may go in a batch: a create, not a trunk slot, to a peer not yet known to hold files (else 22 first). */
export function isBatchable(rec: BinlogRecord, peerHasFiles: boolean): boolean {
  return (rec.op === 'C' || rec.op === 'c') && !peerHasFiles && !isTrunkName(rec.filename);
}

interface Pending {
  index: number;
  rec: BinlogRecord;
  size: number;
}

/**
 * Push `recs` (all batchable) on env.conn: one outcome per record, in order. A file too large to read whole goes
 * the usual way once the answers before it are in. Throws when the connection fails (every record then retries).
 */
export async function pushBatch(env: PushEnv, recs: BinlogRecord[]): Promise<BatchOutcome[]> {
  const out: BatchOutcome[] = new Array<BatchOutcome>(recs.length);
  let pending: Pending[] = [];
  let packets: Buffer[] = [];
  let bytes = 0;
  const flush = async (): Promise<void> => {
    if (!pending.length) return;
    await env.conn.send(packets.length === 1 ? packets[0]! : Buffer.concat(packets, bytes));
    for (const p of pending) {
      const { status } = await env.conn.answer({ cmd: StorageCmd.SyncCreateFile, maxBody: MAX_ANSWER, onError: 'return' });
      env.rt.stats.bytes('SyncOut', p.size, p.size);
      if (status === Errno.EEXIST) env.peerHasFiles = true;
      out[p.index] = status === 0 || status === Errno.EEXIST
        ? { result: 'sent' }
        : { error: new SyncFailure(`create ${p.rec.filename}: peer answered status ${status}`, status) };
    }
    env.conn.done();
    pending = [];
    packets = [];
    bytes = 0;
  };
  for (let index = 0; index < recs.length; index++) {
    const rec = recs[index]!;
    const p = localPath(env, rec.filename);
    const small = p === null ? 'missing' : smallFilePacket(p, (fileSize) =>
      encodeSyncFileHead(StorageCmd.SyncCreateFile, { fileSize, timestamp: rec.timestamp, group: env.rt.group, filename: rec.filename }));
    if (small === 'missing') {
      out[index] = { result: noteVanished(env, rec.filename) };
    } else if (small === null) {
      await flush();
      out[index] = await pushRecord(env, rec).then((result) => ({ result }), (error: unknown) => ({ error }));
    } else {
      pending.push({ index, rec, size: small.size });
      packets.push(small.packet);
      bytes += small.packet.length;
      if (bytes >= WRITE_BYTES) await flush();
    }
  }
  await flush();
  return out;
}
