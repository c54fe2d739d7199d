// What each command needs when security is on: an operation of a key's rights, 'any' (any authenticated key),
// 'peer' (a server: the cluster secret) or 'free'. Commands not listed fall through to the role (EINVAL).
import { CommonCmd, FdfsStorageCmd, StorageCmd, TrackerCmd } from '../protocol/codes.js';
import type { Operation } from './rights.js';

export type Requirement = Operation | 'any' | 'peer' | 'free';
export type CommandRules = ReadonlyArray<Requirement | undefined>;

function table(entries: Array<[number, Requirement]>): CommandRules {
  const rules: Array<Requirement | undefined> = new Array(256).fill(undefined);
  for (const [cmd, need] of entries) rules[cmd] = need;
  return rules;
}

const S = StorageCmd;
export const STORAGE_RULES: CommandRules = table([
  [CommonCmd.ActiveTest, 'free'],
  [S.UploadFile, 'upload'], [S.UploadAppenderFile, 'upload'], [S.UploadSlaveFile, 'upload'], [S.CreateLink, 'upload'],
  [S.AppendFile, 'upload'], [S.ModifyFile, 'upload'], [S.TruncateFile, 'upload'], [S.RegenerateAppenderFilename, 'upload'],
  [S.DownloadFile, 'download'], [S.GetMetadata, 'download'], [S.QueryFileInfo, 'download'], [FdfsStorageCmd.ListFiles, 'download'],
  [S.DeleteFile, 'delete'],
  [S.SetMetadata, 'metadata'],
  [FdfsStorageCmd.RepairFiles, 'admin'],
  ...[S.ReportServerId, S.SyncCreateFile, S.SyncDeleteFile, S.SyncUpdateFile, S.SyncCreateLink, S.SyncAppendFile,
    S.FetchOnePathBinlog, S.SyncModifyFile, S.SyncTruncateFile, S.SyncRenameFile, FdfsStorageCmd.DirDigests,
    FdfsStorageCmd.SyncPipelining,
    // Trunk space and trunk binlog between a group's storages.
    S.TrunkAllocSpace, S.TrunkAllocConfirm, S.TrunkFreeSpace, S.TrunkSyncBinlog, S.TrunkGetBinlogSize,
    S.TrunkDeleteBinlogMarks, S.TrunkTruncateBinlogFile].map((c): [number, Requirement] => [c, 'peer']),
]);

const T = TrackerCmd;
export const TRACKER_RULES: CommandRules = table([
  [CommonCmd.ActiveTest, 'free'],
  // Trackers ask each other these while electing a leader; they tell nothing about files.
  [T.TrackerGetStatus, 'free'], [T.ServerGetLeader, 'free'],
  [T.QueryStoreWithoutGroupOne, 'upload'], [T.QueryStoreWithGroupOne, 'upload'],
  [T.QueryStoreWithoutGroupAll, 'upload'], [T.QueryStoreWithGroupAll, 'upload'],
  [T.QueryFetchOne, 'download'], [T.QueryFetchAll, 'download'],
  // Asked before a delete, a metadata change or an append: the storage checks the operation.
  [T.QueryUpdate, 'any'],
  [T.ServerListOneGroup, 'any'], [T.ServerListAllGroups, 'any'], [T.ServerListStorage, 'any'],
  [T.ServerTrackerClusterStat, 'any'], [T.ServerStorageClusterStat, 'any'], [T.ServerStorageVolumnStat, 'any'],
  [T.FdfsQueryTlsPorts, 'any'],
  [T.ServerDeleteStorage, 'admin'], [T.ServerDeleteGroup, 'admin'], [T.ServerSetTrunkServer, 'admin'],
  // Storage → tracker and tracker → tracker.
  ...[T.TrackerJoinLeader, T.StorageChangeStatus, T.StorageGetMyIp, T.TrackerGetSysFilesStart, T.TrackerGetSysFilesEnd,
    T.TrackerGetOneSysFile, T.TrackerPingLeader, T.TrackerNotifyNextLeader, T.TrackerCommitNextLeader,
    T.TrackerNotifyReselectLeader, T.StorageFetchStorageIds, T.StorageGetServerId, T.StorageGetStatus, T.StorageFetchTrunkFid,
    T.StorageReportTrunkFid, T.StorageReportTrunkFree, T.StorageParameterReq, T.StorageReportStatus, T.StorageChangelogReq,
    T.StorageReportIpChanged, T.StorageSyncDestQuery, T.StorageJoin, T.StorageBeat, T.StorageReportDiskUsage,
    T.StorageReplicaChg, T.StorageSyncSrcReq, T.StorageSyncDestReq, T.StorageSyncNotify, T.StorageSyncReport,
    T.StorageGetGroupName, T.FdfsStorageReportHttpPort, T.FdfsStorageReportTlsPort, T.FdfsStorageReportMissing].map((c): [number, Requirement] => [c, 'peer']),
]);
