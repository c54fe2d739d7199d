import { describe, it, expect } from 'vitest';
import type { CommandDescriptor } from '../../../src/protocol/command.js';
import { decodeHeader } from '../../../src/protocol/header.js';
import { StorageFileCommands as F } from '../../../src/protocol/storage-file.js';
import { StorageMetaCommands as M } from '../../../src/protocol/storage-meta.js';
import { SyncCommands as S } from '../../../src/protocol/sync.js';

// Every descriptor: its encoder's packet has the announced head size, the name length where it says, and its
// decoder gives the request back.
const APP = 'M00/00/00/wKgAAmVuSWyEAAAAAAAAAAAAAAA0000000.txt'.slice(0, 44);
const NAME = 'M00/00/00/wKgAAmVuSWyEAAAAAAAAAAAAAAA0000000.txt';

type Case = [CommandDescriptor<never, unknown>, unknown, unknown?];
const cases: Case[] = [
  [F.UploadFile, { storePathIndex: 1, fileSize: 9, ext: 'jpg' }],
  [F.UploadAppenderFile, { storePathIndex: -1, fileSize: 0, ext: '' }],
  [F.UploadSlaveFile, { masterFilename: NAME, fileSize: 4, prefix: '_s', ext: 'txt' }],
  [F.AppendFile, { filename: APP, fileSize: 5 }],
  [F.ModifyFile, { filename: APP, fileOffset: 3, fileSize: 5 }],
  [F.TruncateFile, { filename: APP, truncatedFileSize: 2 }],
  [F.RegenerateAppenderFilename, APP, { filename: APP }],
  [F.DeleteFile, { group: 'group1', filename: NAME }],
  [F.QueryFileInfo, { group: 'group1', filename: NAME, notCalcCrc32: true, keepSilence: false }],
  [F.DownloadFile, { group: 'group1', filename: NAME, fileOffset: 1, downloadBytes: 2 }],
  [F.CreateLink, { masterFilename: '', srcFilename: NAME, srcFileSig: Buffer.from('sig'), group: 'group1', prefix: '', ext: 'txt' }],
  [M.GetMetadata, { group: 'group1', filename: NAME }],
  [S.ReportServerId, '10.0.0.7'],
  [S.SyncCreateFile, { fileSize: 3, timestamp: 1700000000, group: 'group1', filename: NAME }],
  [S.SyncUpdateFile, { fileSize: 0, timestamp: 1700000000, group: 'group1', filename: NAME }],
  [S.SyncAppendFile, { startOffset: 4, length: 2, timestamp: 1700000000, group: 'group1', filename: NAME }],
  [S.SyncModifyFile, { startOffset: 0, length: 2, timestamp: 1700000000, group: 'group1', filename: NAME }],
  [S.SyncDeleteFile, { timestamp: 1700000000, group: 'group1', filename: NAME }],
  [S.SyncCreateLink, { timestamp: 1700000000, group: 'group1', destFilename: NAME, srcFilename: NAME.replace('.txt', '.jpg') }],
  [S.SyncRenameFile, { timestamp: 1700000000, group: 'group1', destFilename: NAME, srcFilename: NAME.replace('.txt', '.jpg') }],
  [S.SyncTruncateFile, { oldFileSize: 5, newFileSize: 2, timestamp: 1700000000, group: 'group1', filename: NAME }],
  [S.FetchOnePathBinlog, { group: 'group1', storePathIndex: 0 }],
];

describe('command descriptors', () => {
  it('cover every case once', () => {
    const all = [...Object.values(F), ...Object.values(M), ...Object.values(S)];
    expect(new Set(cases.map(([d]) => d.cmd)).size).toBe(cases.length);
    // 13 SET_METADATA's decoder parses the metadata too: covered by storage-meta.test.ts.
    expect(all.filter((d) => !cases.some(([c]) => c === d)).map((d) => d.name)).toEqual(['SET_METADATA']);
  });

  for (const [d, req, expected] of cases) {
    it(`${d.cmd} ${d.name}: encode → head → decode`, () => {
      const pkt = (d.encode as (r: unknown) => Buffer)(req);
      const h = decodeHeader(pkt);
      expect(h.cmd).toBe(d.cmd);
      const head = pkt.subarray(10);
      expect(head.length).toBeGreaterThanOrEqual(d.headSize);
      if (d.nameLen) {
        const n = Number(head.readBigInt64BE(d.nameLen.at));
        expect(n).toBeGreaterThanOrEqual(d.nameLen.min);
        expect(n).toBeLessThanOrEqual(d.nameLen.max);
        if (d.streamed) expect(head.length).toBe(d.headSize + n);
      }
      if (!d.streamed) expect(h.pkgLen).toBe(head.length);
      expect(d.decode(head, h.pkgLen, h.status)).toEqual(expected ?? req);
    });
  }
});
