// Maps logical file names `Mxx/HH/HH/name` to absolute paths under `<store_path>/data/` (spec §5, §6.1,
// §11.1), refusing anything that could leave the store path; creates `data/HH/HH` lazily on first write.
import { mkdir } from 'node:fs/promises';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { einval } from '../../errors.js';
import { MAX_LOGIC_FILENAME_LEN } from '../../protocol/codes.js';

/** `Mxx/HH/HH/` with uppercase hex, then the file name. */
const LOGICAL_RE = /^M([0-9A-F]{2})\/([0-9A-F]{2})\/([0-9A-F]{2})\/([^/]+)$/;
/** Characters a generated, slave or sidecar name can hold (base64url, X7 digits, `.`, prefix chars, `-m`). */
const NAME_RE = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

export interface ResolvedName {
  /** The logical name as given (`Mxx/HH/HH/name`). */
  logical: string;
  storePathIndex: number;
  subHigh: number;
  subLow: number;
  /** The part after `Mxx/HH/HH/`. */
  fileName: string;
  /** `<store_path>/data/HH/HH`. */
  dir: string;
  /** `<store_path>/data/HH/HH/name`. */
  absPath: string;
}

const HEX2 = Array.from({ length: 256 }, (_, n) => n.toString(16).toUpperCase().padStart(2, '0'));

export function hex2(n: number): string {
  return HEX2[n] ?? n.toString(16).toUpperCase().padStart(2, '0');
}

export class StorePaths {
  /** Absolute `<store_path>/data` per index. */
  readonly dataDirs: string[];
  private readonly made = new Set<string>();
  /** `<store_path>/data/HH/` per index and high byte, built once: every request names a directory. */
  private readonly highDirs: string[][];

  constructor(readonly storePaths: string[], readonly subdirCount: number) {
    if (storePaths.length < 1 || storePaths.length > 256) throw new Error(`bad store path count ${storePaths.length}`);
    this.dataDirs = storePaths.map((p) => path.resolve(p, 'data'));
    this.highDirs = this.dataDirs.map((d) => HEX2.map((h) => d + path.sep + h + path.sep));
  }

  get count(): number {
    return this.storePaths.length;
  }

  /**
   * Validate and map a logical name. EINVAL for: over 127 bytes, no `M` prefix, lowercase or bad hex,
   * store path index ≥ store_path_count, a `/`, `\`, NUL, `..` or leading `.` in the name, any character
   * outside `[A-Za-z0-9._-]`, or a result that is not strictly inside `<store_path>/data/`.
   */
  resolve(logical: string): ResolvedName {
    if (Buffer.byteLength(logical) >= MAX_LOGIC_FILENAME_LEN) throw einval(`file name too long (${logical.length})`);
    const m = LOGICAL_RE.exec(logical);
    if (!m) throw einval(`bad file name "${printable(logical)}"`);
    const storePathIndex = parseInt(m[1]!, 16);
    const subHigh = parseInt(m[2]!, 16);
    const subLow = parseInt(m[3]!, 16);
    const fileName = m[4]!;
    if (storePathIndex >= this.count) {
      throw einval(`store path index ${storePathIndex} out of range (store_path_count ${this.count})`);
    }
    if (!NAME_RE.test(fileName) || fileName.includes('..')) throw einval(`bad file name "${printable(logical)}"`);
    return this.at(storePathIndex, subHigh, subLow, fileName, logical);
  }

  /** The path of a name this storage generates (still checked). */
  at(storePathIndex: number, subHigh: number, subLow: number, fileName: string, logical?: string): ResolvedName {
    if (this.dataDirs[storePathIndex] === undefined) throw einval(`store path index ${storePathIndex} out of range`);
    // Belt and braces: whatever passed the checks above must still land inside data/HH/HH. The directory is
    // built from the normalised data path and two hex bytes, so a name with no separator, not `.` or `..`,
    // stays in it.
    if (fileName === '' || fileName === '.' || fileName === '..' || fileName.includes(path.sep) || fileName.includes('/') || fileName.includes('\0')) {
      throw einval(`file name escapes the store path: "${printable(fileName)}"`);
    }
    const dir = this.dirOf(storePathIndex, subHigh, subLow);
    const absPath = dir + path.sep + fileName;
    return {
      logical: logical ?? `M${hex2(storePathIndex)}/${hex2(subHigh)}/${hex2(subLow)}/${fileName}`,
      storePathIndex, subHigh, subLow, fileName, dir, absPath,
    };
  }

  /** The directory of a new file in path `index`, sub-directories (high, low). */
  dirOf(index: number, subHigh: number, subLow: number): string {
    if ((subHigh & 255) !== subHigh || (subLow & 255) !== subLow) throw einval(`bad sub-directory ${subHigh}/${subLow}`);
    return this.highDirs[index]![subHigh]! + HEX2[subLow]!;
  }

  /** `mkdir -p` a data directory once per process (cheap afterwards). */
  async ensureDir(dir: string): Promise<void> {
    if (this.made.has(dir)) return;
    await mkdir(dir, { recursive: true });
    this.made.add(dir);
  }

  /** ensureDir with a blocking mkdir (a new directory is rare: once per leaf directory and process). */
  ensureDirNow(dir: string): void {
    if (this.made.has(dir)) return;
    mkdirSync(dir, { recursive: true });
    this.made.add(dir);
  }

  /** Forget that a directory exists (after ENOENT on a write, e.g. it was removed underneath us). */
  forgetDir(dir: string): void {
    this.made.delete(dir);
  }

  /** Create `<store_path>/data` for every path (not the 65,536 leaf directories). */
  async init(): Promise<void> {
    for (const d of this.dataDirs) await mkdir(d, { recursive: true });
  }
}

/** For logs: control characters escaped. */
function printable(s: string): string {
  return s.replace(/[\x00-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`).slice(0, 160);
}
