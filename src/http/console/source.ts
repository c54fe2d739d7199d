// What the web console and its JSON API need from the tracker they run on (built in src/cli/serve from the
// tracker's model, its stat history and a client; src/http never imports a role).

/** One listed file (the storage's 120 LIST_FILES line). */
export interface ConsoleListedFile {
  name: string;
  size: number;
  time: number;
  crc32: string | null;
  filename?: string;
}

/** One member of a file's group, and whether it holds the file now. */
export interface ReplicaState {
  id: string;
  address: string;
  status: string;
  /** true: it has the file; false: it answered that it does not; null: it could not be asked. */
  present: boolean | null;
  size?: number;
  error?: string;
}

export interface FileReport {
  fileId: string;
  group: string;
  /** `Mxx/HH/HH/name`. */
  name: string;
  storePath: string;
  kind: string;
  /** From the name (normal files), or as a holding storage reports it. */
  size: number | null;
  created: number;
  crc32: string | null;
  /** The storage the name says it was uploaded to (id or IP). */
  source: string;
  replicas: ReplicaState[];
  /** null when the file has none. */
  metadata: Record<string, string> | null;
}

export interface ListPage {
  after?: string;
  limit: number;
  prefix?: string;
  since?: number;
}

export interface ConsoleSource {
  /** The cluster now (JSON-ready). */
  overview(): object;
  /** Rates of the last hour (JSON-ready). */
  charts(): object;
  /** Where a file lives, its replicas and metadata; throws StatusError (EINVAL bad ID, ENOENT no group). */
  file(fileId: string): Promise<FileReport>;
  /** A page of a group's files from one ACTIVE member; throws StatusError. */
  listFiles(group: string, page: ListPage): AsyncIterable<ConsoleListedFile>;
  /** Where a browser upload goes (storage IP and its gateway port); throws StatusError. */
  uploadTarget(group?: string): { host: string; port: number };
  /** http.anti_steal settings: a token for download links when they are on. */
  downloadQuery(fileId: string): string;
}
