// Writing small files into trunk files on the group's trunk server (spec §6.6, §8.8, §11.5). An upload of at
// most slot_max_size − 24 bytes gets a slot from the trunk space (trunk-space.ts), its content goes in after
// the header's place and the 24-byte header last (a small file received whole: both in one positional write),
// then the space is committed to the trunk binlog, and only then does the caller write the sync binlog `C` and
// answer with the ID:
//   - killed mid-write: the header was never written, the slot reads as free and its space is free again;
//   - killed after the header, before the commit: the ID was never handed out and the space is reused.
import { randomInt } from 'node:crypto';
import zlib from 'node:zlib';
import { Errno, StatusError } from '../../errors.js';
import { encodeFileName, sourceWord } from '../../protocol/file-id.js';
import { encodeSlotHeader, SLOT_HEADER_SIZE, SlotType, type TrunkSlotRef } from '../../protocol/trunk-slot.js';
import { OpenContainers, writeAllAt, writeSlotAt, zeroAt } from './container.js';
import { CleanAhead } from './clean-ahead.js';
import { nameSource } from '../tracker-side/identity.js';
import { fsStatus, nowSec, type StorageRuntime } from '../runtime.js';
import { fastPath } from '../../native/fastpath.js';
import { slotSizeFor, trunkSettings } from './settings.js';
import type { TrunkSpace } from './trunk-space.js';
import type { Block } from './free-space.js';

export interface TrunkUpload {
  ip: string;
  ext: string;
  storePathIndex: number;
  size: number;
  body: AsyncIterable<Buffer>;
}

/** A slot's file ID (stock's trunk name) and the 24-byte header that goes with it. */
function named(rt: StorageRuntime, ip: string, ext: string, size: number, slot: Block, crc32: number, timestamp: number,
  type: number = SlotType.Regular): { logical: string; header: Buffer } {
  const logical = encodeFileName({
    source: nameSource(rt, ip), timestamp, size, kind: 'trunk', crc32, ext,
    storePathIndex: slot.storePathIndex, subHigh: slot.subHigh, subLow: slot.subLow,
    trunk: { fileId: slot.fileId, offset: slot.offset, size: slot.size },
  });
  const header = encodeSlotHeader({ type, allocSize: slot.size, fileSize: size, crc32, mtime: timestamp, x7: logical.slice(-7) });
  return { logical, header };
}

/** A small upload's slot header and content written into its trunk file at once: its name. */
function writeSlotNow(rt: StorageRuntime, f: { ip: string; ext: string; content: Buffer }, slot: Block, fd: number, timestamp: number): string {
  const native = fastPath();
  if (!native) {
    const crc = zlib.crc32(f.content) >>> 0;
    const { logical, header } = named(rt, f.ip, f.ext, f.content.length, slot, crc, timestamp);
    writeSlotAt(fd, header, f.content, slot.offset);
    return logical;
  }
  const p = slotParams;
  p[0] = sourceWord(nameSource(rt, f.ip));
  p[1] = timestamp;
  p[2] = slot.storePathIndex;
  p[3] = slot.subHigh;
  p[4] = slot.subLow;
  p[5] = slot.fileId;
  p[6] = slot.offset;
  p[7] = slot.size;
  const logical = native.storeTrunkSlot(f.content, fd, f.ext, p);
  if (typeof logical === 'number') throw new StatusError(-logical, `write trunk slot: errno ${-logical}`);
  return logical;
}

const slotParams = new Int32Array(8);

/**
 * Occupied slots skipped before an upload gives up. A binlog copy that missed a burst calls a whole run of
 * slots free: each is found once, journaled taken, and never handed out again.
 */
const OCCUPIED_TRIES = 1024;
/** At most one warning about occupied slots in this many ms (a stale binlog yields them by the hundred). */
const OCCUPIED_WARN_MS = 10_000;

export class TrunkStore {
  private containers: OpenContainers | null = null;
  private readonly cleanAhead = new CleanAhead();
  private occupiedSeen = 0;
  private occupiedWarnedAt = 0;

  /**
   * `space`: the trunk space 27/28/29 are answered from; `uploads`: the one this process's own uploads take
   * slots from (a worker's leases, leased-space.ts; the same as `space` in the owner).
   * `isTrunkServer`: this storage's own allocator hands out the space (27/28/29 are answered here).
   */
  constructor(readonly space: TrunkSpace, readonly isTrunkServer: () => boolean, private readonly uploads: TrunkSpace = space) {}

  /** True when an upload of `size` bytes (null = unknown) goes into a trunk file here. */
  accepts(rt: StorageRuntime, size: number | null, appender: boolean): boolean {
    if (appender || size === null || !rt.params.useTrunkFile || !this.space.available()) return false;
    return size + SLOT_HEADER_SIZE <= trunkSettings(rt.params.raw).slotMaxSize;
  }

  /** Store one upload in a slot; resolves with its name once the slot is committed. */
  async store(rt: StorageRuntime, f: TrunkUpload): Promise<{ logical: string; timestamp: number; size: number }> {
    // Stock names a trunk file by its upload's start time.
    const timestamp = nowSec();
    const index = await rt.placement.choosePath(f.storePathIndex, f.size);
    const slot = await this.reserveFree(rt, index, f.ip, slotSizeFor(f.size, trunkSettings(rt.params.raw)));
    try {
      const containers = this.containers!;
      const trunkFileSize = trunkSettings(rt.params.raw).trunkFileSize;
      // Blocking writes: a slot is at most slot_max_size, and the page cache takes it at memory speed. The
      // descriptor is looked up for each write: one kept across an await could be closed and reused meanwhile.
      const fd = () => containers.fdFor(trunkFileSize, slot);
      let crc = 0;
      let got = 0;
      for await (const chunk of f.body) {
        if (got + chunk.length > f.size) throw new StatusError(Errno.EINVAL, 'more bytes than announced');
        crc = zlib.crc32(chunk, crc);
        writeAllAt(fd(), chunk, slot.offset + SLOT_HEADER_SIZE + got);
        got += chunk.length;
      }
      if (got !== f.size) throw new StatusError(Errno.EINVAL, `body ended after ${got} of ${f.size} bytes`);
      const { logical, header } = named(rt, f.ip, f.ext, f.size, slot, crc >>> 0, timestamp);
      // The header last: until it is written the slot reads as free.
      writeAllAt(fd(), header, slot.offset);
      await this.uploads.commit(slot);
      return { logical, timestamp, size: f.size };
    } catch (err) {
      this.wipe(rt, slot);
      await this.uploads.free(slot).catch(() => {});
      if ((err as NodeJS.ErrnoException).syscall) throw fsStatus(err, 'write trunk file');
      throw err;
    }
  }

  /**
   * A link slot (stock's link to a trunk file, 20 without a master name): type 'L', content the target's logical
   * name, in the target's store path; the name's size is that content's and its CRC32 random, as stock's. Written
   * and committed as an upload's slot; resolves with the link's name.
   */
  async storeLink(rt: StorageRuntime, f: { ip: string; ext: string; storePathIndex: number; target: string }):
    Promise<{ logical: string; timestamp: number }> {
    const content = Buffer.from(f.target, 'latin1');
    const timestamp = nowSec();
    const settings = trunkSettings(rt.params.raw);
    const slot = await this.reserveFree(rt, f.storePathIndex, f.ip, slotSizeFor(content.length, settings));
    try {
      const containers = this.containers!;
      const fd = containers.fdFor(settings.trunkFileSize, slot);
      const { logical, header } = named(rt, f.ip, f.ext, content.length, slot, randomInt(0x7fffffff), timestamp, SlotType.Link);
      writeAllAt(fd, content, slot.offset + SLOT_HEADER_SIZE);
      writeAllAt(fd, header, slot.offset);
      await this.uploads.commit(slot);
      return { logical, timestamp };
    } catch (err) {
      this.wipe(rt, slot);
      await this.uploads.free(slot).catch(() => {});
      if ((err as NodeJS.ErrnoException).syscall) throw fsStatus(err, 'write trunk file');
      throw err;
    }
  }

  /**
   * store in one synchronous step, for a small upload received whole (handlers/inline-upload.ts): null, with
   * nothing changed, when that cannot be done at once (no lease at hand, the free space not known, an error).
   */
  storeNow(rt: StorageRuntime, f: { ip: string; ext: string; storePathIndex: number; content: Buffer }):
    { logical: string; timestamp: number; size: number } | null {
    const space = this.uploads;
    if (!space.reserveNow || !space.commitNow || !space.freeNow) return null;
    const settings = trunkSettings(rt.params.raw);
    const index = rt.placement.choosePathNow(f.storePathIndex, f.content.length);
    if (index === null) return null;
    const slot = space.reserveNow(index, slotSizeFor(f.content.length, settings), f.ip);
    if (!slot) return null;
    const timestamp = nowSec();
    try {
      const containers = this.containers ??= new OpenContainers(rt.paths);
      const fd = containers.fdFor(settings.trunkFileSize, slot);
      if (!this.cleanAhead.slotIsFree(fd, slot)) {
        // Taken for good (see reserveFree); the async path looks further.
        this.noteOccupied(rt, slot);
        try {
          space.commitNow(slot);
        } catch {
          // not journaled: it stays reserved, out of use until a restart
        }
        return null;
      }
      const logical = writeSlotNow(rt, f, slot, fd, timestamp);
      space.commitNow(slot);
      return { logical, timestamp, size: f.content.length };
    } catch {
      this.wipe(rt, slot);
      try {
        space.freeNow(slot);
      } catch {
        // the binlog cannot be written: the slot stays out of use until a restart
      }
      return null;
    }
  }

  /**
   * A reserved slot that is all zeros here. One with data (a file the trunk binlog the trunk server replayed
   * missed, e.g. the role moved on before the last records reached it; or what a write killed before its header
   * left) is journaled as taken, so it is never handed out again, and another is reserved. Stock reads the
   * header only and answers EEXIST at once.
   */
  private async reserveFree(rt: StorageRuntime, index: number, ip: string, slotSize: number): Promise<Block> {
    const containers = this.containers ??= new OpenContainers(rt.paths);
    const trunkFileSize = trunkSettings(rt.params.raw).trunkFileSize;
    for (let tries = 0; tries < OCCUPIED_TRIES; tries++) {
      const slot = await this.uploads.reserve(index, ip, slotSize);
      let held: boolean;
      try {
        held = !this.cleanAhead.slotIsFree(containers.fdFor(trunkFileSize, slot), slot);
      } catch (err) {
        await this.uploads.free(slot).catch(() => {});
        throw fsStatus(err, 'read trunk slot header');
      }
      if (!held) return slot;
      this.noteOccupied(rt, slot);
      await this.uploads.commit(slot);
    }
    throw new StatusError(Errno.EEXIST, `${OCCUPIED_TRIES} trunk slots in a row hold stored files`);
  }

  /** Zero a slot given back after a failed write, so the next upload finds it free; if that fails, it stays taken. */
  private wipe(rt: StorageRuntime, slot: Block): void {
    try {
      zeroAt(this.containers!.fdFor(trunkSettings(rt.params.raw).trunkFileSize, slot), slot.offset, slot.size);
    } catch {
      // the write after it finds data and journals the slot taken
    }
  }

  private noteOccupied(rt: StorageRuntime, slot: Block): void {
    this.occupiedSeen++;
    const now = Date.now();
    if (now - this.occupiedWarnedAt < OCCUPIED_WARN_MS) return;
    this.occupiedWarnedAt = now;
    rt.log.warn({ trunkFile: slot.fileId, offset: slot.offset, size: slot.size, occupiedSoFar: this.occupiedSeen },
      'trunk slots handed out that hold stored files (the trunk binlog missed them): kept, journaled as taken');
  }

  /** Close the trunk files kept open (the process stops). */
  close(): void {
    this.containers?.close();
    this.containers = null;
    this.cleanAhead.forget();
  }

  /** A deleted file's slot (already zeroed) is free space again. */
  release(rt: StorageRuntime, ref: TrunkSlotRef): void {
    if (!rt.params.useTrunkFile || !this.space.available()) return;
    this.space.free({ storePathIndex: ref.storePathIndex, subHigh: ref.subHigh, subLow: ref.subLow, ...ref.trunk })
      .catch((err: Error) => rt.log.warn({ err: err.message }, 'cannot return a deleted file\'s trunk slot'));
  }
}
