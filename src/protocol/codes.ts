// Command codes, status codes and fixed sizes of the FastDFS protocol (spec §2.3, §2.4, §8.6).

export const TrackerCmd = {
  TrackerJoinLeader: 58,
  StorageChangeStatus: 59,
  StorageGetMyIp: 60,
  TrackerGetSysFilesStart: 61,
  TrackerGetSysFilesEnd: 62,
  TrackerGetOneSysFile: 63,
  TrackerGetStatus: 64,
  TrackerPingLeader: 65,
  TrackerNotifyNextLeader: 66,
  TrackerCommitNextLeader: 67,
  TrackerNotifyReselectLeader: 68,
  StorageFetchStorageIds: 69,
  StorageGetServerId: 70,
  StorageGetStatus: 71,
  StorageFetchTrunkFid: 72,
  StorageReportTrunkFid: 73,
  StorageReportTrunkFree: 74,
  StorageParameterReq: 75,
  StorageReportStatus: 76,
  StorageChangelogReq: 77,
  StorageReportIpChanged: 78,
  StorageSyncDestQuery: 79,
  StorageJoin: 81,
  StorageBeat: 83,
  StorageReportDiskUsage: 84,
  StorageReplicaChg: 85,
  StorageSyncSrcReq: 86,
  StorageSyncDestReq: 87,
  StorageSyncNotify: 88,
  StorageSyncReport: 89,
  ServerListOneGroup: 90,
  ServerListAllGroups: 91,
  ServerListStorage: 92,
  ServerDeleteStorage: 93,
  ServerSetTrunkServer: 94,
  ServerGetLeader: 95,
  ServerTrackerClusterStat: 96,
  ServerStorageClusterStat: 97,
  ServerStorageVolumnStat: 98,
  QueryStoreWithoutGroupOne: 101,
  QueryFetchOne: 102,
  QueryUpdate: 103,
  QueryStoreWithGroupOne: 104,
  QueryFetchAll: 105,
  QueryStoreWithoutGroupAll: 106,
  QueryStoreWithGroupAll: 107,
  ServerDeleteGroup: 108,
  StorageGetGroupName: 109,
  /**
   * fdfs only, storage → tracker after JOIN: the storage's HTTP gateway port (i64). A stock tracker answers
   * EINVAL ("unknown command") and keeps the connection (§3.2); the storage then stops asking it.
   */
  FdfsStorageReportHttpPort: 200,
  /**
   * fdfs only, storage → tracker on a connection of its own: files this storage was asked for and lacks (or
   * holds again), so fetch answers (102/104/105) name another member meanwhile. Stock trackers answer EINVAL.
   */
  FdfsStorageReportMissing: 201,
  /** fdfs only, storage → tracker after JOIN: the storage's tls_port (i64); stock answers EINVAL. */
  FdfsStorageReportTlsPort: 203,
  /** fdfs only, client → tracker: every storage's address and tls_port (src/protocol/tls-ports.ts). */
  FdfsQueryTlsPorts: 204,
} as const;

export const StorageCmd = {
  ReportServerId: 9,
  UploadFile: 11,
  DeleteFile: 12,
  SetMetadata: 13,
  DownloadFile: 14,
  GetMetadata: 15,
  SyncCreateFile: 16,
  SyncDeleteFile: 17,
  SyncUpdateFile: 18,
  SyncCreateLink: 19,
  CreateLink: 20,
  UploadSlaveFile: 21,
  QueryFileInfo: 22,
  UploadAppenderFile: 23,
  AppendFile: 24,
  SyncAppendFile: 25,
  FetchOnePathBinlog: 26,
  TrunkAllocSpace: 27,
  TrunkAllocConfirm: 28,
  TrunkFreeSpace: 29,
  TrunkSyncBinlog: 30,
  TrunkGetBinlogSize: 31,
  TrunkDeleteBinlogMarks: 32,
  TrunkTruncateBinlogFile: 33,
  ModifyFile: 34,
  SyncModifyFile: 35,
  TruncateFile: 36,
  SyncTruncateFile: 37,
  RegenerateAppenderFilename: 38,
  SyncRenameFile: 40,
} as const;

/** fdfs extensions stock never sends (codes stock leaves unused); stock storages answer them EINVAL. */
export const FdfsStorageCmd = {
  /** List a group's files from one member (src/protocol/list-files.ts). */
  ListFiles: 120,
  /** Have one storage fetch named files it lacks (or holds damaged) from its peers (src/protocol/repair-files.ts). */
  RepairFiles: 121,
  /** Digests of one top-level directory's leaf directories, for anti-entropy (src/protocol/dir-digests.ts). */
  DirDigests: 122,
  /**
   * A replication sender asks whether it may pipeline: send further requests on a connection before the answers to
   * earlier ones came (fdfs answers them in order, 0 here). Empty body and answer; stock answers EINVAL and closes.
   */
  SyncPipelining: 123,
} as const;

/**
 * fdfs only, on the tracker and storage ports: the authentication handshake (src/protocol/auth.ts). Stock
 * answers EINVAL ("unknown command"), which tells a new client the server does not authenticate.
 */
export const FdfsAuthCmd = {
  Hello: 140,
  Prove: 141,
} as const;

export const CommonCmd = {
  Quit: 82,
  Resp: 100,
  ActiveTest: 111,
} as const;

/** Storage status as the tracker records it (§8.6). Numeric order matters: it is persisted and compared. */
export const StorageStatus = {
  Init: 0,
  WaitSync: 1,
  Syncing: 2,
  IpChanged: 3,
  Deleted: 4,
  Offline: 5,
  Online: 6,
  Active: 7,
  Recovery: 9,
  None: 99,
} as const;
export type StorageStatusCode = (typeof StorageStatus)[keyof typeof StorageStatus];

const STATUS_NAMES: Record<number, string> = {
  0: 'INIT', 1: 'WAIT_SYNC', 2: 'SYNCING', 3: 'IP_CHANGED', 4: 'DELETED', 5: 'OFFLINE',
  6: 'ONLINE', 7: 'ACTIVE', 9: 'RECOVERY', 99: 'NONE',
};
export function storageStatusName(status: number): string {
  return STATUS_NAMES[status] ?? `UNKNOWN(${status})`;
}

export const HEADER_SIZE = 10;
export const GROUP_NAME_MAX_LEN = 16;
export const STORAGE_ID_MAX_SIZE = 16;
export const IPV4_ADDRESS_SIZE = 16;
export const IPV6_ADDRESS_SIZE = 46;
export const IP_ADDRESS_SIZE = 46;
export const MAX_IP_PORT_SIZE = 52;
export const VERSION_SIZE = 8;
export const FILE_EXT_NAME_MAX_LEN = 6;
export const FILE_PREFIX_MAX_LEN = 16;
export const MAX_META_NAME_LEN = 64;
export const MAX_META_VALUE_LEN = 256;
export const MAX_SERVERS_EACH_GROUP = 32;
export const MAX_TRACKERS = 16;
export const LOGIC_FILE_PATH_LEN = 10;
export const FILENAME_BASE64_LENGTH = 27;
export const NORMAL_LOGIC_FILENAME_LENGTH = 44;
export const TRUNK_LOGIC_FILENAME_LENGTH = 60;
export const MAX_SERVER_ID = 0xffffff;
export const APPENDER_FLAG = 1n << 58n;
export const TRUNK_FLAG = 1n << 59n;
export const DEFAULT_TRACKER_PORT = 22122;
export const DEFAULT_STORAGE_PORT = 23000;
export const META_RECORD_SEP = 0x01;
export const META_FIELD_SEP = 0x02;
/** Size of the storage stat block of BEAT (§8.5.1). */
export const STAT_BLOCK_SIZE = 348;
/** Size of a storage brief in change notifications (§8.5.4). */
export const STORAGE_BRIEF_SIZE = 67;
/** Logical file names are shorter than this on the storage side (§3.3). */
export const MAX_LOGIC_FILENAME_LEN = 128;
/** The version string fdfs reports to peers; stock-compatible format. */
export const FDFS_PROTOCOL_VERSION = '6.16.1';
