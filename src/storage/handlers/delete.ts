// 12 DELETE_FILE (spec §5.5): remove the file and its `-m` metadata sidecar, one binlog `D` record for each;
// ENOENT when the file does not exist. A slave stored as a link takes its target with it.
import { lstat, unlink } from 'node:fs/promises';
import { Errno, StatusError } from '../../errors.js';
import { StorageCmd } from '../../protocol/codes.js';
import { StorageFileCommands } from '../../protocol/storage-file.js';
import { deletesTarget, linkTarget, removeLinkTarget } from './links.js';
import { checkGroup, fsStatus, nowSec, readRequest, type StorageCtx, type StorageRuntime } from '../runtime.js';
import { isTrunkName } from '../../protocol/trunk-slot.js';
import { deleteTrunkFile } from '../trunk/read-handlers.js';

import { METADATA_SUFFIX as META_SUFFIX } from '../../protocol/file-id.js';

export { META_SUFFIX };

export async function deleteFile(rt: StorageRuntime, ctx: StorageCtx): Promise<void> {
  const req = await readRequest(rt, ctx, StorageFileCommands.DeleteFile);
  checkGroup(rt, req.group, StorageCmd.DeleteFile);
  rt.stats.begin('Delete');
  const target = rt.paths.resolve(req.filename);
  if (isTrunkName(req.filename)) return deleteTrunkFile(rt, req.filename, target.absPath, rt.trunk);
  let linkedTo: string | null = null;
  let isLink = false;
  await rt.locks.run(target.absPath, async () => {
    try {
      const st = await lstat(target.absPath);
      if (st.isDirectory()) throw new StatusError(Errno.EISDIR, `${req.filename} is a directory`);
      isLink = st.isSymbolicLink();
      if (isLink && deletesTarget(req.filename)) linkedTo = await linkTarget(rt, target.absPath);
      await unlink(target.absPath);
    } catch (err) {
      throw fsStatus(err, req.filename);
    }
    const ts = nowSec();
    rt.binlog.append({ timestamp: ts, op: 'D', filename: req.filename });
    const removedMeta = await unlink(target.absPath + META_SUFFIX).then(() => true, () => false);
    if (removedMeta) rt.binlog.append({ timestamp: ts, op: 'D', filename: req.filename + META_SUFFIX });
    if (linkedTo) await removeLinkTarget(rt, linkedTo, ts, META_SUFFIX);
    rt.stats.success('Delete', ts);
    if (isLink) {
      rt.stats.begin('DeleteLink');
      rt.stats.success('DeleteLink', ts);
    }
  });
}
