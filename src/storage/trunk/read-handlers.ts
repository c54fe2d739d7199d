// The client commands on trunk-resident names (§6.6): 14 DOWNLOAD_FILE, 22 QUERY_FILE_INFO and 12 DELETE_FILE
// read or free the name's slot inside its trunk file; the handlers in ../handlers/ hand a trunk name over here
// after reading the request, so the path of every other name is unchanged.
import { closeSync } from 'node:fs';
import { unlink } from 'node:fs/promises';
import zlib from 'node:zlib';
import { Errno, StatusError } from '../../errors.js';
import { HEADER_SIZE, StorageCmd } from '../../protocol/codes.js';
import { METADATA_SUFFIX, decodeFileName } from '../../protocol/file-id.js';
import { encodeQueryFileInfoResponse, type DownloadRequest, type QueryFileInfoRequest } from '../../protocol/storage-file.js';
import type { TrunkSlotRef } from '../../protocol/trunk-slot.js';
import { sourceAddress } from '../tracker-side/identity.js';
import { nowSec, type StorageCtx, type StorageRuntime } from '../runtime.js';
import { openTrunkSlot, zeroTrunkSlot } from './slot-open.js';
import { trunkExpected } from './slot-check.js';

/** The download handler's own range rules and senders, passed in (the handler imports this file, not back). */
export interface RangeSender {
  downloadRange(fileSize: number, offset: number, length: number): { offset: number; length: number };
  readSmallRange(rt: StorageRuntime, fd: number, offset: number, length: number): Buffer;
  streamLarge(rt: StorageRuntime, ctx: StorageCtx, fd: number, offset: number, length: number, verify: null): Promise<void>;
}

/** Ranges up to this size go out in one packet (as the download handler does). */
const SMALL_RANGE = 256 << 10;

/**
 * 14 on a trunk name: the slot's content, whole or a range; a whole small read is checked against the CRC. A
 * damaged slot (its header is this name's, its content is not) is repaired from a peer while the client waits,
 * then served; a wrong byte is never sent as good.
 */
export async function downloadTrunkFile(rt: StorageRuntime, ctx: StorageCtx, req: DownloadRequest, send: RangeSender): Promise<void> {
  for (let pass = 0; ; pass++) {
    const damage = await downloadOnce(rt, ctx, req, send);
    if (damage === null) return;
    const fail = (what: string) => new StatusError(Errno.EIO, `${req.filename}: its trunk slot is damaged (${damage}); ${what}`, StorageCmd.DownloadFile);
    // A peer repairing from us is told at once: it must not wait on a repair that would ask it back.
    if (pass > 0 || ctx.state.syncSource) throw fail('no good copy here');
    if (await rt.content.repairer.repair(req.filename, trunkExpected(req.filename), damage) !== 'repaired') {
      throw fail('no peer could supply a good copy yet');
    }
  }
}

/** One attempt: null once answered, else what is wrong with the slot's content (nothing was sent). */
async function downloadOnce(rt: StorageRuntime, ctx: StorageCtx, req: DownloadRequest, send: RangeSender): Promise<string | null> {
  let slot;
  try {
    slot = openTrunkSlot(rt.paths, req.filename);
  } catch (err) {
    rt.stats.fileOpen(false);
    throw err;
  }
  rt.stats.fileOpen(true);
  try {
    const range = send.downloadRange(slot.size, req.fileOffset, req.downloadBytes);
    const at = slot.contentOffset + range.offset;
    if (range.length <= SMALL_RANGE) {
      const packet = send.readSmallRange(rt, slot.fd, at, range.length);
      if (range.length === slot.size && !slot.viaLink) {
        const crc = zlib.crc32(packet.subarray(HEADER_SIZE)) >>> 0;
        if (crc !== slot.ref.header.crc32 >>> 0) return `CRC32 ${crc.toString(16)}, its file ID says ${(slot.ref.header.crc32 >>> 0).toString(16)}`;
      }
      await ctx.replyPacket(packet);
    } else {
      await send.streamLarge(rt, ctx, slot.fd, at, range.length, null);
    }
    rt.stats.bytes('Download', range.length, range.length);
    rt.stats.success('Download');
    return null;
  } finally {
    closeSync(slot.fd);
  }
}

/** 22 on a trunk name: size and time from the checked slot header, the CRC from the name. */
export async function trunkFileInfo(rt: StorageRuntime, ctx: StorageCtx, req: Required<QueryFileInfoRequest>): Promise<void> {
  let slot;
  try {
    slot = openTrunkSlot(rt.paths, req.filename);
  } catch (err) {
    if (err instanceof StatusError && err.errno === Errno.ENOENT && req.keepSilence) ctx.log.debug({ file: req.filename }, 'no such file');
    throw err;
  }
  closeSync(slot.fd);
  const name = decodeFileName(req.filename);
  const info = { fileSize: slot.size, createTimestamp: slot.mtime, crc32: name.crc32, sourceIp: sourceAddress(rt, name.source) };
  await ctx.replyPacket(encodeQueryFileInfoResponse(info, rt.params.ipSize));
}

/** Where a freed slot goes: the trunk allocator when this storage has one (trunk writing), else nowhere. */
export interface SlotFreer {
  release(rt: StorageRuntime, ref: TrunkSlotRef): void;
}

/**
 * 12 on a trunk name: the slot is zeroed (its header then reads as free, so the ID is gone even before the
 * space is reused), a `D` binlog record, the `-m` sidecar removed with its own record, the space returned.
 */
export async function deleteTrunkFile(rt: StorageRuntime, filename: string, absPath: string, freer?: SlotFreer): Promise<void> {
  await rt.locks.run(absPath, async () => {
    const ref = zeroTrunkSlot(rt.paths, filename);
    const ts = nowSec();
    rt.binlog.append({ timestamp: ts, op: 'D', filename });
    const removedMeta = await unlink(absPath + METADATA_SUFFIX).then(() => true, () => false);
    if (removedMeta) rt.binlog.append({ timestamp: ts, op: 'D', filename: filename + METADATA_SUFFIX });
    freer?.release(rt, ref);
    rt.stats.success('Delete', ts);
  });
}
