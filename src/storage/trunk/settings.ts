// The trunk settings a storage takes from the tracker's 75 answer (spec §8.2, §10.7; stock defaults when absent).
import { SLOT_HEADER_SIZE } from '../../protocol/trunk-slot.js';

export interface TrunkSettings {
  slotMinSize: number;
  slotMaxSize: number;
  trunkFileSize: number;
  alignment: number;
  merge: boolean;
}

const MB = 1024 * 1024;

export function trunkSettings(raw: Record<string, string>): TrunkSettings {
  const num = (k: string, d: number) => {
    const v = Number(raw[k]);
    return raw[k] !== undefined && Number.isFinite(v) && v >= 0 ? v : d;
  };
  const trunkFileSize = Math.max(4 * MB, num('trunk_file_size', 64 * MB));
  return {
    slotMinSize: Math.max(1, num('slot_min_size', 256)),
    slotMaxSize: Math.min(num('slot_max_size', trunkFileSize / 8), trunkFileSize / 2),
    trunkFileSize,
    alignment: num('trunk_alloc_alignment_size', 0),
    merge: raw.trunk_free_space_merge === '1' || raw.trunk_free_space_merge === 'true',
  };
}

/** The slot size of a file of `size` bytes: header + content, at least slot_min_size, rounded up to the alignment. */
export function slotSizeFor(size: number, s: TrunkSettings): number {
  let n = Math.max(s.slotMinSize, size + SLOT_HEADER_SIZE);
  if (s.alignment > 0 && n % s.alignment !== 0) n += s.alignment - (n % s.alignment);
  return n;
}
