// The storage's HTTP gateway, wired by the serve layer: src/http gets a file opener, the own address and the
// config from the storage's file access, so neither src/storage nor src/http imports the other.
import { StorageGateway } from '../../http/storage-gateway.js';
import { openLocalFile } from '../../http/local-file.js';
import { openFileWindow } from '../../http/file-window.js';
import type { StorageServer } from '../../storage/storage-server.js';

/** Start the gateway when storage.conf sets http.server_port (and not http.disabled); null otherwise. */
export async function startStorageHttp(storage: StorageServer): Promise<StorageGateway | null> {
  const c = storage.config;
  if (!(c.httpServerPort > 0) || c.httpDisabled) return null;
  const files = storage.files();
  const gateway = new StorageGateway(c, {
    group: files.group,
    async openFile(logical) {
      const slot = files.trunkSlot(logical);
      if (slot !== undefined) return slot && openFileWindow(slot.absPath, slot.start, slot.size, slot.mtimeMs);
      const abs = files.resolve(logical);
      const file = abs === null ? null : await openLocalFile(abs);
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
  }, storage.log);
  await gateway.start();
  // Stopped with the storage: after its tracker connections, before its listener and binlog (as before).
  storage.attach(gateway);
  return gateway;
}
