// Fuzz: seeded random and mutated frames (from the captured fixtures) into the FrameDecoder and into every
// decode/parse function of src/protocol/: nothing may throw but ProtocolError or StatusError, nothing may hang.
import { describe, it, expect } from 'vitest';
import { FrameDecoder } from '../../../src/protocol/frame-decoder.js';
import { ProtocolError, StatusError } from '../../../src/errors.js';
import { encodeCreateLinkRequest, encodeModifyHead, encodeTruncateRequest } from '../../../src/protocol/storage-file.js';
import { encodeReportIpChangedRequest } from '../../../src/protocol/sync-coord.js';
import { encodeStorageClusterStatRequest, encodeVolumeStatRequest } from '../../../src/protocol/tracker-cluster-stat.js';
import { encodeFetchStorageIdsRequest, encodeFetchStorageIdsResponse } from '../../../src/protocol/join.js';
import { encodeQueryStoreAllResponse } from '../../../src/protocol/tracker-query.js';
import { CMDS, fixtures, int, mutate, pick, randomBytes, rng, type Rng } from '../../helpers/fuzz.js';

const SEED = Number(process.env.FUZZ_SEED ?? 0x5eed);
const FRAMES = 5000;
const DECODES = 20000;

const modules = import.meta.glob('../../../src/protocol/*.ts', { eager: true }) as Record<string, Record<string, unknown>>;

type Fn = (...args: unknown[]) => unknown;
interface Target { name: string; fn: Fn; params: string[] }

/** Every exported decodeX / parseX function, with its parameter names read from its source. */
function targets(): Target[] {
  const out: Target[] = [];
  for (const [file, mod] of Object.entries(modules)) {
    for (const [name, value] of Object.entries(mod)) {
      if (typeof value !== 'function' || !/^(decode|parse)[A-Z]/.test(name)) continue;
      const m = /^[^(]*\(([^)]*)\)/.exec(Function.prototype.toString.call(value));
      const params = (m?.[1] ?? '').split(',').map((p) => p.trim().replace(/\s*=.*$/, '')).filter(Boolean);
      out.push({ name: `${file.replace(/^.*\//, '')}:${name}`, fn: value as Fn, params });
    }
  }
  return out;
}

/** An argument for a parameter, by its name: bodies get the mutated bytes, texts their latin1 reading. */
function arg(r: Rng, param: string, bytes: Buffer): unknown {
  const body = bytes.length >= 10 && r() < 0.7 ? bytes.subarray(10) : bytes;
  switch (param) {
    case 'body': case 'buf': case 'bytes': case 'stream': case 'trailer': case 'b': return body;
    case 'cmd': return r() < 0.7 && bytes.length > 8 ? bytes[8] : pick(r, CMDS);
    case 'pkgLen': return pick(r, [body.length, body.length + int(r, 100), int(r, 1000), 0, 2 ** 40, Number.MAX_SAFE_INTEGER]);
    case 'status': return bytes.length > 9 && r() < 0.5 ? bytes[9] : int(r, 256);
    case 'expectedPaths': return r() < 0.3 ? undefined : int(r, 4);
    case 'offset': return r() < 0.8 ? 0 : int(r, Math.max(1, bytes.length));
    case 'chunkSizes': return r() < 0.5 ? undefined : Array.from({ length: 1 + int(r, 8) }, () => 1 + int(r, 20));
    case 'partial': return r() < 0.7 ? '' : body.toString('latin1', 0, int(r, 20));
    case 'minName': return undefined;
    default: {
      // text parsers (line, text, logical, b27, t16, …): the bytes read as text, or a plausible name
      const text = body.toString('latin1');
      return r() < 0.5 ? text : `M00/${text.slice(0, 2)}/${text.slice(2, 4)}/${text.slice(4, 40)}.${text.slice(40, 45)}`;
    }
  }
}

const BUFFER_PARAMS = new Set(['body', 'buf', 'bytes', 'stream', 'trailer', 'b']);
const TEXT_PARAMS = (p: string): boolean => !BUFFER_PARAMS.has(p) &&
  !['cmd', 'pkgLen', 'status', 'expectedPaths', 'offset', 'chunkSizes', 'minName'].includes(p);
const NAMES = [
  'M00/02/AC/Ck0AA2sB8HuAKOo1AAAAHWMZ9Uk701.txt', 'M00/02/AC/Ck0AA2sB8H-EOCruAAAAAGMZ9Uk778.txt',
  'M00/02/AC/Ck0AA2sB8IuAKDoiAAAAHWMZ9Uk066_big.txt', 'M00/00/00/Ck0BAmsB9oGEX3NUAAAAABXlUKk344.txt-m',
  'Ck0AA2sB8HuAKOo1AAAAHWMZ9Uk', '10.77.1.5:22122', '[fe80::5]:22122',
  '1795290772 C M00/00/00/Ck0BAmsB9pSAJvv7AAAAE7TkL5M528.txt\n', '1795291523 group1 10.77.1.5 4 \n',
  'binlog_index=0\nbinlog_offset=120\n',
];

/** Packets of commands without a capture, so their decoders get valid seeds too. */
function generated(): Buffer[] {
  const APPENDER = 'M00/02/AC/Ck0AA2sB8H-EOCruAAAAAGMZ9Uk778.txt';
  return [
    encodeTruncateRequest({ filename: APPENDER, truncatedFileSize: 5 }),
    encodeModifyHead({ filename: APPENDER, fileOffset: 2, fileSize: 2 }),
    encodeCreateLinkRequest({ masterFilename: APPENDER, srcFilename: APPENDER, srcFileSig: Buffer.from('0123456789abcdef'), group: 'group1', prefix: '_big', ext: 'txt' }),
    encodeReportIpChangedRequest({ group: 'group1', oldIp: '10.77.1.5', newIp: '10.77.1.6' }),
    encodeStorageClusterStatRequest({ isTrunkServer: true, status: { op: '!', status: 7 } }),
    encodeVolumeStatRequest({ diskAvailable: true, spaceAvailable: false }),
    encodeFetchStorageIdsRequest({ startIndex: 0, allowEmpty: true }),
    encodeFetchStorageIdsResponse({ totalCount: 2, entries: [{ id: '100001', group: 'group1', host: '10.77.1.2' }, { id: '100002', group: 'group1', host: '[fe80::3]:23000', rwMode: 'read' }] }),
    encodeQueryStoreAllResponse({ group: 'group1', servers: [{ ip: '10.77.0.2', port: 23000 }, { ip: 'fd00::1', port: 1 }], storePathIndex: 1 }, 46),
  ];
}

function mutateText(r: Rng, s: string): string {
  const i = int(r, s.length + 1);
  switch (int(r, 4)) {
    case 0: return s.slice(0, i);
    case 1: return s.slice(0, i) + String.fromCharCode(int(r, 256)) + s.slice(i + 1);
    case 2: return s + randomBytes(r, int(r, 40)).toString('latin1');
    default: return s.slice(0, i) + s.slice(i).replace(/\d/, String(int(r, 10)));
  }
}

function allowed(err: unknown): boolean {
  return err instanceof ProtocolError || err instanceof StatusError;
}

describe(`protocol fuzz (seed ${SEED}; FUZZ_SEED=n to change)`, () => {
  const base = fixtures();

  it(`${FRAMES} mutated streams through the FrameDecoder at random splits`, () => {
    const r = rng(SEED);
    const t0 = Date.now();
    for (let i = 0; i < FRAMES; i++) {
      const parts: Buffer[] = [];
      for (let n = 1 + int(r, 3); n > 0; n--) parts.push(mutate(r, pick(r, base)).bytes);
      const stream = Buffer.concat(parts);
      let bodyBytes = 0;
      let headers = 0;
      let ended = 0;
      const limit = r() < 0.5 ? undefined : { maxPkgLen: () => int(r, 1 << 16) };
      const dec = new FrameDecoder({
        header: () => { headers++; },
        body: (c) => { expect(c.length).toBeGreaterThan(0); bodyBytes += c.length; },
        end: () => { ended++; },
      }, limit);
      try {
        let off = 0;
        while (off < stream.length) {
          const n = 1 + int(r, 64);
          dec.write(stream.subarray(off, off + n));
          off += n;
        }
      } catch (err) {
        if (!allowed(err)) throw new Error(`case ${i} (seed ${SEED}): ${String(err)} on ${stream.toString('hex').slice(0, 200)}`);
        continue;
      }
      // everything written is accounted for: 10 bytes per header seen plus body bytes, a partial header at most
      expect(ended === headers || ended === headers - 1).toBe(true);
      expect(stream.length - headers * 10 - bodyBytes).toBeGreaterThanOrEqual(0);
      expect(stream.length - headers * 10 - bodyBytes).toBeLessThan(10);
    }
    expect(Date.now() - t0).toBeLessThan(15_000); // a hang guard; about 1-2 s on an idle machine
  });

  it(`${DECODES} mutated frames into every decode/parse function`, () => {
    const list = targets();
    expect(list.length).toBeGreaterThan(60);
    const r = rng(SEED + 1);
    const t0 = Date.now();
    const seen = new Map<string, { ok: number; refused: number }>();
    // Seeds each function accepts as they are (fixture bodies, valid names), so mutations reach past the
    // first length check: half the calls mutate one of these.
    const accepted = new Map<string, unknown[][]>();
    const texts = [...NAMES, ...base.map((b) => b.toString('latin1'))];
    const packets = [...base, ...generated()];
    for (const t of list) {
      const ok: unknown[][] = [];
      for (const b of [...packets, ...packets.map((x) => x.subarray(10))]) {
        for (const variant of t.params.includes('status') ? [0, 1] : [0]) {
          const args = t.params.map((p) => (BUFFER_PARAMS.has(p) ? b : p === 'cmd' ? b[8] : p === 'pkgLen' ? b.length
            : p === 'status' ? (variant ? 1 : 0) : TEXT_PARAMS(p) ? texts[(ok.length + variant) % texts.length] : undefined));
          try { t.fn(...args); ok.push(args); } catch { /* not a seed */ }
        }
      }
      accepted.set(t.name, ok);
    }
    for (let i = 0; i < DECODES; i++) {
      const t = list[i % list.length]!;
      const seeds = accepted.get(t.name)!;
      let args: unknown[];
      let bytes: Buffer;
      if (seeds.length && r() < 0.5) {
        args = pick(r, seeds).map((a) => (Buffer.isBuffer(a) ? mutate(r, a).bytes : typeof a === 'string' ? mutateText(r, a) : a));
        bytes = (args.find((a) => Buffer.isBuffer(a)) as Buffer | undefined) ?? Buffer.alloc(0);
      } else {
        bytes = r() < 0.1 ? randomBytes(r, int(r, 600)) : mutate(r, pick(r, base)).bytes;
        args = t.params.map((p) => arg(r, p, bytes));
      }
      const s = seen.get(t.name) ?? { ok: 0, refused: 0 };
      const c0 = Date.now();
      try {
        t.fn(...args);
        s.ok++;
      } catch (err) {
        if (!allowed(err)) {
          throw new Error(`case ${i} (seed ${SEED}) ${t.name}(${t.params.join(', ')}): ${(err as Error)?.stack ?? String(err)}\n` +
            `bytes ${bytes.toString('hex').slice(0, 400)}`);
        }
        s.refused++;
      }
      if (Date.now() - c0 > 1000) throw new Error(`case ${i} ${t.name} took ${Date.now() - c0} ms`);
      seen.set(t.name, s);
    }
    if (process.env.FUZZ_VERBOSE) console.log(list.map((t) => `${t.name}(${t.params.join(",")}) ${JSON.stringify(seen.get(t.name))}`).join("\n"));
    expect(seen.size).toBe(list.length);
    expect(Date.now() - t0).toBeLessThan(15_000); // a hang guard; about 1-2 s on an idle machine
  });
});
