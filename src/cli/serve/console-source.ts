// The web console's view of a running tracker (src/http/console/source.ts), built here so src/http and
// src/tracker never import each other: the overview and chart rates from the tracker's model and stat history,
// file pages asked of the group's members with 22 QUERY_FILE_INFO and 15 GET_METADATA, listings with 120.
import { FdfsClient } from '../../client/index.js';
import { listFromAny } from '../../client/list-files.js';
import { Errno, StatusError } from '../../errors.js';
import type { ConsoleSource, FileReport, ReplicaState } from '../../http/console/source.js';
import { StorageCmd } from '../../protocol/codes.js';
import { decodeFileName, peekFileName, splitFileId } from '../../protocol/file-id.js';
import { httpToken } from '../../protocol/http-token.js';
import { decodeQueryFileInfoResponse, encodeQueryFileInfoRequest } from '../../protocol/storage-file.js';
import { decodeGetMetadataResponse, encodeGetMetadataRequest } from '../../protocol/storage-meta.js';
import { chartSeries, clusterOverview, groupMembers, uploadTarget } from '../../tracker/console-data.js';
import type { StatHistory } from '../../tracker/stat-history.js';
import type { TrackerServer } from '../../tracker/tracker-server.js';

export interface TrackerConsole extends ConsoleSource {
  close(): void;
}

export function trackerConsole(tracker: TrackerServer, history: StatHistory): TrackerConsole {
  const c = tracker.config;
  const rt = tracker.runtime;
  const self = () => tracker.address;
  const selfHost = () => (self().host === '0.0.0.0' || self().host === '::' ? '127.0.0.1' : self().host);
  const client = new FdfsClient({ trackers: [`${selfHost()}:${self().port}`], connectTimeout: c.connectTimeout, networkTimeout: c.networkTimeout });
  const timeouts = { connectTimeout: c.connectTimeout, networkTimeout: c.networkTimeout };

  async function file(fileId: string): Promise<FileReport> {
    let group: string;
    let logical: string;
    let info;
    try {
      ({ group, logical } = splitFileId(fileId));
      info = peekFileName(logical) ?? decodeFileName(logical);
    } catch {
      throw new StatusError(Errno.EINVAL, `"${fileId.slice(0, 200)}" is not a file ID (group/M00/HH/HH/name)`);
    }
    const members = groupMembers(rt, group);
    const replicas: ReplicaState[] = await Promise.all(members.map(async (m) => {
      const base = { id: m.id, address: `${m.ip}:${m.port}`, status: m.status };
      // Not asked: it would only cost a connect timeout.
      if (m.status === 'OFFLINE') return { ...base, present: null, error: 'storage is offline' };
      try {
        const body = await client.withStorage({ ip: m.ip, port: m.port }, (conn) => conn.call(
          encodeQueryFileInfoRequest({ group, filename: logical, notCalcCrc32: true, keepSilence: true }), { cmd: StorageCmd.QueryFileInfo }));
        return { ...base, present: true, size: decodeQueryFileInfoResponse(body).fileSize };
      } catch (err) {
        if (err instanceof StatusError && err.errno === Errno.ENOENT) return { ...base, present: false };
        return { ...base, present: null, error: (err as Error).message };
      }
    }));
    const holder = members.find((_, i) => replicas[i]!.present);
    let metadata: Record<string, string> | null = null;
    if (holder) {
      try {
        const body = await client.withStorage({ ip: holder.ip, port: holder.port }, (conn) => conn.call(
          encodeGetMetadataRequest({ group, filename: logical }), { cmd: StorageCmd.GetMetadata, maxBody: 1 << 20 }));
        metadata = Object.fromEntries(Object.entries(decodeGetMetadataResponse(body)));
      } catch (err) {
        if (!(err instanceof StatusError && err.errno === Errno.ENOENT)) throw err;
      }
    }
    const fixed = info.kind === 'normal' || info.kind === 'trunk';
    const source = 'ipv4' in info.source ? info.source.ipv4 : String(info.source.serverId);
    return {
      fileId: `${group}/${logical}`, group, name: logical, storePath: logical.slice(0, 3), kind: info.kind,
      size: info.size ?? replicas.find((r) => r.present)?.size ?? null, created: info.timestamp,
      crc32: fixed ? info.crc32.toString(16).padStart(8, '0') : null, source, replicas, metadata,
    };
  }

  return {
    overview: () => clusterOverview(rt, self()),
    charts: () => chartSeries(history),
    file,
    listFiles(group, page) {
      const members = groupMembers(rt, group).filter((m) => m.active);
      if (!members.length) throw new StatusError(Errno.ENOENT, `no ACTIVE storage in group ${group} to list its files`);
      return listFromAny(members, group, page, timeouts);
    },
    uploadTarget(group) {
      const t = uploadTarget(rt, group);
      // The HTTP port the storage reported (fdfs storages do); http.storage_server_port for stock ones.
      return { host: t.ip, port: t.httpPort || c.httpStorageServerPort };
    },
    downloadQuery(fileId) {
      if (!c.httpAntiStealCheckToken) return '';
      const ts = Math.floor(Date.now() / 1000);
      return `?token=${httpToken(splitFileId(fileId).logical, c.httpAntiStealSecretKey, ts)}&ts=${ts}`;
    },
    close: () => client.close(),
  };
}
