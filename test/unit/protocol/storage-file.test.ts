import { describe, it, expect } from 'vitest';
import {
  encodeUploadHead, decodeUploadHead, encodeUploadResponse, decodeUploadResponse, encodeSlaveUploadHead,
  decodeSlaveUploadHead, encodeAppendHead, decodeAppendHead, encodeModifyHead, decodeModifyHead,
  encodeTruncateRequest, decodeTruncateRequest, encodeRegenerateRequest, decodeRegenerateRequest,
  encodeDeleteFileRequest, decodeDeleteFileRequest, encodeQueryFileInfoRequest, decodeQueryFileInfoRequest,
  encodeQueryFileInfoResponse, decodeQueryFileInfoResponse, encodeDownloadRequest, decodeDownloadRequest,
  encodeDownloadResponseHead, encodeCreateLinkRequest, decodeCreateLinkRequest,
} from '../../../src/protocol/storage-file.js';
import { slaveFileName } from '../../../src/protocol/file-id.js';
import { encodeHeader } from '../../../src/protocol/header.js';
import { ProtocolError, StatusError } from '../../../src/errors.js';
import { hex, decodeEverySplit } from '../../helpers/hex.js';

const NAME = 'M00/02/AC/Ck0AA2sB8HuAKOo1AAAAHWMZ9Uk701.txt';
const APPENDER = 'M00/02/AC/Ck0AA2sB8H-EOCruAAAAAGMZ9Uk778.txt';
const MASTER = 'M00/02/AC/Ck0AA2sB8IuAKDoiAAAAHWMZ9Uk066.txt';
const HELLO = Buffer.from('Hello FastDFS wire protocol!\n');
const OK = hex('00 00 00 00 00 00 00 00 64 00');

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

describe('11/23 upload', () => {
  const req = hex(`
-> 0000  00 00 00 00 00 00 00 2c 0b 00 00 00 00 00 00 00  |.......,........|
   0010  00 00 1d 74 78 74 00 00 00 48 65 6c 6c 6f 20 46  |...txt...Hello F|
   0020  61 73 74 44 46 53 20 77 69 72 65 20 70 72 6f 74  |astDFS wire prot|
   0030  6f 63 6f 6c 21 0a                                |ocol!.|`);
  const resp = hex(`
<- 0000  00 00 00 00 00 00 00 3c 64 00 67 72 6f 75 70 31  |.......<d.group1|
   0010  00 00 00 00 00 00 00 00 00 00 4d 30 30 2f 30 32  |..........M00/02|
   0020  2f 41 43 2f 43 6b 30 41 41 32 73 42 38 48 75 41  |/AC/Ck0AA2sB8HuA|
   0030  4b 4f 6f 31 41 41 41 41 48 57 4d 5a 39 55 6b 37  |KOo1AAAAHWMZ9Uk7|
   0040  30 31 2e 74 78 74                                |01.txt|`);

  it('matches the captured §12.1 upload', () => {
    const frames = decodeEverySplit(Buffer.concat([req, resp]));
    const { header, body } = frames[0]!;
    const d = decodeUploadHead(11, body, header.pkgLen)!;
    expect(d).toEqual({ head: { storePathIndex: 0, fileSize: 29, ext: 'txt' }, used: 15 });
    expect(body.subarray(d.used)).toEqual(HELLO);
    expect(decodeUploadResponse(frames[1]!.body)).toEqual({ group: 'group1', logical: NAME });
    expect(Buffer.concat([encodeUploadHead(11, d.head), HELLO]).toString('hex')).toBe(req.toString('hex'));
    expect(encodeUploadResponse('group1', NAME).toString('hex')).toBe(resp.toString('hex'));
  });

  it('matches the §12.1 direct upload head (path 0xff, 70000 bytes, bin)', () => {
    const head = hex(`
-> 0000  00 00 00 00 00 01 11 7f 0b 00 ff 00 00 00 00 00  |................|
   0010  01 11 70 62 69 6e 00 00 00 8e 29 de 1e bd 54 52  |..pbin....)...TR|`).subarray(0, 25);
    expect(encodeUploadHead(11, { storePathIndex: -1, fileSize: 70000, ext: 'bin' }).toString('hex')).toBe(head.toString('hex'));
    expect(decodeUploadHead(11, head.subarray(10), 70015)!.head).toEqual({ storePathIndex: -1, fileSize: 70000, ext: 'bin' });
    const name = 'M00/02/AC/Ck0AA2sB8KKAfEzqAAERcGDnf3g263.bin';
    expect(decodeUploadResponse(uploadResp(name).subarray(10)).logical).toBe(name);
  });

  it('matches the §12.3 appender upload (cmd 23)', () => {
    const req23 = Buffer.from(req); req23[8] = 23;
    expect(hex('00 00 00 00 00 00 00 2c 17 00 00 00 00 00 00 00')).toEqual(req23.subarray(0, 16));
    const [f] = decodeEverySplit(req23);
    expect(decodeUploadHead(23, f!.body, f!.header.pkgLen)!.head).toEqual({ storePathIndex: 0, fileSize: 29, ext: 'txt' });
    expect(Buffer.concat([encodeUploadHead(23, { storePathIndex: 0, fileSize: 29, ext: 'txt' }), HELLO])).toEqual(req23);
    expect(decodeUploadResponse(uploadResp(APPENDER).subarray(10)).logical).toBe(APPENDER);
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
  const req = hex(`
-> 0000  00 00 00 00 00 00 00 6f 15 00 00 00 00 00 00 00  |.......o........|
   0010  00 2c 00 00 00 00 00 00 00 1d 5f 62 69 67 00 00  |.,........_big..|
   0020  00 00 00 00 00 00 00 00 00 00 74 78 74 00 00 00  |..........txt...|
   0030  4d 30 30 2f 30 32 2f 41 43 2f 43 6b 30 41 41 32  |M00/02/AC/Ck0AA2|
   0040  73 42 38 49 75 41 4b 44 6f 69 41 41 41 41 48 57  |sB8IuAKDoiAAAAHW|
   0050  4d 5a 39 55 6b 30 36 36 2e 74 78 74 48 65 6c 6c  |MZ9Uk066.txtHell|
   0060  6f 20 46 61 73 74 44 46 53 20 77 69 72 65 20 70  |o FastDFS wire p|
   0070  72 6f 74 6f 63 6f 6c 21 0a                       |rotocol!.|`);
  const resp = hex(`
<- 0000  00 00 00 00 00 00 00 40 64 00 67 72 6f 75 70 31  |.......@d.group1|
   0010  00 00 00 00 00 00 00 00 00 00 4d 30 30 2f 30 32  |..........M00/02|
   0020  2f 41 43 2f 43 6b 30 41 41 32 73 42 38 49 75 41  |/AC/Ck0AA2sB8IuA|
   0030  4b 44 6f 69 41 41 41 41 48 57 4d 5a 39 55 6b 30  |KDoiAAAAHWMZ9Uk0|
   0040  36 36 5f 62 69 67 2e 74 78 74                    |66_big.txt|`);

  it('matches the captured §12.3 slave upload', () => {
    const frames = decodeEverySplit(Buffer.concat([req, resp]));
    const { header, body } = frames[0]!;
    const d = decodeSlaveUploadHead(body, header.pkgLen)!;
    expect(d.head).toEqual({ masterFilename: MASTER, fileSize: 29, prefix: '_big', ext: 'txt' });
    expect(d.used).toBe(38 + 44);
    expect(body.subarray(d.used)).toEqual(HELLO);
    const { logical } = decodeUploadResponse(frames[1]!.body);
    expect(logical).toBe(slaveFileName(MASTER, '_big', 'txt'));
    expect(Buffer.concat([encodeSlaveUploadHead(d.head), HELLO]).toString('hex')).toBe(req.toString('hex'));
    expect(encodeUploadResponse('group1', logical).toString('hex')).toBe(resp.toString('hex'));
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
  const append = hex(`
-> 0000  00 00 00 00 00 00 00 4a 18 00 00 00 00 00 00 00  |.......J........|
   0010  00 2c 00 00 00 00 00 00 00 0e 4d 30 30 2f 30 32  |.,........M00/02|
   0020  2f 41 43 2f 43 6b 30 41 41 32 73 42 38 48 2d 45  |/AC/Ck0AA2sB8H-E|
   0030  4f 43 72 75 41 41 41 41 41 47 4d 5a 39 55 6b 37  |OCruAAAAAGMZ9Uk7|
   0040  37 38 2e 74 78 74 41 50 50 45 4e 44 2d 50 41 52  |78.txtAPPEND-PAR|
   0050  54 2d 32 0a                                      |T-2.|`);

  it('matches the captured §12.3 append', () => {
    const frames = decodeEverySplit(Buffer.concat([append, OK]));
    const { header, body } = frames[0]!;
    const d = decodeAppendHead(body, header.pkgLen)!;
    expect(d).toEqual({ head: { filename: APPENDER, fileSize: 14 }, used: 60 });
    expect(body.subarray(d.used).toString()).toBe('APPEND-PART-2\n');
    expect(frames[1]!.body).toHaveLength(0);
    expect(Buffer.concat([encodeAppendHead(d.head), Buffer.from('APPEND-PART-2\n')]).toString('hex')).toBe(append.toString('hex'));
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
    expect(decodeModifyHead(body, 70)).toEqual({ head: { filename: APPENDER, fileOffset: 2, fileSize: 2 }, used: 68 });
    expect(decodeModifyHead(body.subarray(0, 30), 70)).toBeNull();
    expect(errno(() => decodeModifyHead(body, 71))).toBe(22);
    const neg = Buffer.from(body); neg.writeBigInt64BE(-1n, 8);
    expect(errno(() => decodeModifyHead(neg, 70))).toBe(22);
    expect(errno(() => encodeModifyHead({ filename: APPENDER, fileOffset: -1, fileSize: 0 }))).toBe(22);
  });

  it('encodes truncate bodies and validates lengths', () => {
    const pkt = encodeTruncateRequest({ filename: APPENDER, truncatedFileSize: 5 });
    expect(pkt.subarray(0, 26).toString('hex')).toBe('000000000000003c2400000000000000002c0000000000000005');
    const [f] = decodeEverySplit(pkt);
    expect(decodeTruncateRequest(f!.body)).toEqual({ filename: APPENDER, truncatedFileSize: 5 });
    expect(errno(() => decodeTruncateRequest(f!.body.subarray(0, 59)))).toBe(22);
    expect(errno(() => decodeTruncateRequest(Buffer.alloc(15)))).toBe(22);
    expect(errno(() => decodeTruncateRequest(Buffer.concat([f!.body, Buffer.from('x')])))).toBe(22);
  });

  it('encodes the §5.4 regenerate exchange', () => {
    const oldName = 'M00/02/AC/Ck0AA2sB8QGEQs0YAAAAAKaEx8Y732.log';
    const newName = 'M00/02/AC/Ck0AA2sB8QGAN_t_AAAABb037po732.log';
    const pkt = encodeRegenerateRequest(oldName);
    expect(pkt).toEqual(Buffer.concat([encodeHeader(44, 38), Buffer.from(oldName)]));
    expect(decodeRegenerateRequest(decodeEverySplit(pkt)[0]!.body)).toEqual({ filename: oldName });
    expect(decodeUploadResponse(encodeUploadResponse('group1', newName).subarray(10))).toEqual({ group: 'group1', logical: newName });
    expect(errno(() => decodeRegenerateRequest(Buffer.alloc(43)))).toBe(22);
    expect(errno(() => decodeRegenerateRequest(Buffer.alloc(128)))).toBe(22);
  });
});

describe('12 delete, 22 query file info', () => {
  it('matches the captured §12.3 delete and its answers', () => {
    const del = hex(`
-> 0000  00 00 00 00 00 00 00 3c 0c 00 67 72 6f 75 70 31  |.......<..group1|
   0010  00 00 00 00 00 00 00 00 00 00 4d 30 30 2f 30 32  |..........M00/02|
   0020  2f 41 43 2f 43 6b 30 41 41 32 73 42 38 48 75 41  |/AC/Ck0AA2sB8HuA|
   0030  4b 4f 6f 31 41 41 41 41 48 57 4d 5a 39 55 6b 37  |KOo1AAAAHWMZ9Uk7|
   0040  30 31 2e 74 78 74                                |01.txt|`);
    const frames = decodeEverySplit(Buffer.concat([del, OK, hex('00 00 00 00 00 00 00 00 64 02')]));
    expect(decodeDeleteFileRequest(frames[0]!.body)).toEqual({ group: 'group1', filename: NAME });
    expect(frames[2]!.header.status).toBe(2);
    expect(encodeDeleteFileRequest({ group: 'group1', filename: NAME }).toString('hex')).toBe(del.toString('hex'));
    expect(errno(() => decodeDeleteFileRequest(Buffer.alloc(16)))).toBe(22);
    expect(errno(() => decodeDeleteFileRequest(Buffer.alloc(16 + 128)))).toBe(22);
  });

  const info = hex(`
<- 0000  00 00 00 00 00 00 00 28 64 00 00 00 00 00 00 00  |.......(d.......|
   0010  00 2b 00 00 00 00 6b 01 f0 80 ff ff ff ff 92 19  |.+....k.........|
   0020  3c 96 31 30 2e 37 37 2e 30 2e 33 00 00 00 00 00  |<.10.77.0.3.....|
   0030  00 00                                            |..|`);
  const infoNoCrc = hex(`
<- 0000  00 00 00 00 00 00 00 28 64 00 00 00 00 00 00 00  |.......(d.......|
   0010  00 2b 00 00 00 00 6b 01 f0 80 00 00 00 00 00 00  |.+....k.........|
   0020  00 00 31 30 2e 37 37 2e 30 2e 33 00 00 00 00 00  |..10.77.0.3.....|
   0030  00 00                                            |..|`);

  it('matches the captured §12.3 query-file-info exchanges (flags in the status byte)', () => {
    for (const [status, resp, crc] of [[0, info, 0x92193c96], [1, infoNoCrc, 0]] as const) {
      const q = groupFile(22, APPENDER, status);
      expect(q.subarray(0, 10).toString('hex')).toBe(`000000000000003c160${status}`);
      const frames = decodeEverySplit(Buffer.concat([q, resp]));
      expect(decodeQueryFileInfoRequest(frames[0]!.body, frames[0]!.header.status))
        .toEqual({ group: 'group1', filename: APPENDER, notCalcCrc32: status === 1, keepSilence: false });
      expect(encodeQueryFileInfoRequest({ group: 'group1', filename: APPENDER, notCalcCrc32: status === 1 })).toEqual(q);
      const fi = decodeQueryFileInfoResponse(frames[1]!.body);
      expect(fi).toEqual({ fileSize: 43, createTimestamp: 0x6b01f080, crc32: crc, sourceIp: '10.77.0.3' });
      expect(encodeQueryFileInfoResponse(fi, 16).toString('hex')).toBe(resp.toString('hex'));
    }
  });

  it('matches the slave answer (§12.3) and the replication-time query (§12.7.4)', () => {
    const slave = hex('00 00 00 00 00 00 00 1d 00 00 00 00 6b 01 f0 8b 00 00 00 00 63 19 f5 49 31 30 2e 37 37 2e 30 2e 33 00 00 00 00 00 00 00');
    expect(decodeQueryFileInfoResponse(slave)).toEqual({ fileSize: 29, createTimestamp: 0x6b01f08b, crc32: 0x6319f549, sourceIp: '10.77.0.3' });
    expect(encodeQueryFileInfoResponse(decodeQueryFileInfoResponse(slave), 16).subarray(10)).toEqual(slave);
    const q = hex(`
-> 0000  00 00 00 00 00 00 00 3e 16 01 67 72 6f 75 70 31  |.......>..group1|
   0010  00 00 00 00 00 00 00 00 00 00 4d 30 30 2f 30 30  |..........M00/00|
   0020  2f 30 30 2f 43 6b 30 42 41 6d 73 42 39 6f 47 45  |/00/Ck0BAmsB9oGE|
   0030  58 33 4e 55 41 41 41 41 41 42 58 6c 55 4b 6b 33  |X3NUAAAAABXlUKk3|
   0040  34 34 2e 74 78 74 2d 6d                          |44.txt-m|
<- 0000  00 00 00 00 00 00 00 28 64 00 00 00 00 00 00 00  |.......(d.......|
   0010  00 31 00 00 00 00 6b 01 f6 81 00 00 00 00 00 00  |.1....k.........|
   0020  00 00 31 30 2e 37 37 2e 31 2e 32 00 00 00 00 00  |..10.77.1.2.....|
   0030  00 00                                            |..|`);
    const frames = decodeEverySplit(q);
    const req = decodeQueryFileInfoRequest(frames[0]!.body, frames[0]!.header.status);
    expect(req).toEqual({ group: 'group1', filename: 'M00/00/00/Ck0BAmsB9oGEX3NUAAAAABXlUKk344.txt-m', notCalcCrc32: true, keepSilence: false });
    expect(Buffer.concat([encodeQueryFileInfoRequest(req), encodeQueryFileInfoResponse(decodeQueryFileInfoResponse(frames[1]!.body), 16)])).toEqual(q);
    expect(decodeQueryFileInfoResponse(frames[1]!.body)).toEqual({ fileSize: 0x31, createTimestamp: 0x6b01f681, crc32: 0, sourceIp: '10.77.1.2' });
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
  const req = (offset: number, bytes: number, name: string) => {
    const b = Buffer.alloc(32 + name.length);
    b.writeBigInt64BE(BigInt(offset), 0); b.writeBigInt64BE(BigInt(bytes), 8); b.write('group1', 16); b.write(name, 32);
    return Buffer.concat([encodeHeader(b.length, 14), b]);
  };

  it('matches the captured §12.2 downloads', () => {
    const whole = hex(`
-> 0000  00 00 00 00 00 00 00 4c 0e 00 00 00 00 00 00 00  |.......L........|
   0010  00 00 00 00 00 00 00 00 00 00 67 72 6f 75 70 31  |..........group1|
   0020  00 00 00 00 00 00 00 00 00 00 4d 30 30 2f 30 32  |..........M00/02|
   0030  2f 41 43 2f 43 6b 30 41 41 32 73 42 38 48 75 41  |/AC/Ck0AA2sB8HuA|
   0040  4b 4f 6f 31 41 41 41 41 48 57 4d 5a 39 55 6b 37  |KOo1AAAAHWMZ9Uk7|
   0050  30 31 2e 74 78 74                                |01.txt|
<- 0000  00 00 00 00 00 00 00 1d 64 00 48 65 6c 6c 6f 20  |........d.Hello |
   0010  46 61 73 74 44 46 53 20 77 69 72 65 20 70 72 6f  |FastDFS wire pro|
   0020  74 6f 63 6f 6c 21 0a                             |tocol!.|`);
    const clamp = hex(`
-> 0000  00 00 00 00 00 00 00 4c 0e 00 00 00 00 00 00 00  |.......L........|
   0010  00 28 00 00 00 00 00 00 00 64 67 72 6f 75 70 31  |.(.......dgroup1|
   0020  00 00 00 00 00 00 00 00 00 00 4d 30 30 2f 30 32  |..........M00/02|
   0030  2f 41 43 2f 43 6b 30 41 41 32 73 42 38 48 2d 45  |/AC/Ck0AA2sB8H-E|
   0040  4f 43 72 75 41 41 41 41 41 47 4d 5a 39 55 6b 37  |OCruAAAAAGMZ9Uk7|
   0050  37 38 2e 74 78 74                                |78.txt|
<- 0000  00 00 00 00 00 00 00 03 64 00 2d 32 0a           |........d.-2.|`);
    const cases: Array<[Buffer, { fileOffset: number; downloadBytes: number; filename: string }, string]> = [
      [whole, { fileOffset: 0, downloadBytes: 0, filename: NAME }, HELLO.toString()],
      [Buffer.concat([req(6, 7, NAME), hex('00 00 00 00 00 00 00 07 64 00 46 61 73 74 44 46 53')]),
        { fileOffset: 6, downloadBytes: 7, filename: NAME }, 'FastDFS'],
      [clamp, { fileOffset: 40, downloadBytes: 100, filename: APPENDER }, '-2\n'],
    ];
    for (const [bytes, want, content] of cases) {
      const frames = decodeEverySplit(bytes);
      const d = decodeDownloadRequest(frames[0]!.body);
      expect(d).toEqual({ ...want, group: 'group1' });
      expect(frames[1]!.body.toString()).toBe(content);
      const reqLen = frames[0]!.body.length + 10;
      expect(encodeDownloadRequest(d).toString('hex')).toBe(bytes.subarray(0, reqLen).toString('hex'));
      expect(Buffer.concat([encodeDownloadResponseHead(content.length), Buffer.from(content)])).toEqual(bytes.subarray(reqLen));
    }
    // offset beyond the end: the request is valid on the wire; the storage answers 22 after looking at the file
    expect(hex('00 00 00 00 00 00 00 4c 0e 00 00 00 00 00 00 00 00 64 00 00 00 00 00 00 00 05')).toEqual(req(100, 5, APPENDER).subarray(0, 26));
  });

  it('decodes the §12.7.6 recovery download of a sidecar', () => {
    const q = hex(`
-> 0000  00 00 00 00 00 00 00 4e 0e 00 00 00 00 00 00 00  |.......N........|
   0010  00 00 00 00 00 00 00 00 00 00 67 72 6f 75 70 31  |..........group1|
   0020  00 00 00 00 00 00 00 00 00 00 4d 30 30 2f 30 30  |..........M00/00|
   0030  2f 30 30 2f 43 6b 30 42 41 6d 73 42 39 6e 4b 41  |/00/Ck0BAmsB9nKA|
   0040  50 58 4f 76 41 41 4d 4e 51 42 6f 78 45 6c 73 37  |PXOvAAMNQBoxEls7|
   0050  37 33 2e 62 69 6e 2d 6d                          |73.bin-m|`);
    const d = decodeDownloadRequest(decodeEverySplit(q)[0]!.body);
    expect(d).toEqual({ fileOffset: 0, downloadBytes: 0, group: 'group1', filename: 'M00/00/00/Ck0BAmsB9nKAPXOvAAMNQBoxEls773.bin-m' });
    expect(encodeDownloadRequest(d)).toEqual(q);
  });

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
  it('round-trips slave and non-slave links and validates lengths', () => {
    const c = { masterFilename: MASTER, srcFilename: NAME, srcFileSig: Buffer.from('0123456789abcdef'), group: 'group1', prefix: '_big', ext: 'txt' };
    const pkt = encodeCreateLinkRequest(c);
    expect(pkt.subarray(0, 10)).toEqual(encodeHeader(62 + 44 + 44 + 16, 20));
    expect(pkt.subarray(10 + 62, 10 + 62 + 44).toString()).toBe(MASTER);
    const [f] = decodeEverySplit(pkt);
    expect(decodeCreateLinkRequest(f!.body)).toEqual(c);
    const plain = { ...c, masterFilename: '', prefix: '', srcFileSig: Buffer.alloc(0) };
    expect(decodeCreateLinkRequest(encodeCreateLinkRequest(plain).subarray(10))).toEqual(plain);
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
