// What the HTTP gateway (src/http) gets from a storage: files opened through StorePaths (so every name is checked
// again), source addresses of names, and HTTP uploads through the same storeNewFile path as 11 UPLOAD_FILE.
import type { StorageFiles } from '../../http/storage-gateway.js';
import { openLocalFile } from '../../http/local-file.js';
import { StatusError } from '../../errors.js';
import { sourceAddress } from '../tracker-side/identity.js';
import { sourceIp, type StorageRuntime } from '../runtime.js';
import { storeNewFile } from './upload.js';

export function storageFiles(rt: () => StorageRuntime, ownIp: () => string): StorageFiles {
  return {
    group: rt().group,
    async openFile(logical) {
      let abs: string;
      try {
        abs = rt().paths.resolve(logical).absPath;
      } catch (err) {
        // e.g. a store path index beyond store_path_count: not a file of this storage
        if (err instanceof StatusError) return null;
        throw err;
      }
      // Not counted in storage_stat.dat: stock storages never saw the nginx module's downloads either.
      return openLocalFile(abs);
    },
    sourceHost: (source) => sourceAddress(rt(), source),
    isSelf: (host) => host === ownIp(),
    async upload(u) {
      const r = rt();
      r.stats.begin('Upload');
      const { logical } = await storeNewFile(r, {
        ip: sourceIp(r), ext: u.ext, storePathIndex: -1, appender: false, size: u.size, sizeHint: u.sizeHint, body: u.body,
        log: r.log,
      });
      return `${r.group}/${logical}`;
    },
    health: () => ({ ip: ownIp() }),
  };
}
