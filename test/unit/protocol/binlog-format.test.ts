import { describe, it, expect } from 'vitest';
import {
  BinlogOp, formatBinlogIndex, formatBinlogLine, formatDataInitFlag, formatKeyValues, formatMarkFile,
  formatStorageStatFile, isSourceOp, markFileName, parseBinlogIndex, parseBinlogLine, parseBinlogText,
  parseDataInitFlag, parseKeyValues, parseMarkFile, parseStorageStatFile, retiredMarkFileName, toReplicaOp,
  type SyncMark,
} from '../../../src/protocol/binlog-format.js';

const TXT = 'M00/00/00/Ck0BAmsB9pSAJvv7AAAAE7TkL5M528.txt';
const LOG = 'M00/00/00/Ck0BAmsB9p6EGB8HAAAAAKaEx8Y038.log';
const LOG_NEW = 'M00/00/00/Ck0BAmsB9qmAaUKjAAAACJEAUxc038.log';

// §9.1: the source's binlog for one sequence of client operations (captured on 10.77.1.2).
const SOURCE_BINLOG = `1795290772 C M00/00/00/Ck0BAmsB9pSAJvv7AAAAE7TkL5M528.txt
1795290774 C M00/00/00/Ck0BAmsB9pSAJvv7AAAAE7TkL5M528.txt-m
1795290777 U M00/00/00/Ck0BAmsB9pSAJvv7AAAAE7TkL5M528.txt-m
1795290780 C M00/00/00/Ck0BAmsB9pSAJvv7AAAAE7TkL5M528_s.txt
1795290782 C M00/00/00/Ck0BAmsB9p6EGB8HAAAAAKaEx8Y038.log
1795290785 A M00/00/00/Ck0BAmsB9p6EGB8HAAAAAKaEx8Y038.log 10 6
1795290788 M M00/00/00/Ck0BAmsB9p6EGB8HAAAAAKaEx8Y038.log 2 2
1795290790 T M00/00/00/Ck0BAmsB9p6EGB8HAAAAAKaEx8Y038.log 16 8
1795290793 R M00/00/00/Ck0BAmsB9qmAaUKjAAAACJEAUxc038.log M00/00/00/Ck0BAmsB9p6EGB8HAAAAAKaEx8Y038.log
1795290795 D M00/00/00/Ck0BAmsB9pSAJvv7AAAAE7TkL5M528.txt
1795290795 D M00/00/00/Ck0BAmsB9pSAJvv7AAAAE7TkL5M528.txt-m
1795290798 D M00/00/00/Ck0BAmsB9pSAJvv7AAAAE7TkL5M528_s.txt
`;

// §9.1: the same records in the replica's (10.77.1.3) binlog.
const REPLICA_BINLOG = `1795290772 c M00/00/00/Ck0BAmsB9pSAJvv7AAAAE7TkL5M528.txt
1795290774 c M00/00/00/Ck0BAmsB9pSAJvv7AAAAE7TkL5M528.txt-m
1795290777 u M00/00/00/Ck0BAmsB9pSAJvv7AAAAE7TkL5M528.txt-m
1795290780 c M00/00/00/Ck0BAmsB9pSAJvv7AAAAE7TkL5M528_s.txt
1795290782 c M00/00/00/Ck0BAmsB9p6EGB8HAAAAAKaEx8Y038.log
1795290785 a M00/00/00/Ck0BAmsB9p6EGB8HAAAAAKaEx8Y038.log 10 6
1795290788 m M00/00/00/Ck0BAmsB9p6EGB8HAAAAAKaEx8Y038.log 2 2
1795290790 t M00/00/00/Ck0BAmsB9p6EGB8HAAAAAKaEx8Y038.log 16 8
1795290793 r M00/00/00/Ck0BAmsB9qmAaUKjAAAACJEAUxc038.log M00/00/00/Ck0BAmsB9p6EGB8HAAAAAKaEx8Y038.log
1795290795 d M00/00/00/Ck0BAmsB9pSAJvv7AAAAE7TkL5M528.txt
1795290798 d M00/00/00/Ck0BAmsB9pSAJvv7AAAAE7TkL5M528_s.txt
1795290795 d M00/00/00/Ck0BAmsB9pSAJvv7AAAAE7TkL5M528.txt-m
`;

// §13.2 item 18: the slave-link record 6.16.1 writes without its link name (name elided in the spec).
const MALFORMED_L = '1795291387 L  M00/00/67/Ck0B…582.txt';

// §9.3: the two mark files shown in full.
const MARK_SOURCE = `binlog_index=0
binlog_offset=1388
need_sync_old=1
sync_old_done=1
until_timestamp=1795290693
scan_row_count=23
sync_row_count=11
`;
const MARK_PEER = `binlog_index=0
binlog_offset=1278
need_sync_old=0
sync_old_done=0
until_timestamp=0
scan_row_count=21
sync_row_count=16
`;
// §9.3: the others, shown one per line in the spec.
const MARK_ROWS = `binlog_index=0  binlog_offset=232803   need_sync_old=1 sync_old_done=0 until_timestamp=1795291210 scan_row_count=4008  sync_row_count=4001
binlog_index=0  binlog_offset=493803   need_sync_old=1 sync_old_done=0 until_timestamp=1795291210 scan_row_count=8508  sync_row_count=8501
binlog_index=0  binlog_offset=1197517  need_sync_old=1 sync_old_done=1 until_timestamp=1795291210 scan_row_count=20641 sync_row_count=20632
binlog_index=0  binlog_offset=1199053  need_sync_old=0 sync_old_done=0 until_timestamp=1795291210 scan_row_count=0 sync_row_count=0
binlog_index=0  binlog_offset=1193994  need_sync_old=0 sync_old_done=0 until_timestamp=0 scan_row_count=20584 sync_row_count=0`;

// §11.3: .data_init_flag of a storage bootstrapped from 10.77.1.2, and one given a plan but never synced.
const INIT_FLAG = `storage_join_time=1795290691
sync_old_done=1
sync_src_server=10.77.1.2
sync_until_timestamp=1795290693
last_ip_addr=10.77.1.3
last_server_port=23000
current_trunk_file_id=0
trunk_last_compress_time=0
trunk_binlog_compress_stage=0
store_path_mark0=MTAuNzcuMS4zAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAANhZAAAAAEP2AWs
`;
const INIT_FLAG_WAITING = `storage_join_time=1795289036
sync_old_done=1
sync_src_server=10.77.0.3
sync_until_timestamp=1795289038
last_ip_addr=10.77.0.2
last_server_port=23000
current_trunk_file_id=0
trunk_last_compress_time=0
trunk_binlog_compress_stage=0
store_path_mark0=MTAuNzcuMC4yAAAA…
`;

const lines = (text: string): string[] => text.split(/(?<=\n)/);

describe('binlog lines (§9.1, §9.2)', () => {
  it('parses and re-formats every line of the captured source binlog exactly', () => {
    const records = lines(SOURCE_BINLOG).map((l) => parseBinlogLine(l));
    expect(records.every((r) => r !== null)).toBe(true);
    expect(records.map((r) => formatBinlogLine(r!)).join('')).toBe(SOURCE_BINLOG);
    expect(records[0]).toEqual({ timestamp: 1795290772, op: 'C', filename: TXT });
    expect(records[2]).toEqual({ timestamp: 1795290777, op: 'U', filename: `${TXT}-m` });
    expect(records[5]).toEqual({ timestamp: 1795290785, op: 'A', filename: LOG, startOffset: 10, length: 6 });
    expect(records[6]).toEqual({ timestamp: 1795290788, op: 'M', filename: LOG, startOffset: 2, length: 2 });
    expect(records[7]).toEqual({ timestamp: 1795290790, op: 'T', filename: LOG, oldSize: 16, newSize: 8 });
    expect(records[8]).toEqual({ timestamp: 1795290793, op: 'R', filename: LOG_NEW, srcFilename: LOG });
    expect(records[11]).toEqual({ timestamp: 1795290798, op: 'D', filename: 'M00/00/00/Ck0BAmsB9pSAJvv7AAAAE7TkL5M528_s.txt' });
  });

  it('parses and re-formats the replica binlog; its letters are the lowercase of the source\'s', () => {
    const chunk = parseBinlogText(REPLICA_BINLOG);
    expect(chunk.invalid).toEqual([]);
    expect(chunk.partial).toBe('');
    expect(chunk.records.map(formatBinlogLine).join('')).toBe(REPLICA_BINLOG);
    const source = parseBinlogText(SOURCE_BINLOG).records;
    expect(source.every((r) => isSourceOp(r.op))).toBe(true);
    expect(chunk.records.some((r) => isSourceOp(r.op))).toBe(false);
    expect(chunk.records.slice(0, 10).map((r) => r.op)).toEqual(source.slice(0, 10).map((r) => toReplicaOp(r.op)));
  });

  it('returns null for the malformed 6.16.1 L line instead of throwing (§13.2 item 18)', () => {
    expect(parseBinlogLine(MALFORMED_L)).toBeNull();
    expect(parseBinlogLine(`${MALFORMED_L}\n`)).toBeNull();
    const chunk = parseBinlogText(`${SOURCE_BINLOG.split('\n')[0]}\n${MALFORMED_L}\n1795291388 D ${TXT}\n`);
    expect(chunk.records.map((r) => r.op)).toEqual(['C', 'D']);
    expect(chunk.invalid).toEqual([MALFORMED_L]);
  });

  it('round-trips a well-formed L line: link, then target', () => {
    const line = '1795291387 L M00/00/67/Ck0B_s.txt M00/00/67/Ck0B582.txt\n';
    expect(parseBinlogLine(line)).toEqual({
      timestamp: 1795291387, op: BinlogOp.SourceCreateLink, filename: 'M00/00/67/Ck0B_s.txt', srcFilename: 'M00/00/67/Ck0B582.txt',
    });
    expect(formatBinlogLine(parseBinlogLine(line)!)).toBe(line);
  });

  it('rejects other malformed lines', () => {
    for (const bad of ['', '1795290772', '1795290772 C', '1795290772 C ', 'x C a', '1795290772 X a',
      '1795290772 CC a', '1795290772 C a b', `1795290772 A ${LOG} 10`, `1795290772 A ${LOG} 10 x`,
      `1795290772 T ${LOG} 1 2 3`, `1795290772 R ${LOG}`, `1795290772 C  ${TXT}`, `1795290772  C ${TXT}`]) {
      expect(parseBinlogLine(bad)).toBeNull();
    }
  });

  it('keeps an unterminated last line as partial and continues it with the next read', () => {
    const cut = SOURCE_BINLOG.length - 20;
    const a = parseBinlogText(SOURCE_BINLOG.slice(0, cut));
    expect(a.records).toHaveLength(11);
    const b = parseBinlogText(SOURCE_BINLOG.slice(cut), a.partial);
    expect([...a.records, ...b.records].map(formatBinlogLine).join('')).toBe(SOURCE_BINLOG);
  });
});

describe('mark files (§9.3)', () => {
  it('parses and re-formats the two captured files exactly', () => {
    const src = parseMarkFile(MARK_SOURCE);
    expect(src).toEqual({
      binlogIndex: 0, binlogOffset: 1388, needSyncOld: true, syncOldDone: true, untilTimestamp: 1795290693,
      scanRowCount: 23, syncRowCount: 11,
    });
    expect(formatMarkFile(src!)).toBe(MARK_SOURCE);
    const peer = parseMarkFile(MARK_PEER)!;
    expect(peer).toMatchObject({ needSyncOld: false, syncOldDone: false, untilTimestamp: 0, scanRowCount: 21 });
    expect(formatMarkFile(peer)).toBe(MARK_PEER);
  });

  it('round-trips the bootstrap snapshots (shown one per line in the spec)', () => {
    for (const row of MARK_ROWS.split('\n')) {
      const text = row.split(/\s+/).join('\n') + '\n';
      const m = parseMarkFile(text);
      expect(m).not.toBeNull();
      expect(formatMarkFile(m!)).toBe(text);
    }
    expect(parseMarkFile(MARK_ROWS.split('\n')[2]!.split(/\s+/).join('\n') + '\n')).toMatchObject<Partial<SyncMark>>(
      { binlogOffset: 1197517, syncOldDone: true, scanRowCount: 20641, syncRowCount: 20632 });
  });

  it('returns null for every half-written prefix and for a missing or bad key', () => {
    for (let n = 0; n < MARK_SOURCE.length; n++) expect(parseMarkFile(MARK_SOURCE.slice(0, n))).toBeNull();
    expect(parseMarkFile(MARK_SOURCE.replace('scan_row_count=23', 'scan_row_count=x'))).toBeNull();
    expect(parseMarkFile(MARK_SOURCE.replace('binlog_offset=1388\n', ''))).toBeNull();
    expect(parseMarkFile(`# comment\n\n${MARK_SOURCE}extra=1\n`)).toEqual(parseMarkFile(MARK_SOURCE));
  });

  it('names mark files by ip_port or id, and the retired copy with a timestamp', () => {
    expect(markFileName('10.77.1.3', 23000)).toBe('10.77.1.3_23000.mark');
    expect(markFileName('100001')).toBe('100001.mark');
    expect(retiredMarkFileName('10.77.1.5_23000.mark', new Date(2026, 10, 21, 8, 5, 3)))
      .toBe('10.77.1.5_23000.mark.20261121080503');
  });
});

describe('.data_init_flag (§11.3)', () => {
  it('parses and re-formats both captured files exactly', () => {
    const f = parseDataInitFlag(INIT_FLAG);
    expect(f).toEqual({
      storageJoinTime: 1795290691, syncOldDone: true, syncSrcServer: '10.77.1.2', syncUntilTimestamp: 1795290693,
      lastIpAddr: '10.77.1.3', lastServerPort: 23000, currentTrunkFileId: 0, trunkLastCompressTime: 0,
      trunkBinlogCompressStage: 0,
      storePathMarks: ['MTAuNzcuMS4zAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAANhZAAAAAEP2AWs'],
    });
    expect(formatDataInitFlag(f!)).toBe(INIT_FLAG);
    expect(formatDataInitFlag(parseDataInitFlag(INIT_FLAG_WAITING)!)).toBe(INIT_FLAG_WAITING);
  });

  it('keeps the first storage\'s empty sync_src_server', () => {
    const first = INIT_FLAG.replace('sync_src_server=10.77.1.2', 'sync_src_server=')
      .replace('sync_until_timestamp=1795290693', 'sync_until_timestamp=0');
    const f = parseDataInitFlag(first)!;
    expect(f.syncSrcServer).toBe('');
    expect(f.syncUntilTimestamp).toBe(0);
    expect(formatDataInitFlag(f)).toBe(first);
  });

  it('returns null without the essential keys; an unterminated last line is ignored', () => {
    expect(parseDataInitFlag('')).toBeNull();
    expect(parseDataInitFlag('storage_join_time=1795290691\nsync_old_done=1')).toBeNull();
    expect(parseDataInitFlag(INIT_FLAG.slice(0, -10))!.storePathMarks).toEqual([]);
  });
});

describe('key=value helpers', () => {
  it('round-trip binlog_index.dat and read the old single-number form', () => {
    const text = 'current_write=0\ncurrent_compress=0\n';
    expect(parseBinlogIndex(text)).toEqual({ currentWrite: 0, currentCompress: 0 });
    expect(formatBinlogIndex({ currentWrite: 0, currentCompress: 0 })).toBe(text);
    expect(parseBinlogIndex('3\n')).toEqual({ currentWrite: 3, currentCompress: 0 });
    expect(parseBinlogIndex('nonsense')).toBeNull();
  });

  it('round-trip storage_stat.dat counters', () => {
    const counters = { total_upload_count: 68419, success_upload_count: 68419, dist_path_index_high: 0, dist_write_file_count: 12 };
    const text = formatStorageStatFile(counters);
    expect(text).toBe('total_upload_count=68419\nsuccess_upload_count=68419\ndist_path_index_high=0\ndist_write_file_count=12\n');
    expect(parseStorageStatFile(text)).toEqual(counters);
    expect(parseStorageStatFile(`${text}total_download_count=4`)).toEqual(counters);
  });

  it('read and write .recovery.flag and .tracker_status (§11.3, §11.4)', () => {
    const recovery = 'saved_storage_status=99\nfetch_binlog_done=0\nrecovery_threads=-1\n';
    const kv = parseKeyValues(recovery);
    expect(Object.fromEntries(kv)).toEqual({ saved_storage_status: '99', fetch_binlog_done: '0', recovery_threads: '-1' });
    expect(formatKeyValues(kv)).toBe(recovery);
    const status = 'up_time=1795291445\nlast_check_time=1795291500\n';
    expect(formatKeyValues(parseKeyValues(status))).toBe(status);
    expect(formatKeyValues([['a', true], ['b', false], ['c', 1n << 60n]])).toBe('a=1\nb=0\nc=1152921504606846976\n');
  });
});
