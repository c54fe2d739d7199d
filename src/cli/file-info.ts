// `fdfs info`: decode a file ID like fdfs_file_info, asking the storage only when the name
// cannot tell (appender/slave files) or when asked to.
import type { FdfsClient } from '../client/index.js';
import { decodeFileName } from '../protocol/file-id.js';
import { splitUserFileId } from '../client/file-id-check.js';
import { formatTime } from './format.js';
import { trunkContainerName } from '../protocol/trunk-slot.js';

export interface FileInfoView {
  fileId: string;
  group: string;
  getFromServer: boolean;
  fileType: string;
  sourceStorageId: number;
  sourceIpAddress: string;
  createTimestamp: number;
  fileSize: number | null;
  crc32: number | null;
  /** Trunk IDs only: the trunk file (`Mxx/HH/HH/<id>`) and the slot inside it. */
  trunk?: { file: string; offset: number; slotSize: number };
}

export async function fileInfo(client: FdfsClient | null, fileId: string, opts: { server?: boolean; offline?: boolean }): Promise<FileInfoView> {
  const { group, logical } = splitUserFileId(fileId);
  const d = decodeFileName(logical);
  const src = d.source;
  const view: FileInfoView = {
    fileId,
    group,
    getFromServer: false,
    fileType: d.kind,
    sourceStorageId: 'serverId' in src ? src.serverId : 0,
    sourceIpAddress: 'ipv4' in src ? src.ipv4 : '',
    createTimestamp: d.timestamp,
    fileSize: d.size ?? null,
    crc32: d.kind === 'normal' || d.kind === 'trunk' ? d.crc32 : null,
  };
  if (d.trunk) {
    view.trunk = { file: `${logical.slice(0, 10)}${trunkContainerName(d.trunk.fileId)}`, offset: d.trunk.offset, slotSize: d.trunk.size };
  }
  const mustAsk = d.kind === 'appender' || d.kind === 'slave';
  if (client && !opts.offline && (opts.server || mustAsk)) {
    const s = await client.info(fileId);
    view.getFromServer = true;
    view.fileSize = s.size;
    view.createTimestamp = s.createTimestamp;
    view.crc32 = s.crc32;
    if (s.sourceIp) view.sourceIpAddress = s.sourceIp;
  }
  return view;
}

export function printFileInfo(v: FileInfoView): string {
  const lines = [
    `GET FROM SERVER: ${v.getFromServer}`,
    '',
    `file type: ${v.fileType}`,
  ];
  if (v.sourceStorageId) lines.push(`source storage id: ${v.sourceStorageId}`);
  lines.push(`source ip address: ${v.sourceIpAddress}`);
  lines.push(`file create timestamp: ${formatTime(v.createTimestamp)}`);
  lines.push(`file size: ${v.fileSize ?? 'unknown (ask the server with --server)'}`);
  if (v.crc32 !== null) lines.push(`file crc32: ${v.crc32} (0x${v.crc32.toString(16).padStart(8, '0')})`);
  if (v.trunk) lines.push(`trunk file: ${v.trunk.file}, offset ${v.trunk.offset}, slot size ${v.trunk.slotSize}`);
  return lines.join('\n');
}
