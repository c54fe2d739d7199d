// The storage's HTTP gateway, wired by the serve layer: src/http gets a file opener, the own address and the
// config from the storage's file access, so neither src/storage nor src/http imports the other. With worker
// processes every worker serves the gateway (the cluster module shares its port); the owner serves none.
import type { StorageConfig } from '../../config/index.js';
import type { Logger } from '../../log.js';
import { StorageGateway } from '../../http/storage-gateway.js';
import { openLocalFile } from '../../http/local-file.js';
import type { StorageFileAccess } from '../../storage/handlers/http-files.js';
import { openFileWindow } from '../../http/file-window.js';
import type { StorageServer } from '../../storage/storage-server.js';
import { httpPortInUse } from './http-flags.js';
import type { HttpsListener } from '../../http/listener.js';
import { TlsIdentity } from '../../security/tls.js';

/** Whether storage.conf asks for the gateway (http.server_port set, not http.disabled). */
export function storageHttpWanted(c: StorageConfig): boolean {
  return c.httpServerPort > 0 && !c.httpDisabled;
}

/**
 * In the storage's first process: start the gateway when wanted, unless worker processes serve it already (then
 * their address). Null when there is none.
 */
export async function startStorageHttp(storage: StorageServer): Promise<{ address: { host: string; port: number } } | null> {
  const c = storage.config;
  if (!storageHttpWanted(c)) return null;
  if (storage.hasWorkers) {
    const address = storage.workerHttpAddress;
    return address ? { address } : null;
  }
  const gateway = await startGateway(c, storage.files(), storage.log, storage.tls?.httpsListener());
  // Stopped with the storage: after its tracker connections, before its listener and binlog (as before).
  storage.attach(gateway);
  return gateway;
}

/** In a storage worker process: the gateway on this worker's file access (null when not wanted). */
export async function startWorkerHttp(c: StorageConfig, files: StorageFileAccess, log: Logger): Promise<StorageGateway | null> {
  if (!storageHttpWanted(c)) return null;
  // Each worker holds the certificate itself (and reloads it on the SIGHUP its owner passes on).
  return startGateway(c, files, log, TlsIdentity.from(c, log)?.httpsListener());
}

async function startGateway(c: StorageConfig, files: StorageFileAccess, log: Logger, https: HttpsListener | null | undefined): Promise<StorageGateway> {
  const gateway = new StorageGateway(c, {
    group: files.group,
    async openFile(logical) {
      const slot = await files.trunkSlot(logical);
      if (slot === 'damaged') return slot;
      if (slot !== undefined) return slot && openFileWindow(slot.absPath, slot.start, slot.size, slot.mtimeMs);
      const abs = files.resolve(logical);
      const file = abs === null ? null : await openLocalFile(abs);
      if (file === null && abs !== null) files.missing(logical);
      if (!file || abs === null) return file;
      const verdict = await files.checkCopy(logical, abs, file).catch(async (err: unknown) => {
        await file.close();
        throw err;
      });
      if (verdict === 'ok') return file;
      await file.close();
      return verdict === 'repaired' ? openLocalFile(abs) : 'damaged';
    },
    sourceHost: (source) => files.sourceHost(source),
    isSelf: (host) => files.isSelf(host),
    upload: (u) => files.upload(u),
    health: () => files.health(),
    downloaded: (ok, bytes) => files.downloaded(ok, bytes),
    readSmall: (logical) => files.readSmall(logical),
  }, log, https);
  await gateway.start().catch((err: unknown) => { throw httpPortInUse(err, 'storage', c.httpServerPort); });
  return gateway;
}
