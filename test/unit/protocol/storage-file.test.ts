import { describe, it, expect } from 'vitest';
import {
  encodeUploadHead, decodeUploadHead, encodeUploadResponse, decodeUploadResponse, encodeSlaveUploadHead,
  decodeSlaveUploadHead, encodeAppendHead, decodeAppendHead, encodeModifyHead, decodeModifyHead,
  encodeTruncateRequest, decodeTruncateRequest, encodeRegenerateRequest, decodeRegenerateRequest,
  encodeDeleteFileRequest, decodeDeleteFileRequest, encodeQueryFileInfoRequest, decodeQueryFileInfoRequest,
  encodeQueryFileInfoResponse, decodeQueryFileInfoResponse, encodeDownloadRequest, decodeDownloadRequest,
  encodeDownloadResponseHead, encodeCreateLinkRequest, decodeCreateLinkRequest, type UploadHead,
} from '../../../src/protocol/storage-file.js';
import { slaveFileName } from '../../../src/protocol/file-id.js';
import { encodeHeader } from '../../../src/protocol/header.js';
import { ProtocolError, StatusError } from '../../../src/errors.js';
import { hex, decodeEverySplit } from '../../helpers/hex.js';
import { wire } from '../../helpers/wire.js';
import { codecCases } from '../../helpers/codec-cases.js';
import type { Header } from '../../../src/protocol/header.js';

const NAME = 'M00/02/AC/Ck0AA2sB8HuAKOo1AAAAHWMZ9Uk701.txt';
const APPENDER = 'M00/02/AC/Ck0AA2sB8H-EOCruAAAAAGMZ9Uk778.txt';
const MASTER = 'M00/02/AC/Ck0AA2sB8IuAKDoiAAAAHWMZ9Uk066.txt';
const HELLO = Buffer.from('Hello FastDFS wire protocol!\n');
const OK = wire('empty.resp');

function errno(fn: () => unknown): number {
  try { fn(); } catch (e) { if (e instanceof StatusError) return e.errno; throw e; }
  throw new Error('expected a StatusError');
}
/** Header + group[16] + name, as in the §12 dumps whose name part is elided. */
function groupFile(cmd: number, name: string, status = 0): Buffer {
  const g = Buffer.alloc(16); g.write('group1');
  return Buffer.concat([encodeHeader(16 + name.length, cmd, status), g, Buffer.from(name)]);
}
function uploadResp(name: string): Buffer {
  const g = Buffer.alloc(16); g.write('group1');
  return Buffer.concat([encodeHeader(16 + name.length, 100), g, Buffer.from(name)]);
}

type Head<T> = { cmd: number; head: T; content: Buffer };
/** A streamed head (decoded with the frame's cmd and pkg_len) and the content after it. */
function streamed<T>(encode: (cmd: number, head: T) => Buffer, decode: (cmd: number, body: Buffer, pkgLen: number) => { head: T; used: number } | null) {
  return {
    encode: (v: Head<T>) => Buffer.concat([encode(v.cmd, v.head), v.content]),
    decode: (b: Buffer, h: Header | undefined): Head<T> => {
      const d = decode(h!.cmd, b, h!.pkgLen)!;
      return { cmd: h!.cmd, head: d.head, content: b.subarray(d.used) };
    },
  };
}
const upload = streamed((c, h: UploadHead) => encodeUploadHead(c as 11 | 23, h), (c, b, n) => decodeUploadHead(c as 11 | 23, b, n));
const slaveUpload = streamed((_c, h: Parameters<typeof encodeSlaveUploadHead>[0]) => encodeSlaveUploadHead(h), (_c, b, n) => decodeSlaveUploadHead(b, n));
const appendHead = streamed((_c, h: Parameters<typeof encodeAppendHead>[0]) => encodeAppendHead(h), (_c, b, n) => decodeAppendHead(b, n));
const modifyHead = streamed((_c, h: Parameters<typeof encodeModifyHead>[0]) => encodeModifyHead(h), (_c, b, n) => decodeModifyHead(b, n));
const uploadAnswer = { encode: (v: { group: string; logical: string }) => encodeUploadResponse(v.group, v.logical), decode: (b: Buffer) => decodeUploadResponse(b) };
const fileInfoAnswer = { encode: (v: Parameters<typeof encodeQueryFileInfoResponse>[0]) => encodeQueryFileInfoResponse(v, 16), decode: (b: Buffer) => decodeQueryFileInfoResponse(b) };
const fileInfoRequest = { encode: encodeQueryFileInfoRequest, decode: (b: Buffer, h: Header | undefined) => decodeQueryFileInfoRequest(b, h!.status) };
const download = { encode: encodeDownloadRequest, decode: (b: Buffer) => decodeDownloadRequest(b) };
const content = { encode: (v: Buffer) => Buffer.concat([encodeDownloadResponseHead(v.length), v]), decode: (b: Buffer) => b };
const emptyAnswer = (status: number) => ({ value: null, encode: () => encodeHeader(0, 100, status), decode: (b: Buffer): null => { expect(b).toHaveLength(0); return null; } });
const SIDECAR = 'M00/00/00/Ck0BAmsB9oGEX3NUAAAAABXlUKk344.txt-m';
const upload23 = Buffer.from(wire('upload-file.req')); upload23[8] = 23;
const linkReq = { masterFilename: MASTER, srcFilename: NAME, srcFileSig: Buffer.from('0123456789abcdef'), group: 'group1', prefix: '_big', ext: 'txt' };

codecCases('storage-file captures (§12.1–12.3, §12.7.4, §12.7.6) and generated forms', {}, [
  { name: '11 UPLOAD_FILE', fixture: 'upload-file.req', header: { pkgLen: 44, cmd: 11 },
    value: { cmd: 11, head: { storePathIndex: 0, fileSize: 29, ext: 'txt' }, content: HELLO }, ...upload },
  { name: '11 answer', fixture: 'upload-file.resp', value: { group: 'group1', logical: NAME }, ...uploadAnswer },
  { name: '23 UPLOAD_APPENDER_FILE (11 with cmd 23)', bytes: upload23, header: { cmd: 23 },
    value: { cmd: 23, head: { storePathIndex: 0, fileSize: 29, ext: 'txt' }, content: HELLO }, ...upload },
  { name: '23 answer', bytes: uploadResp(APPENDER), value: { group: 'group1', logical: APPENDER }, ...uploadAnswer },
  { name: '11 direct-upload answer', bytes: uploadResp('M00/02/AC/Ck0AA2sB8KKAfEzqAAERcGDnf3g263.bin'),
    value: { group: 'group1', logical: 'M00/02/AC/Ck0AA2sB8KKAfEzqAAERcGDnf3g263.bin' }, ...uploadAnswer },
  { name: '21 UPLOAD_SLAVE_FILE', fixture: 'upload-slave-file.req',
    value: { cmd: 21, head: { masterFilename: MASTER, fileSize: 29, prefix: '_big', ext: 'txt' }, content: HELLO }, ...slaveUpload },
  { name: '21 answer: the slave name', fixture: 'upload-slave-file.resp', value: { group: 'group1', logical: slaveFileName(MASTER, '_big', 'txt') }, ...uploadAnswer },
  { name: '24 APPEND_FILE', fixture: 'append-file.req',
    value: { cmd: 24, head: { filename: APPENDER, fileSize: 14 }, content: Buffer.from('APPEND-PART-2\n') }, ...appendHead },
  { name: '24 answer', fixture: 'empty.resp', ...emptyAnswer(0) },
  { name: '34 MODIFY_FILE (§5.3 layout)', bytes: Buffer.concat([encodeHeader(24 + 44 + 2, 34), Buffer.from('000000000000002c00000000000000020000000000000002', 'hex'),
      Buffer.from(APPENDER), Buffer.from('AB')]),
    value: { cmd: 34, head: { filename: APPENDER, fileOffset: 2, fileSize: 2 }, content: Buffer.from('AB') }, ...modifyHead },
  { name: '36 TRUNCATE_FILE', bytes: Buffer.concat([hex('00 00 00 00 00 00 00 3c 24 00 00 00 00 00 00 00 00 2c 00 00 00 00 00 00 00 05'), Buffer.from(APPENDER)]),
    value: { filename: APPENDER, truncatedFileSize: 5 }, encode: encodeTruncateRequest, decode: (b) => decodeTruncateRequest(b) },
  { name: '38 REGENERATE_APPENDER_FILENAME (§5.4)', bytes: Buffer.concat([encodeHeader(44, 38), Buffer.from('M00/02/AC/Ck0AA2sB8QGEQs0YAAAAAKaEx8Y732.log')]),
    value: { filename: 'M00/02/AC/Ck0AA2sB8QGEQs0YAAAAAKaEx8Y732.log' }, encode: (v) => encodeRegenerateRequest(v.filename), decode: (b) => decodeRegenerateRequest(b) },
  { name: '38 answer: the new name', bytes: uploadResp('M00/02/AC/Ck0AA2sB8QGAN_t_AAAABb037po732.log'),
    value: { group: 'group1', logical: 'M00/02/AC/Ck0AA2sB8QGAN_t_AAAABb037po732.log' }, ...uploadAnswer },
  { name: '12 DELETE_FILE', fixture: 'delete-file.req', value: { group: 'group1', filename: NAME },
    encode: encodeDeleteFileRequest, decode: (b) => decodeDeleteFileRequest(b) },
  { name: '12 answer ENOENT', fixture: 'delete-file.resp-enoent', header: { status: 2 }, ...emptyAnswer(2) },
  { name: '22 QUERY_FILE_INFO (CRC)', bytes: groupFile(22, APPENDER, 0), header: { pkgLen: 60, cmd: 22, status: 0 },
    value: { group: 'group1', filename: APPENDER, notCalcCrc32: false, keepSilence: false }, ...fileInfoRequest },
  { name: '22 answer with CRC', fixture: 'query-file-info.resp', value: { fileSize: 43, createTimestamp: 0x6b01f080, crc32: 0x92193c96, sourceIp: '10.77.0.3' }, ...fileInfoAnswer },
  { name: '22 QUERY_FILE_INFO, flag 1 in the status byte (no CRC)', bytes: groupFile(22, APPENDER, 1), header: { pkgLen: 60, cmd: 22, status: 1 },
    value: { group: 'group1', filename: APPENDER, notCalcCrc32: true, keepSilence: false }, ...fileInfoRequest },
  { name: '22 answer without CRC', fixture: 'query-file-info.resp-no-crc', value: { fileSize: 43, createTimestamp: 0x6b01f080, crc32: 0, sourceIp: '10.77.0.3' }, ...fileInfoAnswer },
  { name: '22 answer on a slave (body only)', fixture: 'query-file-info.resp-slave-body', bodyOnly: true,
    value: { fileSize: 29, createTimestamp: 0x6b01f08b, crc32: 0x6319f549, sourceIp: '10.77.0.3' }, ...fileInfoAnswer },
  { name: '22 QUERY_FILE_INFO of a sidecar during replication', fixture: 'query-file-info.req-sidecar',
    value: { group: 'group1', filename: SIDECAR, notCalcCrc32: true, keepSilence: false }, ...fileInfoRequest },
  { name: '22 answer on the sidecar', fixture: 'query-file-info.resp-sidecar',
    value: { fileSize: 0x31, createTimestamp: 0x6b01f681, crc32: 0, sourceIp: '10.77.1.2' }, ...fileInfoAnswer },
  { name: '14 DOWNLOAD_FILE, whole file', fixture: 'download-file.req', value: { fileOffset: 0, downloadBytes: 0, group: 'group1', filename: NAME }, ...download },
  { name: '14 answer, 29 bytes', fixture: 'download-file.resp', value: HELLO, ...content },
  { name: '14 DOWNLOAD_FILE, 7 bytes at 6', bytes: dlReq(6, 7, NAME), value: { fileOffset: 6, downloadBytes: 7, group: 'group1', filename: NAME }, ...download },
  { name: '14 answer, 7 bytes', hex: '00 00 00 00 00 00 00 07 64 00 46 61 73 74 44 46 53', value: Buffer.from('FastDFS'), ...content },
  { name: '14 DOWNLOAD_FILE past the end (clamped by the storage)', fixture: 'download-file.req-clamped',
    value: { fileOffset: 40, downloadBytes: 100, group: 'group1', filename: APPENDER }, ...download },
  { name: '14 answer, clamped to 3 bytes', fixture: 'download-file.resp-clamped', value: Buffer.from('-2\n'), ...content },
  { name: '14 DOWNLOAD_FILE of a sidecar by a recovering storage', fixture: 'download-file.req-recovery-sidecar',
    value: { fileOffset: 0, downloadBytes: 0, group: 'group1', filename: 'M00/00/00/Ck0BAmsB9nKAPXOvAAMNQBoxEls773.bin-m' }, ...download },
  { name: '14 DOWNLOAD_FILE at offset 100 (valid on the wire)',
    bytes: Buffer.concat([hex('00 00 00 00 00 00 00 4c 0e 00 00 00 00 00 00 00 00 64 00 00 00 00 00 00 00 05'), dlReq(100, 5, APPENDER).subarray(26)]),
    value: { fileOffset: 100, downloadBytes: 5, group: 'group1', filename: APPENDER }, ...download },
  { name: '20 CREATE_LINK, slave', bytes: encodeCreateLinkRequest(linkReq), header: { pkgLen: 62 + 44 + 44 + 16, cmd: 20 },
    value: linkReq, encode: encodeCreateLinkRequest, decode: (b) => decodeCreateLinkRequest(b) },
  { name: '20 CREATE_LINK, plain', bytes: encodeCreateLinkRequest({ ...linkReq, masterFilename: '', prefix: '', srcFileSig: Buffer.alloc(0) }),
    value: { ...linkReq, masterFilename: '', prefix: '', srcFileSig: Buffer.alloc(0) }, encode: encodeCreateLinkRequest, decode: (b) => decodeCreateLinkRequest(b) },
]);

function dlReq(offset: number, bytes: number, name: string): Buffer {
  const b = Buffer.alloc(32 + name.length);
  b.writeBigInt64BE(BigInt(offset), 0); b.writeBigInt64BE(BigInt(bytes), 8); b.write('group1', 16); b.write(name, 32);
  return Buffer.concat([encodeHeader(b.length, 14), b]);
}

describe('11/23 upload', () => {
  const req = wire('upload-file.req');

  it('cuts the captured upload exchange in two frames', () => {
    expect(decodeEverySplit(Buffer.concat([req, wire('upload-file.resp')]))).toHaveLength(2);
  });

  it('matches the §12.1 direct upload head (path 0xff, 70000 bytes, bin)', () => {
    const head = wire('upload-file.req-direct-head').subarray(0, 25);
    expect(encodeUploadHead(11, { storePathIndex: -1, fileSize: 70000, ext: 'bin' }).toString('hex')).toBe(head.toString('hex'));
    expect(decodeUploadHead(11, head.subarray(10), 70015)!.head).toEqual({ storePathIndex: -1, fileSize: 70000, ext: 'bin' });
  });

  it('writes cmd 23 in the appender upload header (§12.3)', () => {
    expect(hex('00 00 00 00 00 00 00 2c 17 00 00 00 00 00 00 00')).toEqual(upload23.subarray(0, 16));
  });

  it('waits for the whole head, then validates it', () => {
    const body = req.subarray(10);
    for (let n = 0; n < 15; n++) expect(decodeUploadHead(11, body.subarray(0, n), 44)).toBeNull();
    expect(decodeUploadHead(11, body.subarray(0, 15), 44)!.used).toBe(15);
    expect(errno(() => decodeUploadHead(11, body, 43))).toBe(22); // file_size != pkg_len - 15
    expect(errno(() => decodeUploadHead(11, body.subarray(0, 3), 14))).toBe(22); // pkg_len below the head
    const badExt = Buffer.from(body); badExt[9] = 0x2f; // '/'
    expect(errno(() => decodeUploadHead(11, badExt, 44))).toBe(22);
    const badIdx = Buffer.from(body); badIdx[0] = 0xfe;
    expect(errno(() => decodeUploadHead(11, badIdx, 44))).toBe(22);
    expect(errno(() => encodeUploadHead(11, { storePathIndex: 0, fileSize: 1, ext: 'toolong' }))).toBe(22);
    expect(() => decodeUploadResponse(Buffer.alloc(16))).toThrow(ProtocolError);
    expect(() => decodeUploadResponse(Buffer.alloc(16 + 128))).toThrow(ProtocolError);
  });
});

describe('21 slave upload', () => {
  const req = wire('upload-slave-file.req');

  it('reads the captured slave head: 38 + master name bytes', () => {
    const [f] = decodeEverySplit(req);
    expect(decodeSlaveUploadHead(f!.body, f!.header.pkgLen)!.used).toBe(38 + 44);
    expect(decodeEverySplit(Buffer.concat([req, wire('upload-slave-file.resp')]))).toHaveLength(2);
  });

  it('waits for the name and validates lengths, prefix and ext', () => {
    const body = req.subarray(10);
    expect(decodeSlaveUploadHead(body.subarray(0, 15), 111)).toBeNull();
    expect(decodeSlaveUploadHead(body.subarray(0, 81), 111)).toBeNull();
    expect(errno(() => decodeSlaveUploadHead(body.subarray(0, 16), 110))).toBe(22);
    const short = Buffer.from(body); short.writeBigInt64BE(10n, 0);
    expect(errno(() => decodeSlaveUploadHead(short, 111 - 34))).toBe(22);
    const noPrefix = Buffer.from(body); noPrefix.fill(0, 16, 32);
    expect(errno(() => decodeSlaveUploadHead(noPrefix, 111))).toBe(22);
    expect(errno(() => encodeSlaveUploadHead({ masterFilename: MASTER, fileSize: 1, prefix: '', ext: '' }))).toBe(22);
  });
});

describe('24 append, 34 modify, 36 truncate, 38 regenerate', () => {
  const append = wire('append-file.req');

  it('waits for the captured append head, then validates it (§12.3)', () => {
    const frames = decodeEverySplit(Buffer.concat([append, OK]));
    const { header, body } = frames[0]!;
    expect(decodeAppendHead(body, header.pkgLen)!.used).toBe(60);
    expect(frames[1]!.body).toHaveLength(0);
    expect(decodeAppendHead(body.subarray(0, 59), header.pkgLen)).toBeNull();
    expect(errno(() => decodeAppendHead(body, header.pkgLen + 1))).toBe(22);
    const shortName = Buffer.from(body); shortName.writeBigInt64BE(43n, 0);
    expect(errno(() => decodeAppendHead(shortName, header.pkgLen + 1))).toBe(22);
  });

  it('encodes modify heads (§5.3 layout) and validates them', () => {
    const pkt = encodeModifyHead({ filename: APPENDER, fileOffset: 2, fileSize: 2 });
    expect(pkt.subarray(0, 10)).toEqual(encodeHeader(24 + 44 + 2, 34));
    expect(pkt.readBigInt64BE(10)).toBe(44n);
    expect(pkt.readBigInt64BE(18)).toBe(2n);
    expect(pkt.readBigInt64BE(26)).toBe(2n);
    const body = Buffer.concat([pkt.subarray(10), Buffer.from('AB')]);
    expect(decodeModifyHead(body, 70)!.used).toBe(68);
    expect(decodeModifyHead(body.subarray(0, 30), 70)).toBeNull();
    expect(errno(() => decodeModifyHead(body, 71))).toBe(22);
    const neg = Buffer.from(body); neg.writeBigInt64BE(-1n, 8);
    expect(errno(() => decodeModifyHead(neg, 70))).toBe(22);
    expect(errno(() => encodeModifyHead({ filename: APPENDER, fileOffset: -1, fileSize: 0 }))).toBe(22);
  });

  it('validates truncate body lengths', () => {
    const [f] = decodeEverySplit(encodeTruncateRequest({ filename: APPENDER, truncatedFileSize: 5 }));
    expect(errno(() => decodeTruncateRequest(f!.body.subarray(0, 59)))).toBe(22);
    expect(errno(() => decodeTruncateRequest(Buffer.alloc(15)))).toBe(22);
    expect(errno(() => decodeTruncateRequest(Buffer.concat([f!.body, Buffer.from('x')])))).toBe(22);
  });

  it('validates regenerate name lengths (§5.4)', () => {
    expect(errno(() => decodeRegenerateRequest(Buffer.alloc(43)))).toBe(22);
    expect(errno(() => decodeRegenerateRequest(Buffer.alloc(128)))).toBe(22);
  });
});

describe('12 delete, 22 query file info', () => {
  it('cuts the captured delete and its answers in frames, and validates name lengths', () => {
    const frames = decodeEverySplit(Buffer.concat([wire('delete-file.req'), OK, wire('delete-file.resp-enoent')]));
    expect(frames[2]!.header.status).toBe(2);
    expect(errno(() => decodeDeleteFileRequest(Buffer.alloc(16)))).toBe(22);
    expect(errno(() => decodeDeleteFileRequest(Buffer.alloc(16 + 128)))).toBe(22);
  });

  it('handles the 70-byte IPv6 answer, short names and bad lengths', () => {
    const fi = { fileSize: 1, createTimestamp: 2, crc32: 0xffffffff, sourceIp: 'fd00::3' };
    const pkt = encodeQueryFileInfoResponse(fi, 46);
    expect(pkt.length - 10).toBe(70);
    expect(pkt.readBigInt64BE(26)).toBe(-1n);
    expect(decodeQueryFileInfoResponse(pkt.subarray(10))).toEqual(fi);
    expect(() => decodeQueryFileInfoResponse(Buffer.alloc(41))).toThrow(ProtocolError);
    expect(errno(() => decodeQueryFileInfoRequest(Buffer.alloc(16 + 36), 0))).toBe(22);
    expect(decodeQueryFileInfoRequest(Buffer.alloc(16 + 37), 2).keepSilence).toBe(true);
  });
});

describe('14 download', () => {
  const req = dlReq;

  it('rejects negative offsets and bad lengths with EINVAL', () => {
    const body = req(0, 0, NAME).subarray(10);
    const neg = Buffer.from(body); neg.writeBigInt64BE(-1n, 0);
    expect(errno(() => decodeDownloadRequest(neg))).toBe(22);
    const negBytes = Buffer.from(body); negBytes.writeBigInt64BE(-5n, 8);
    expect(errno(() => decodeDownloadRequest(negBytes))).toBe(22);
    expect(errno(() => decodeDownloadRequest(Buffer.alloc(32)))).toBe(22);
    expect(errno(() => encodeDownloadRequest({ group: 'group1', filename: NAME, fileOffset: -1, downloadBytes: 0 }))).toBe(22);
  });
});

describe('20 create link', () => {
  it('puts the master name after the 62-byte head and validates lengths', () => {
    const c = linkReq;
    const pkt = encodeCreateLinkRequest(c);
    expect(pkt.subarray(10 + 62, 10 + 62 + 44).toString()).toBe(MASTER);
    const [f] = decodeEverySplit(pkt);
    expect(errno(() => decodeCreateLinkRequest(f!.body.subarray(0, f!.body.length - 1)))).toBe(22);
    expect(errno(() => decodeCreateLinkRequest(Buffer.alloc(61)))).toBe(22);
    expect(errno(() => encodeCreateLinkRequest({ ...c, srcFileSig: Buffer.alloc(65) }))).toBe(22);
    expect(errno(() => encodeCreateLinkRequest({ ...c, srcFilename: '' }))).toBe(22);
  });
});

describe('randomised round trips', () => {
  const name = (n: number) => `M00/00/00/${'Ab0_-'.repeat(30).slice(0, n - 10)}`;
  it('streamed heads decode what they encode, at every split of the head', () => {
    for (let i = 0; i < 60; i++) {
      const fileSize = Math.floor(Math.random() * 1e9);
      const ext = ['', 'a', 'txt', 'tar.gz'][i % 4]!;
      const up = encodeUploadHead(i % 2 ? 11 : 23, { storePathIndex: (i % 5) - 1, fileSize, ext });
      const pkgLen = Number(up.readBigInt64BE(0));
      expect(decodeUploadHead(11, up.subarray(10), pkgLen)!.head).toEqual({ storePathIndex: (i % 5) - 1, fileSize, ext });
      const filename = name(44 + (i % 84));
      const ap = encodeAppendHead({ filename, fileSize });
      const apLen = Number(ap.readBigInt64BE(0));
      for (let cut = 0; cut < ap.length - 10; cut += 7) expect(decodeAppendHead(ap.subarray(10, 10 + cut), apLen)).toBeNull();
      expect(decodeAppendHead(ap.subarray(10), apLen)!.head).toEqual({ filename, fileSize });
      const md = encodeModifyHead({ filename, fileOffset: i * 1000, fileSize });
      expect(decodeModifyHead(md.subarray(10), Number(md.readBigInt64BE(0)))!.head).toEqual({ filename, fileOffset: i * 1000, fileSize });
      const master = name(11 + (i % 117));
      const sl = encodeSlaveUploadHead({ masterFilename: master, fileSize, prefix: `_p${i}`, ext });
      expect(decodeSlaveUploadHead(sl.subarray(10), Number(sl.readBigInt64BE(0)))!.head)
        .toEqual({ masterFilename: master, fileSize, prefix: `_p${i}`, ext });
    }
  });
});

describe('upload answer written in one buffer', () => {
  it('has the bytes the field writer made: a full 16-byte group, short groups padded, trunk-length names', async () => {
    const { BufWriter } = await import('../../../src/protocol/buf.js');
    const reference = (group: string, logical: string) => new BufWriter(16 + Buffer.byteLength(logical)).fixed(group, 16).bytes(logical).finish();
    const trunkName = 'M00/00/00/CgAAAmdRr3CIAAAAAAAAAAAAAAAAAAAAEAAAAAAAAAQAAAAA123.jpg';
    for (const group of ['g', 'group1', 'abcdefghijklmnop']) {
      for (const logical of ['M00/02/AC/Ck0AA2sB8KKAfEzqAAERcGDnf3g263.bin', trunkName, 'M00/00/00/x_big.txt']) {
        const got = encodeUploadResponse(group, logical);
        expect(got.equals(reference(group, logical))).toBe(true);
        expect(decodeUploadResponse(got.subarray(10))).toEqual({ group, logical });
      }
    }
  });
});
