import { describe, it, expect } from 'vitest';
import {
  SIZES, SYNC_NO_CONTENT_STATUS, decodeFetchBinlogStream, decodeFetchBinlogTrailer, decodeFetchOnePathBinlogRequest,
  decodeReportServerIdRequest, decodeSyncDeleteRequest, decodeSyncFileHead, decodeSyncLinkRequest,
  decodeSyncRangeHead, decodeSyncTruncateRequest, encodeFetchBinlogTrailer, encodeFetchOnePathBinlogRequest,
  encodeFetchOnePathBinlogResponseHeader, encodeReportServerIdRequest, encodeSyncDeleteRequest, encodeSyncFileHead,
  encodeSyncLinkRequest, encodeSyncRangeHead, encodeSyncTruncateRequest,
} from '../../../src/protocol/sync.js';
import { parseBinlogText } from '../../../src/protocol/binlog-format.js';
import { decodeHeader, encodeHeader } from '../../../src/protocol/header.js';
import { CommonCmd, StorageCmd } from '../../../src/protocol/codes.js';
import { Errno, ProtocolError, StatusError } from '../../../src/errors.js';
import { oneFrame, packets, zeroAfterNul } from './cluster-fixtures.js';

const TXT = 'M00/00/00/Ck0BAmsB9pSAJvv7AAAAE7TkL5M528.txt';
const LOG = 'M00/00/00/Ck0BAmsB9p6EGB8HAAAAAKaEx8Y038.log';
const LOG_NEW = 'M00/00/00/Ck0BAmsB9qmAaUKjAAAACJEAUxc038.log';
const emptyResp = encodeHeader(0, CommonCmd.Resp);
const eexistResp = encodeHeader(0, CommonCmd.Resp, Errno.EEXIST);

// §12.7.4: 9 REPORT_SERVER_ID opening every sync connection.
const [serverId, serverIdResp] = packets(`
-> 0000  00 00 00 00 00 00 00 10 09 00 31 30 2e 37 37 2e  |..........10.77.|
   0010  31 2e 32 00 00 00 00 00 00 00                    |1.2.......|
<- 0000  00 00 00 00 00 00 00 00 64 00                    |........d.|`);

// §12.7.4: 16 SYNC_CREATE_FILE of a 19-byte upload; group1 NUL then stale stack bytes.
const [create, createResp] = packets(`
-> 0000  00 00 00 00 00 00 00 63 10 00 00 00 00 00 00 00  |.......c........|
   0010  00 2c 00 00 00 00 00 00 00 13 6b 01 f6 94 67 72  |.,........k...gr|
   0020  6f 75 70 31 00 7f 00 00 5c ff c3 10 00 00 4d 30  |oup1....\\.....M0|
   0030  30 2f 30 30 2f 30 30 2f 43 6b 30 42 41 6d 73 42  |0/00/00/Ck0BAmsB|
   0040  39 70 53 41 4a 76 76 37 41 41 41 41 45 37 54 6b  |9pSAJvv7AAAAE7Tk|
   0050  4c 35 4d 35 32 38 2e 74 78 74 72 65 70 6c 69 63  |L5M528.txtreplic|
   0060  61 74 69 6f 6e 20 74 65 73 74 20 23 31           |ation test #1|
<- 0000  00 00 00 00 00 00 00 00 64 00                    |........d.|`);

// §12.7.4: 18 SYNC_UPDATE_FILE with the rewritten 18-byte metadata sidecar.
const [update] = packets(`
-> 0000  00 00 00 00 00 00 00 64 12 00 00 00 00 00 00 00  |.......d........|
   0010  00 2e 00 00 00 00 00 00 00 12 6b 01 f6 99 67 72  |..........k...gr|
   0020  6f 75 70 31 00 7f 00 00 5c ff c3 10 00 00 4d 30  |oup1....\\.....M0|
   0030  30 2f 30 30 2f 30 30 2f 43 6b 30 42 41 6d 73 42  |0/00/00/Ck0BAmsB|
   0040  39 70 53 41 4a 76 76 37 41 41 41 41 45 37 54 6b  |9pSAJvv7AAAAE7Tk|
   0050  4c 35 4d 35 32 38 2e 74 78 74 2d 6d 63 6f 6c 6f  |L5M528.txt-mcolo|
   0060  72 02 72 65 64 01 73 69 7a 65 02 62 69 67        |r.red.size.big|`);

// §12.7.4: 25 SYNC_APPEND_FILE (ABCDEF at 10) and 35 SYNC_MODIFY_FILE (xy at 2), stale bytes in group.
const [append, modify] = packets(`
-> 0000  00 00 00 00 00 00 00 5e 19 00 00 00 00 00 00 00  |.......^........|
   0010  00 2c 00 00 00 00 00 00 00 0a 00 00 00 00 00 00  |.,..............|
   0020  00 06 6b 01 f6 a1 67 72 6f 75 70 31 00 7f 00 00  |..k...group1....|
   0030  a1 f6 01 6b 00 00 4d 30 30 2f 30 30 2f 30 30 2f  |...k..M00/00/00/|
   0040  43 6b 30 42 41 6d 73 42 39 70 36 45 47 42 38 48  |Ck0BAmsB9p6EGB8H|
   0050  41 41 41 41 41 4b 61 45 78 38 59 30 33 38 2e 6c  |AAAAAKaEx8Y038.l|
   0060  6f 67 41 42 43 44 45 46                          |ogABCDEF|
-> 0000  00 00 00 00 00 00 00 5a 23 00 00 00 00 00 00 00  |.......Z#.......|
   0010  00 2c 00 00 00 00 00 00 00 02 00 00 00 00 00 00  |.,..............|
   0020  00 02 6b 01 f6 a4 67 72 6f 75 70 31 00 7f 00 00  |..k...group1....|
   0030  a3 f6 01 6b 00 00 4d 30 30 2f 30 30 2f 30 30 2f  |...k..M00/00/00/|
   0040  43 6b 30 42 41 6d 73 42 39 70 36 45 47 42 38 48  |Ck0BAmsB9p6EGB8H|
   0050  41 41 41 41 41 4b 61 45 78 38 59 30 33 38 2e 6c  |AAAAAKaEx8Y038.l|
   0060  6f 67 78 79                                      |ogxy|`);

// §12.7.4: 37 SYNC_TRUNCATE_FILE 16 → 8; the stale bytes are a fragment of an earlier file name.
const [truncate] = packets(`
-> 0000  00 00 00 00 00 00 00 58 25 00 00 00 00 00 00 00  |.......X%.......|
   0010  00 2c 00 00 00 00 00 00 00 10 00 00 00 00 00 00  |.,..............|
   0020  00 08 6b 01 f6 a6 67 72 6f 75 70 31 00 00 4d 30  |..k...group1..M0|
   0030  30 2f 30 30 2f 30 4d 30 30 2f 30 30 2f 30 30 2f  |0/00/0M00/00/00/|
   0040  43 6b 30 42 41 6d 73 42 39 70 36 45 47 42 38 48  |Ck0BAmsB9p6EGB8H|
   0050  41 41 41 41 41 4b 61 45 78 38 59 30 33 38 2e 6c  |AAAAAKaEx8Y038.l|
   0060  6f 67                                            |og|`);

// §12.7.4: 40 SYNC_RENAME_FILE (new name, old name); clean group field.
const [rename] = packets(`
-> 0000  00 00 00 00 00 00 00 7c 28 00 00 00 00 00 00 00  |.......|(.......|
   0010  00 2c 00 00 00 00 00 00 00 2c 6b 01 f6 a9 67 72  |.,.......,k...gr|
   0020  6f 75 70 31 00 00 00 00 00 00 00 00 00 00 4d 30  |oup1..........M0|
   0030  30 2f 30 30 2f 30 30 2f 43 6b 30 42 41 6d 73 42  |0/00/00/Ck0BAmsB|
   0040  39 71 6d 41 61 55 4b 6a 41 41 41 41 43 4a 45 41  |9qmAaUKjAAAACJEA|
   0050  55 78 63 30 33 38 2e 6c 6f 67 4d 30 30 2f 30 30  |Uxc038.logM00/00|
   0060  2f 30 30 2f 43 6b 30 42 41 6d 73 42 39 70 36 45  |/00/Ck0BAmsB9p6E|
   0070  47 42 38 48 41 41 41 41 41 4b 61 45 78 38 59 30  |GB8HAAAAAKaEx8Y0|
   0080  33 38 2e 6c 6f 67                                |38.log|`);

// §12.7.4: 17 SYNC_DELETE_FILE of a sidecar.
const [del, delResp] = packets(`
-> 0000  00 00 00 00 00 00 00 42 11 00 6b 01 f6 ab 67 72  |.......B..k...gr|
   0010  6f 75 70 31 00 00 00 00 00 00 00 00 00 00 4d 30  |oup1..........M0|
   0020  30 2f 30 30 2f 30 30 2f 43 6b 30 42 41 6d 73 42  |0/00/00/Ck0BAmsB|
   0030  39 70 53 41 4a 76 76 37 41 41 41 41 45 37 54 6b  |9pSAJvv7AAAAE7Tk|
   0040  4c 35 4d 35 32 38 2e 74 78 74 2d 6d              |L5M528.txt-m|
<- 0000  00 00 00 00 00 00 00 00 64 00                    |........d.|`);

// §12.7.4: replay marker — 16 with header status 0x11 and no content, answered 0x11.
const [marker, markerResp] = packets(`
-> 0000  00 00 00 00 00 00 00 52 10 11 00 00 00 00 00 00  |.......R........|
   0010  00 2e 00 00 00 00 00 00 00 31 6b 01 f6 81 67 72  |.........1k...gr|
   0020  6f 75 70 31 00 2e 31 2e 32 00 00 00 00 00 4d 30  |oup1..1.2.....M0|
   0030  30 2f 30 30 2f 30 30 2f 43 6b 30 42 41 6d 73 42  |0/00/00/Ck0BAmsB|
   0040  39 6f 47 45 58 33 4e 55 41 41 41 41 41 42 58 6c  |9oGEX3NUAAAAABXl|
   0050  55 4b 6b 33 34 34 2e 74 78 74 2d 6d              |UKk344.txt-m|
<- 0000  00 00 00 00 00 00 00 00 64 11                    |........d.|`);

// §12.7.6: 26 FETCH_ONE_PATH_BINLOG request, the answer's header (2^58) and the stream's last 16 bytes.
const [fetchBinlog, fetchBinlogRespHead] = packets(`
-> 0000  00 00 00 00 00 00 00 11 1a 00 67 72 6f 75 70 31  |..........group1|
   0010  00 00 00 00 00 00 00 00 00 00 00                 |...........|
<- 0000  04 00 00 00 00 00 00 00 64 00                    |........d.|`);
const streamTail = Buffer.from('30 32 42 6e 4a 49 31 33 32 2e 74 78 74 0a 00 00 00 00 00 12 40 74'.split(' ').map((h) => parseInt(h, 16)));

/** Offset of the group field in a packet whose head puts it at body offset `bodyOffset`. */
const G = (bodyOffset: number): number => 10 + bodyOffset;

function expectEinval(fn: () => unknown, cmd: number): void {
  expect(fn).toThrow(StatusError);
  try { fn(); } catch (err) {
    expect((err as StatusError).errno).toBe(Errno.EINVAL);
    expect((err as StatusError).cmd).toBe(cmd);
  }
}

/** The captured group field really holds stale bytes, and ours holds zeros there. */
function expectStaleVsZero(captured: Buffer, ours: Buffer, at: number): void {
  expect(captured.subarray(at + 7, at + 16).some((b) => b !== 0)).toBe(true);
  expect(ours.subarray(at + 6, at + 16).every((b) => b === 0)).toBe(true);
}

describe('9 REPORT_SERVER_ID', () => {
  it('decodes and encodes the captured request (§12.7.4)', () => {
    const f = oneFrame(serverId);
    expect(f.header).toEqual({ pkgLen: 16, cmd: StorageCmd.ReportServerId, status: 0 });
    expect(decodeReportServerIdRequest(f.body)).toBe('10.77.1.2');
    expect(encodeReportServerIdRequest('10.77.1.2')).toEqual(serverId);
    expect(serverIdResp).toEqual(emptyResp);
    expectEinval(() => decodeReportServerIdRequest(Buffer.alloc(16)), StorageCmd.ReportServerId);
    expectEinval(() => decodeReportServerIdRequest(Buffer.alloc(15, 0x31)), StorageCmd.ReportServerId);
  });
});

describe('16 / 18 SYNC_CREATE_FILE / SYNC_UPDATE_FILE', () => {
  it('decodes the captured create, reading the group only up to its NUL (§12.7.4)', () => {
    const f = oneFrame(create);
    expect(f.header).toEqual({ pkgLen: 99, cmd: StorageCmd.SyncCreateFile, status: 0 });
    const d = decodeSyncFileHead(StorageCmd.SyncCreateFile, f.body)!;
    expect(d).toEqual({ head: { fileSize: 19, timestamp: 1795290772, group: 'group1', filename: TXT }, consumed: 80 });
    expect(f.body.subarray(d.consumed).toString()).toBe('replication test #1');
    expect(createResp).toEqual(emptyResp);
  });

  it('encodes the same head with a zero-filled group; pkg_len counts the streamed content', () => {
    const head = encodeSyncFileHead(StorageCmd.SyncCreateFile, { fileSize: 19, timestamp: 1795290772, group: 'group1', filename: TXT });
    expect(head).toHaveLength(10 + 80);
    const whole = Buffer.concat([head, Buffer.from('replication test #1')]);
    expect(whole).toEqual(zeroAfterNul(create, G(20), 16));
    expectStaleVsZero(create, whole, G(20));
  });

  it('decodes and encodes the captured sidecar update', () => {
    const f = oneFrame(update);
    expect(f.header).toEqual({ pkgLen: 100, cmd: StorageCmd.SyncUpdateFile, status: 0 });
    const h = { fileSize: 18, timestamp: 1795290777, group: 'group1', filename: `${TXT}-m` };
    const d = decodeSyncFileHead(StorageCmd.SyncUpdateFile, f.body)!;
    expect(d).toEqual({ head: h, consumed: 82 });
    expect(f.body.subarray(d.consumed)).toEqual(Buffer.from('color\x02red\x01size\x02big'));
    const whole = Buffer.concat([encodeSyncFileHead(StorageCmd.SyncUpdateFile, h), f.body.subarray(d.consumed)]);
    expect(whole).toEqual(zeroAfterNul(update, G(20), 16));
    expectStaleVsZero(update, whole, G(20));
  });

  it('decodes and encodes the no-content marker (header status 0x11, pkg_len 36 + name)', () => {
    const f = oneFrame(marker);
    expect(f.header).toEqual({ pkgLen: 82, cmd: StorageCmd.SyncCreateFile, status: SYNC_NO_CONTENT_STATUS });
    const h = { fileSize: 49, timestamp: 1795290753, group: 'group1', filename: 'M00/00/00/Ck0BAmsB9oGEX3NUAAAAABXlUKk344.txt-m' };
    expect(decodeSyncFileHead(StorageCmd.SyncCreateFile, f.body)).toEqual({ head: h, consumed: 82 });
    const ours = encodeSyncFileHead(StorageCmd.SyncCreateFile, h, { noContent: true });
    expect(ours).toEqual(zeroAfterNul(marker, G(20), 16));
    expectStaleVsZero(marker, ours, G(20));
    expect(markerResp).toEqual(eexistResp);
  });

  it('returns null until the whole head has arrived, then the same head', () => {
    const body = oneFrame(create).body;
    for (let n = 0; n <= body.length; n++) {
      const d = decodeSyncFileHead(StorageCmd.SyncCreateFile, body.subarray(0, n));
      if (n < 80) expect(d).toBeNull();
      else expect(d?.consumed).toBe(80);
    }
  });

  it('rejects name lengths outside 1…127 and negative sizes with EINVAL', () => {
    const cmd = StorageCmd.SyncCreateFile;
    const body = Buffer.from(oneFrame(create).body);
    body.writeBigInt64BE(128n, 0);
    expectEinval(() => decodeSyncFileHead(cmd, body), cmd);
    body.writeBigInt64BE(0n, 0);
    expectEinval(() => decodeSyncFileHead(cmd, body), cmd);
    body.writeBigInt64BE(44n, 0);
    body.writeBigInt64BE(-1n, 8);
    expectEinval(() => decodeSyncFileHead(cmd, body), cmd);
    expectEinval(() => encodeSyncFileHead(cmd, { fileSize: 0, timestamp: 0, group: 'g', filename: '' }), cmd);
  });
});

describe('25 / 35 SYNC_APPEND_FILE / SYNC_MODIFY_FILE', () => {
  const cases = [
    [append, StorageCmd.SyncAppendFile, 10, 'ABCDEF', 1795290785],
    [modify, StorageCmd.SyncModifyFile, 2, 'xy', 1795290788],
  ] as const;

  it('decodes the captured heads and data, stale group bytes ignored (§12.7.4)', () => {
    for (const [pkt, cmd, startOffset, data, timestamp] of cases) {
      const f = oneFrame(pkt);
      expect(f.header).toEqual({ pkgLen: 44 + 44 + data.length, cmd, status: 0 });
      const d = decodeSyncRangeHead(cmd, f.body)!;
      expect(d).toEqual({ head: { startOffset, length: data.length, timestamp, group: 'group1', filename: LOG }, consumed: 88 });
      expect(f.body.subarray(d.consumed).toString()).toBe(data);
    }
  });

  it('encodes the same heads with zero-filled groups', () => {
    for (const [pkt, cmd, startOffset, data, timestamp] of cases) {
      const head = encodeSyncRangeHead(cmd, { startOffset, length: data.length, timestamp, group: 'group1', filename: LOG });
      const whole = Buffer.concat([head, Buffer.from(data)]);
      expect(whole).toEqual(zeroAfterNul(pkt, G(28), 16));
      expectStaleVsZero(pkt, whole, G(28));
    }
  });

  it('returns null for a partial head and rejects a negative range', () => {
    const cmd = StorageCmd.SyncAppendFile;
    const body = Buffer.from(oneFrame(append).body);
    expect(decodeSyncRangeHead(cmd, body.subarray(0, 43))).toBeNull();
    expect(decodeSyncRangeHead(cmd, body.subarray(0, 87))).toBeNull();
    body.writeBigInt64BE(-1n, 16);
    expectEinval(() => decodeSyncRangeHead(cmd, body), cmd);
  });
});

describe('37 SYNC_TRUNCATE_FILE', () => {
  it('decodes the captured request and encodes it with a zero-filled group (§12.7.4)', () => {
    const f = oneFrame(truncate);
    expect(f.header).toEqual({ pkgLen: 88, cmd: StorageCmd.SyncTruncateFile, status: 0 });
    const req = { oldFileSize: 16, newFileSize: 8, timestamp: 1795290790, group: 'group1', filename: LOG };
    expect(decodeSyncTruncateRequest(f.body)).toEqual(req);
    const ours = encodeSyncTruncateRequest(req);
    expect(ours).toEqual(zeroAfterNul(truncate, G(28), 16));
    expectStaleVsZero(truncate, ours, G(28));
  });

  it('rejects a body whose name length does not match', () => {
    const cmd = StorageCmd.SyncTruncateFile;
    const body = oneFrame(truncate).body;
    expectEinval(() => decodeSyncTruncateRequest(body.subarray(0, body.length - 1)), cmd);
    expectEinval(() => decodeSyncTruncateRequest(body.subarray(0, 40)), cmd);
  });
});

describe('40 SYNC_RENAME_FILE / 19 SYNC_CREATE_LINK', () => {
  const req = { timestamp: 1795290793, group: 'group1', destFilename: LOG_NEW, srcFilename: LOG };

  it('decodes and encodes the captured rename byte for byte (§12.7.4)', () => {
    const f = oneFrame(rename);
    expect(f.header).toEqual({ pkgLen: 124, cmd: StorageCmd.SyncRenameFile, status: 0 });
    expect(decodeSyncLinkRequest(StorageCmd.SyncRenameFile, f.body)).toEqual(req);
    expect(encodeSyncLinkRequest(StorageCmd.SyncRenameFile, req)).toEqual(rename);
  });

  it('reads the echoed body of a 6.16.1 success answer, and the EEXIST retry answer', () => {
    const echo = Buffer.concat([encodeHeader(124, CommonCmd.Resp), rename.subarray(10)]);
    const f = oneFrame(echo);
    expect(f.header).toEqual({ pkgLen: 124, cmd: CommonCmd.Resp, status: 0 });
    expect(decodeSyncLinkRequest(StorageCmd.SyncRenameFile, f.body)).toEqual(req);
    expect(oneFrame(eexistResp).header.status).toBe(Errno.EEXIST);
  });

  it('uses the same layout for 19 and rejects inconsistent lengths', () => {
    const cmd = StorageCmd.SyncCreateLink;
    const link = { timestamp: 1795291387, group: 'group1', destFilename: 'M00/00/67/a_s.txt', srcFilename: 'M00/00/67/b.txt' };
    const pkt = encodeSyncLinkRequest(cmd, link);
    expect(oneFrame(pkt).header.cmd).toBe(cmd);
    expect(decodeSyncLinkRequest(cmd, pkt.subarray(10))).toEqual(link);
    expectEinval(() => decodeSyncLinkRequest(cmd, Buffer.concat([pkt.subarray(10), Buffer.from('x')])), cmd);
    expectEinval(() => encodeSyncLinkRequest(cmd, { ...link, destFilename: '' }), cmd);
  });
});

describe('17 SYNC_DELETE_FILE', () => {
  it('decodes and encodes the captured delete byte for byte (§12.7.4)', () => {
    const f = oneFrame(del);
    expect(f.header).toEqual({ pkgLen: 66, cmd: StorageCmd.SyncDeleteFile, status: 0 });
    const req = { timestamp: 1795290795, group: 'group1', filename: `${TXT}-m` };
    expect(decodeSyncDeleteRequest(f.body)).toEqual(req);
    expect(encodeSyncDeleteRequest(req)).toEqual(del);
    expect(delResp).toEqual(emptyResp);
    expectEinval(() => decodeSyncDeleteRequest(f.body.subarray(0, 20)), StorageCmd.SyncDeleteFile);
  });
});

describe('26 FETCH_ONE_PATH_BINLOG', () => {
  it('decodes and encodes the captured request and the read-until-close header (§12.7.6)', () => {
    const f = oneFrame(fetchBinlog);
    expect(f.header).toEqual({ pkgLen: 17, cmd: StorageCmd.FetchOnePathBinlog, status: 0 });
    expect(decodeFetchOnePathBinlogRequest(f.body)).toEqual({ group: 'group1', storePathIndex: 0 });
    expect(encodeFetchOnePathBinlogRequest({ group: 'group1', storePathIndex: 0 })).toEqual(fetchBinlog);
    expect(encodeFetchOnePathBinlogResponseHeader()).toEqual(fetchBinlogRespHead);
    expect(decodeHeader(fetchBinlogRespHead)).toEqual({ pkgLen: Number.POSITIVE_INFINITY, cmd: CommonCmd.Resp, status: 0 });
    expectEinval(() => decodeFetchOnePathBinlogRequest(Buffer.alloc(16)), StorageCmd.FetchOnePathBinlog);
  });

  it('reads the captured trailer (1,196,148 text bytes) and checks it against the text', () => {
    const trailer = streamTail.subarray(streamTail.length - SIZES.fetchBinlogTrailer);
    expect(decodeFetchBinlogTrailer(trailer)).toBe(1196148);
    expect(encodeFetchBinlogTrailer(1196148)).toEqual(trailer);
    const text = '1795290738 c M00/00/00/Ck0BAmsB9nKAPXOvAAMNQBoxEls773.bin-m\n';
    const stream = Buffer.concat([Buffer.from(text), encodeFetchBinlogTrailer(text.length)]);
    expect(decodeFetchBinlogStream(stream).toString()).toBe(text);
    expect(parseBinlogText(decodeFetchBinlogStream(stream).toString()).records).toEqual([
      { timestamp: 1795290738, op: 'c', filename: 'M00/00/00/Ck0BAmsB9nKAPXOvAAMNQBoxEls773.bin-m' },
    ]);
  });

  it('fails a stream cut at a malformed L line (no trailer) or with a wrong trailer', () => {
    expect(() => decodeFetchBinlogStream(Buffer.from('1795291387 L  M00/'))).toThrow(ProtocolError);
    expect(() => decodeFetchBinlogStream(Buffer.from('1'))).toThrow(ProtocolError);
    expect(() => decodeFetchBinlogStream(streamTail)).toThrow(/trailer says 1196148/);
  });
});
