import { describe, it, expect } from 'vitest';
import {
  syncFileHeadLength,
  SIZES, SYNC_NO_CONTENT_STATUS, decodeFetchBinlogStream, decodeFetchBinlogTrailer, decodeFetchOnePathBinlogRequest,
  decodeReportServerIdRequest, decodeSyncDeleteRequest, decodeSyncFileHead, decodeSyncLinkRequest,
  decodeSyncRangeHead, decodeSyncTruncateRequest, encodeFetchBinlogTrailer, encodeFetchOnePathBinlogRequest,
  encodeFetchOnePathBinlogResponseHeader, encodeReportServerIdRequest, encodeSyncDeleteRequest, encodeSyncFileHead,
  encodeSyncLinkRequest, encodeSyncRangeHead, encodeSyncTruncateRequest,
} from '../../../src/protocol/sync.js';
import { parseBinlogText } from '../../../src/protocol/binlog-format.js';
import { decodeHeader, encodeHeader, type Header } from '../../../src/protocol/header.js';
import { CommonCmd, StorageCmd } from '../../../src/protocol/codes.js';
import { Errno, ProtocolError, StatusError } from '../../../src/errors.js';
import { wire } from '../../helpers/wire.js';
import { codecCases, oneFrame, zeroAfterNul } from '../../helpers/codec-cases.js';

const TXT = 'M00/00/00/Ck0BAmsB9pSAJvv7AAAAE7TkL5M528.txt';
const LOG = 'M00/00/00/Ck0BAmsB9p6EGB8HAAAAAKaEx8Y038.log';
const LOG_NEW = 'M00/00/00/Ck0BAmsB9qmAaUKjAAAACJEAUxc038.log';
const emptyResp = encodeHeader(0, CommonCmd.Resp);
type SyncFileCmd = Parameters<typeof encodeSyncFileHead>[0];
type SyncRangeCmd = Parameters<typeof encodeSyncRangeHead>[0];
type SyncLinkCmd = Parameters<typeof encodeSyncLinkRequest>[0];
const eexistResp = encodeHeader(0, CommonCmd.Resp, Errno.EEXIST);

const create = wire('sync-create-file.req');
const update = wire('sync-update-file.req');
const append = wire('sync-append-file.req');
const modify = wire('sync-modify-file.req');
const truncate = wire('sync-truncate-file.req');
const marker = wire('sync-create-file.req-marker');
const rename = wire('sync-rename-file.req');
const fetchBinlogRespHead = wire('fetch-one-path-binlog.resp-head');
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

const empty = { value: null, encode: () => emptyResp, decode: (b: Buffer): null => { expect(b).toHaveLength(0); return null; } };
/** A sync head and the content after it, decoded with the frame's cmd and status. */
const fileHead = {
  encode: (v: { cmd: number; noContent?: boolean; head: Parameters<typeof encodeSyncFileHead>[1]; content: Buffer }) =>
    Buffer.concat([encodeSyncFileHead(v.cmd as SyncFileCmd, v.head, v.noContent ? { noContent: true } : undefined), v.content]),
  decode: (b: Buffer, h: Header | undefined) => {
    const d = decodeSyncFileHead(h!.cmd as SyncFileCmd, b)!;
    return { cmd: h!.cmd, ...(h!.status === SYNC_NO_CONTENT_STATUS ? { noContent: true } : {}), head: d.head, content: b.subarray(d.consumed), consumed: d.consumed };
  },
};
const rangeHead = {
  encode: (v: { cmd: number; head: Parameters<typeof encodeSyncRangeHead>[1]; content: Buffer }) =>
    Buffer.concat([encodeSyncRangeHead(v.cmd as SyncRangeCmd, v.head), v.content]),
  decode: (b: Buffer, h: Header | undefined) => {
    const d = decodeSyncRangeHead(h!.cmd as SyncRangeCmd, b)!;
    expect(d.consumed).toBe(88);
    return { cmd: h!.cmd, head: d.head, content: b.subarray(d.consumed) };
  },
};
const stale = (name: string, at: number): Buffer => zeroAfterNul(wire(name), G(at), 16);
const truncateReq = { oldFileSize: 16, newFileSize: 8, timestamp: 1795290790, group: 'group1', filename: LOG };
const renameReq = { timestamp: 1795290793, group: 'group1', destFilename: LOG_NEW, srcFilename: LOG };
const link = (cmd: SyncLinkCmd) => ({ encode: (v: typeof renameReq) => encodeSyncLinkRequest(cmd, v), decode: (b: Buffer) => decodeSyncLinkRequest(cmd, b) });

// Stock storages leave stale stack bytes after the group's NUL; we write zeros there (`generates`).
codecCases('sync captures (§12.7.4, §12.7.6)', {}, [
  { name: '9 REPORT_SERVER_ID', fixture: 'report-server-id.req', header: { pkgLen: 16, cmd: StorageCmd.ReportServerId, status: 0 },
    value: '10.77.1.2', encode: encodeReportServerIdRequest, decode: (b) => decodeReportServerIdRequest(b) },
  { name: '9 answer', fixture: 'report-server-id.resp', ...empty },
  { name: '16 SYNC_CREATE_FILE, group read up to its NUL', fixture: 'sync-create-file.req', generates: stale('sync-create-file.req', 20),
    header: { pkgLen: 99, cmd: StorageCmd.SyncCreateFile, status: 0 },
    value: { cmd: StorageCmd.SyncCreateFile, head: { fileSize: 19, timestamp: 1795290772, group: 'group1', filename: TXT },
      content: Buffer.from('replication test #1'), consumed: 80 }, ...fileHead },
  { name: '16 answer', fixture: 'sync-create-file.resp', ...empty },
  { name: '18 SYNC_UPDATE_FILE of a sidecar', fixture: 'sync-update-file.req', generates: stale('sync-update-file.req', 20),
    header: { pkgLen: 100, cmd: StorageCmd.SyncUpdateFile, status: 0 },
    value: { cmd: StorageCmd.SyncUpdateFile, head: { fileSize: 18, timestamp: 1795290777, group: 'group1', filename: `${TXT}-m` },
      content: Buffer.from('color\x02red\x01size\x02big'), consumed: 82 }, ...fileHead },
  { name: '16 no-content marker (status 0x11, pkg_len 36 + name)', fixture: 'sync-create-file.req-marker', generates: stale('sync-create-file.req-marker', 20),
    header: { pkgLen: 82, cmd: StorageCmd.SyncCreateFile, status: SYNC_NO_CONTENT_STATUS },
    value: { cmd: StorageCmd.SyncCreateFile, noContent: true,
      head: { fileSize: 49, timestamp: 1795290753, group: 'group1', filename: 'M00/00/00/Ck0BAmsB9oGEX3NUAAAAABXlUKk344.txt-m' },
      content: Buffer.alloc(0), consumed: 82 }, ...fileHead },
  { name: '16 marker answer EEXIST', fixture: 'sync-create-file.resp-marker', header: { status: Errno.EEXIST },
    value: null, encode: () => eexistResp, decode: (b) => { expect(b).toHaveLength(0); return null; } },
  { name: '25 SYNC_APPEND_FILE, stale group bytes ignored', fixture: 'sync-append-file.req', generates: stale('sync-append-file.req', 28),
    header: { pkgLen: 44 + 44 + 6, cmd: StorageCmd.SyncAppendFile, status: 0 },
    value: { cmd: StorageCmd.SyncAppendFile, head: { startOffset: 10, length: 6, timestamp: 1795290785, group: 'group1', filename: LOG },
      content: Buffer.from('ABCDEF') }, ...rangeHead },
  { name: '35 SYNC_MODIFY_FILE, stale group bytes ignored', fixture: 'sync-modify-file.req', generates: stale('sync-modify-file.req', 28),
    header: { pkgLen: 44 + 44 + 2, cmd: StorageCmd.SyncModifyFile, status: 0 },
    value: { cmd: StorageCmd.SyncModifyFile, head: { startOffset: 2, length: 2, timestamp: 1795290788, group: 'group1', filename: LOG },
      content: Buffer.from('xy') }, ...rangeHead },
  { name: '37 SYNC_TRUNCATE_FILE', fixture: 'sync-truncate-file.req', generates: stale('sync-truncate-file.req', 28),
    header: { pkgLen: 88, cmd: StorageCmd.SyncTruncateFile, status: 0 },
    value: truncateReq, encode: encodeSyncTruncateRequest, decode: (b) => decodeSyncTruncateRequest(b) },
  { name: '40 SYNC_RENAME_FILE, byte for byte', fixture: 'sync-rename-file.req', header: { pkgLen: 124, cmd: StorageCmd.SyncRenameFile, status: 0 },
    value: renameReq, ...link(StorageCmd.SyncRenameFile) },
  { name: '40 answer echoing the body (6.16.1)', bytes: Buffer.concat([encodeHeader(124, CommonCmd.Resp), rename.subarray(10)]),
    header: { pkgLen: 124, cmd: CommonCmd.Resp, status: 0 }, value: renameReq,
    encode: (v) => Buffer.concat([encodeHeader(124, CommonCmd.Resp), encodeSyncLinkRequest(StorageCmd.SyncRenameFile, v).subarray(10)]),
    decode: (b) => decodeSyncLinkRequest(StorageCmd.SyncRenameFile, b) },
  { name: '19 SYNC_CREATE_LINK (same layout)', bytes: encodeSyncLinkRequest(StorageCmd.SyncCreateLink,
      { timestamp: 1795291387, group: 'group1', destFilename: 'M00/00/67/a_s.txt', srcFilename: 'M00/00/67/b.txt' }),
    header: { cmd: StorageCmd.SyncCreateLink },
    value: { timestamp: 1795291387, group: 'group1', destFilename: 'M00/00/67/a_s.txt', srcFilename: 'M00/00/67/b.txt' }, ...link(StorageCmd.SyncCreateLink) },
  { name: '17 SYNC_DELETE_FILE, byte for byte', fixture: 'sync-delete-file.req', header: { pkgLen: 66, cmd: StorageCmd.SyncDeleteFile, status: 0 },
    value: { timestamp: 1795290795, group: 'group1', filename: `${TXT}-m` }, encode: encodeSyncDeleteRequest, decode: (b) => decodeSyncDeleteRequest(b) },
  { name: '17 answer', fixture: 'sync-delete-file.resp', ...empty },
  { name: '26 FETCH_ONE_PATH_BINLOG', fixture: 'fetch-one-path-binlog.req', header: { pkgLen: 17, cmd: StorageCmd.FetchOnePathBinlog, status: 0 },
    value: { group: 'group1', storePathIndex: 0 }, encode: encodeFetchOnePathBinlogRequest, decode: (b) => decodeFetchOnePathBinlogRequest(b) },
]);

describe('9 REPORT_SERVER_ID', () => {
  it('rejects an empty or unterminated id', () => {
    expectEinval(() => decodeReportServerIdRequest(Buffer.alloc(16)), StorageCmd.ReportServerId);
    expectEinval(() => decodeReportServerIdRequest(Buffer.alloc(15, 0x31)), StorageCmd.ReportServerId);
  });
});

describe('16 / 18 SYNC_CREATE_FILE / SYNC_UPDATE_FILE', () => {
  it('writes the group zero-filled where the captures hold stale bytes; pkg_len counts the content', () => {
    const head = encodeSyncFileHead(StorageCmd.SyncCreateFile, { fileSize: 19, timestamp: 1795290772, group: 'group1', filename: TXT });
    expect(head).toHaveLength(10 + 80);
    expectStaleVsZero(create, Buffer.concat([head, Buffer.from('replication test #1')]), G(20));
    const h = { fileSize: 18, timestamp: 1795290777, group: 'group1', filename: `${TXT}-m` };
    expectStaleVsZero(update, encodeSyncFileHead(StorageCmd.SyncUpdateFile, h), G(20));
    const m = { fileSize: 49, timestamp: 1795290753, group: 'group1', filename: 'M00/00/00/Ck0BAmsB9oGEX3NUAAAAABXlUKk344.txt-m' };
    expectStaleVsZero(marker, encodeSyncFileHead(StorageCmd.SyncCreateFile, m, { noContent: true }), G(20));
  });

  it('syncFileHeadLength is the length of the head encodeSyncFileHead writes, names of several bytes a character included', () => {
    for (const filename of [TXT, `${TXT}-m`, 'M00/00/00/ünïcödé-名前.txt']) {
      const head = encodeSyncFileHead(StorageCmd.SyncCreateFile, { fileSize: 4096, timestamp: 1795290772, group: 'group1', filename });
      expect(syncFileHeadLength(filename)).toBe(head.length);
    }
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

  it('writes zero-filled groups where the captures hold stale bytes', () => {
    for (const [pkt, cmd, startOffset, data, timestamp] of cases) {
      const head = encodeSyncRangeHead(cmd, { startOffset, length: data.length, timestamp, group: 'group1', filename: LOG });
      expectStaleVsZero(pkt, Buffer.concat([head, Buffer.from(data)]), G(28));
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
  it('writes a zero-filled group where the capture holds stale bytes', () => {
    expectStaleVsZero(truncate, encodeSyncTruncateRequest(truncateReq), G(28));
  });

  it('rejects a body whose name length does not match', () => {
    const cmd = StorageCmd.SyncTruncateFile;
    const body = oneFrame(truncate).body;
    expectEinval(() => decodeSyncTruncateRequest(body.subarray(0, body.length - 1)), cmd);
    expectEinval(() => decodeSyncTruncateRequest(body.subarray(0, 40)), cmd);
  });
});

describe('40 SYNC_RENAME_FILE / 19 SYNC_CREATE_LINK', () => {
  it('reads the EEXIST retry answer', () => {
    expect(oneFrame(eexistResp).header.status).toBe(Errno.EEXIST);
  });

  it('rejects inconsistent lengths', () => {
    const cmd = StorageCmd.SyncCreateLink;
    const link = { timestamp: 1795291387, group: 'group1', destFilename: 'M00/00/67/a_s.txt', srcFilename: 'M00/00/67/b.txt' };
    const pkt = encodeSyncLinkRequest(cmd, link);
    expectEinval(() => decodeSyncLinkRequest(cmd, Buffer.concat([pkt.subarray(10), Buffer.from('x')])), cmd);
    expectEinval(() => encodeSyncLinkRequest(cmd, { ...link, destFilename: '' }), cmd);
  });
});

describe('17 SYNC_DELETE_FILE', () => {
  it('rejects a short body', () => {
    expectEinval(() => decodeSyncDeleteRequest(oneFrame(wire('sync-delete-file.req')).body.subarray(0, 20)), StorageCmd.SyncDeleteFile);
  });
});

describe('26 FETCH_ONE_PATH_BINLOG', () => {
  it('writes the captured read-until-close header (§12.7.6) and rejects a short request', () => {
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
