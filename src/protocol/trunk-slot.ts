// Trunk files (spec §6.6, §11.5): small files packed into `data/HH/HH/<id, 6 digits>` containers. A file's
// name says where its slot is (T16: trunk id, offset, slot size) and what the slot's 24-byte header must hold;
// a reader rebuilds that header from the name and serves the slot only when all 24 bytes match, so a freed
// (zeroed) or reused slot is never served under an old ID.
//
// Slot header (24 bytes, integers big-endian):
//   0  1  file type: 'F' regular, 'L' link (content = the target's logical name), 0 = free
//   1  4  alloc size (the slot size of the name's T16)
//   5  4  file size
//   9  4  crc32 (of the content, as in the name)
//   13 4  mtime (the name's timestamp)
//   17 7  formatted extension (the name's last 7 characters)
import { einval } from '../errors.js';
import { FILE_EXT_NAME_MAX_LEN, TRUNK_LOGIC_FILENAME_LENGTH } from './codes.js';
import { trunkNameFacts, type TrunkLocation } from './file-id.js';

export const SLOT_HEADER_SIZE = 24;
const X7_LEN = FILE_EXT_NAME_MAX_LEN + 1;

export const SlotType = { Free: 0, Regular: 0x46 /* 'F' */, Link: 0x4c /* 'L' */ } as const;
export type SlotTypeCode = (typeof SlotType)[keyof typeof SlotType];

export interface SlotHeader {
  type: number;
  allocSize: number;
  fileSize: number;
  crc32: number;
  mtime: number;
  /** The X7 of the name (7 characters). */
  x7: string;
}

/** Where a trunk name's slot is and what its header must say. */
export interface TrunkSlotRef {
  storePathIndex: number;
  subHigh: number;
  subLow: number;
  trunk: TrunkLocation;
  /** The header a live slot of this name holds (type 'F'; a link slot differs only in its type byte). */
  header: SlotHeader;
}

export function encodeSlotHeader(h: SlotHeader): Buffer {
  const b = Buffer.alloc(SLOT_HEADER_SIZE);
  b[0] = h.type;
  b.writeInt32BE(h.allocSize | 0, 1);
  b.writeInt32BE(h.fileSize | 0, 5);
  b.writeInt32BE(h.crc32 | 0, 9);
  b.writeInt32BE(h.mtime | 0, 13);
  if (h.x7.length !== X7_LEN) throw einval(`bad formatted extension "${h.x7}"`);
  b.write(h.x7, 17, X7_LEN, 'latin1');
  return b;
}

export function decodeSlotHeader(b: Buffer): SlotHeader {
  if (b.length < SLOT_HEADER_SIZE) throw einval(`trunk slot header needs ${SLOT_HEADER_SIZE} bytes, got ${b.length}`);
  return {
    type: b[0]!,
    allocSize: b.readInt32BE(1),
    fileSize: b.readInt32BE(5),
    crc32: b.readUInt32BE(9),
    mtime: b.readUInt32BE(13),
    x7: b.toString('latin1', 17, SLOT_HEADER_SIZE),
  };
}

/**
 * True for a trunk-resident name: exactly 60 characters and the trunk flag in B27 (§6.6). The length test
 * comes first, so every other name costs one comparison.
 */
export function isTrunkName(logical: string): boolean {
  return logical.length === TRUNK_LOGIC_FILENAME_LENGTH && trunkNameFacts(logical) !== null;
}

/** The slot a trunk name points at and the header it must carry; EINVAL when the name is not a trunk name. */
export function trunkSlotOf(logical: string): TrunkSlotRef {
  const f = trunkNameFacts(logical);
  if (!f) throw einval(`not a trunk file name "${logical}"`);
  const hex = (at: number) => parseInt(logical.slice(at, at + 2), 16);
  return {
    storePathIndex: hex(1),
    subHigh: hex(4),
    subLow: hex(7),
    trunk: f.trunk,
    header: {
      type: SlotType.Regular,
      allocSize: f.trunk.size,
      fileSize: f.size,
      crc32: f.crc32,
      mtime: f.timestamp,
      x7: logical.slice(logical.length - X7_LEN),
    },
  };
}

/** The container's file name inside `data/HH/HH/`: the trunk id as at least 6 zero-padded digits. */
export function trunkContainerName(fileId: number): string {
  return String(fileId).padStart(6, '0');
}

/** A trunk container's file name (`000001`), as opposed to a stored file's. */
export const TRUNK_CONTAINER_RE = /^[0-9]{6,10}$/;

/** Content bytes of a slot start after its header. */
export function slotContentOffset(trunk: TrunkLocation): number {
  return trunk.offset + SLOT_HEADER_SIZE;
}
