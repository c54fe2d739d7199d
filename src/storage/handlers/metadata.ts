// 13 SET_METADATA and 15 GET_METADATA (spec §5.7, §11.2): the `<name>-m` sidecar, 'O' overwrite / 'M' merge,
// kept sorted by key, written through temp + rename, binlog C/U/D on the sidecar name.
import { readFile, stat, unlink } from 'node:fs/promises';
import { Errno, StatusError } from '../../errors.js';
import { StorageCmd, MAX_META_NAME_LEN, MAX_META_VALUE_LEN, META_FIELD_SEP, META_RECORD_SEP } from '../../protocol/codes.js';
import { encodeGetMetadataResponse, MetadataOp, StorageMetaCommands } from '../../protocol/storage-meta.js';
import { writeFileAtomic } from '../store/file-writer.js';
import { META_SUFFIX } from './delete.js';
import { checkGroup, fsStatus, nowSec, readRequest, type StorageCtx, type StorageRuntime } from '../runtime.js';
import { isTrunkName } from '../../protocol/trunk-slot.js';
import { checkTrunkSlot } from '../trunk/slot-open.js';

export type MetaChange = { op: 'C' | 'U' | 'D'; content: Buffer | null } | null;

type Records = Map<string, [key: Buffer, value: Buffer]>;

/**
 * Records of metadata text, byte for byte (no UTF-8 round trip): keys cut to 64 bytes, values to 256,
 * records without 0x02 or with an empty key dropped, a repeated key keeps its last value.
 */
export function parseRecords(buf: Buffer | null): Records {
  const out: Records = new Map();
  if (!buf || !buf.length) return out;
  let start = 0;
  while (start <= buf.length) {
    let end = buf.indexOf(META_RECORD_SEP, start);
    if (end === -1) end = buf.length;
    const rec = buf.subarray(start, end);
    const sep = rec.indexOf(META_FIELD_SEP);
    if (sep > 0) {
      const key = rec.subarray(0, Math.min(sep, MAX_META_NAME_LEN));
      const value = rec.subarray(sep + 1, Math.min(rec.length, sep + 1 + MAX_META_VALUE_LEN));
      const id = key.toString('latin1');
      out.delete(id);
      out.set(id, [key, value]);
    }
    start = end + 1;
  }
  return out;
}

/** Sidecar text: records sorted by key bytes, `key 0x02 value` joined by 0x01. */
export function encodeRecords(records: Records): Buffer {
  const sorted = [...records.values()].sort((a, b) => Buffer.compare(a[0], b[0]));
  const parts: Buffer[] = [];
  sorted.forEach(([k, v], i) => {
    if (i > 0) parts.push(Buffer.of(META_RECORD_SEP));
    parts.push(k, Buffer.of(META_FIELD_SEP), v);
  });
  return Buffer.concat(parts);
}

/**
 * The new sidecar for `op` applied to the `existing` sidecar bytes (null = none), and the binlog op:
 * 'O' + nothing → delete (D if there was one, else no change); 'O' → sorted rewrite (C new / U existed);
 * 'M' + nothing → no change; 'M' → existing keys get new values, new keys added, sorted (C / U).
 */
export function applyMetadata(op: 'O' | 'M', existing: Buffer | null, update: Buffer): MetaChange {
  const records = parseRecords(update);
  if (op === MetadataOp.Overwrite) {
    if (!records.size) return existing === null ? null : { op: 'D', content: null };
    return { op: existing === null ? 'C' : 'U', content: encodeRecords(records) };
  }
  if (!records.size) return null;
  const merged = parseRecords(existing);
  for (const [id, rec] of records) merged.set(id, rec);
  return { op: existing === null ? 'C' : 'U', content: encodeRecords(merged) };
}

/** The sidecar's bytes, or null when there is none; EISDIR if it is not a regular file. */
async function readSidecar(p: string, name: string): Promise<Buffer | null> {
  try {
    const st = await stat(p);
    if (!st.isFile()) throw new StatusError(Errno.EISDIR, `${name}${META_SUFFIX} is not a regular file`);
    return await readFile(p);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    throw fsStatus(err, `${name}${META_SUFFIX}`);
  }
}

export async function setMetadata(rt: StorageRuntime, ctx: StorageCtx): Promise<void> {
  const req = await readRequest(rt, ctx, StorageMetaCommands.SetMetadata);
  checkGroup(rt, req.group, StorageCmd.SetMetadata);
  await writeMetadata(rt, req.filename, req.op, req.raw);
}

/** Apply `raw` metadata text to a file's sidecar as 13 does (also used for names kept by HTTP uploads). */
export async function writeMetadata(rt: StorageRuntime, filename: string, op: 'O' | 'M', raw: Buffer): Promise<void> {
  rt.stats.begin('SetMeta');
  const target = rt.paths.resolve(filename);
  const sidecar = target.absPath + META_SUFFIX;
  const sidecarName = filename + META_SUFFIX;
  await rt.locks.run(target.absPath, async () => {
    if (isTrunkName(filename)) checkTrunkSlot(rt.paths, filename);
    else {
      try {
        const st = await stat(target.absPath);
        if (!st.isFile()) throw new StatusError(Errno.ENOENT, `${filename} is not a regular file`);
      } catch (err) {
        throw fsStatus(err, filename);
      }
    }
    const change = applyMetadata(op, await readSidecar(sidecar, filename), raw);
    const ts = nowSec();
    if (change?.op === 'D') {
      await unlink(sidecar).catch((err) => { throw fsStatus(err, sidecarName); });
    } else if (change) {
      await writeFileAtomic(sidecar, change.content!, { counters: rt.stats }).catch((err) => { throw fsStatus(err, sidecarName); });
    }
    if (change) rt.binlog.append({ timestamp: ts, op: change.op, filename: sidecarName });
    rt.stats.success('SetMeta', change ? ts : undefined);
  });
}

export async function getMetadata(rt: StorageRuntime, ctx: StorageCtx): Promise<void> {
  const req = await readRequest(rt, ctx, StorageMetaCommands.GetMetadata);
  checkGroup(rt, req.group, StorageCmd.GetMetadata);
  rt.stats.begin('GetMeta');
  const target = rt.paths.resolve(req.filename);
  const content = await readSidecar(target.absPath + META_SUFFIX, req.filename);
  if (content === null) throw new StatusError(Errno.ENOENT, `${req.filename} has no metadata`, StorageCmd.GetMetadata);
  rt.stats.success('GetMeta');
  await ctx.replyPacket(encodeGetMetadataResponse(content));
}
