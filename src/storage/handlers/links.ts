// Symbolic-link files (spec §5.2, §5.5, §5.9): slaves stored as links when the tracker sets
// store_slave_file_use_link, and 20 CREATE_LINK. A link holds its target's absolute path, as stock does, so
// a stock storage given this data directory can follow and delete it; a target outside every store path
// is never followed. A link to a trunk file is a link slot in a trunk file (trunk/trunk-store.ts storeLink).
import { lstat, readlink, symlink, unlink } from 'node:fs/promises';
import path from 'node:path';
import { randomInt } from 'node:crypto';
import { Errno, StatusError } from '../../errors.js';
import { StorageCmd } from '../../protocol/codes.js';
import { encodeFileName, peekFileName, slaveFileName } from '../../protocol/file-id.js';
import { encodeUploadResponse, StorageFileCommands } from '../../protocol/storage-file.js';
import { nameSource } from '../tracker-side/identity.js';
import { checkGroup, fsStatus, nowSec, readRequest, sourceIp, type StorageCtx, type StorageRuntime } from '../runtime.js';
import { hex2, type ResolvedName } from '../store/store-paths.js';
import { isTrunkName } from '../../protocol/trunk-slot.js';
import { checkTrunkSlot } from '../trunk/slot-open.js';

const NAME_ATTEMPTS = 10;

/** Make `link` a symlink to `target` (both resolved); EEXIST when the link name is taken. */
export async function makeLink(rt: StorageRuntime, link: ResolvedName, target: ResolvedName): Promise<void> {
  try {
    await rt.paths.ensureDir(link.dir);
    await symlink(target.absPath, link.absPath);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new StatusError(Errno.EEXIST, `${link.logical} already exists`);
    throw fsStatus(err, link.logical);
  }
}

/**
 * The logical name a link file points at, or null when its target is not a file name inside one of this
 * storage's store paths (planted by hand, or a store path that moved).
 */
export async function linkTarget(rt: StorageRuntime, linkAbs: string): Promise<string | null> {
  const raw = await readlink(linkAbs);
  const abs = path.resolve(path.dirname(linkAbs), raw);
  for (let i = 0; i < rt.paths.dataDirs.length; i++) {
    const data = rt.paths.dataDirs[i]!;
    if (!abs.startsWith(data + path.sep)) continue;
    const logical = `M${hex2(i)}/${abs.slice(data.length + 1)}`;
    try {
      return rt.paths.resolve(logical).absPath === abs ? logical : null;
    } catch {
      return null;
    }
  }
  return null;
}

/** True when a delete of `logical` (a link) must remove its target too: links stored for slaves (§5.5). */
export function deletesTarget(logical: string): boolean {
  return peekFileName(logical)?.kind === 'slave';
}

/**
 * 20: make a link to `src` (a regular file here). With a master name the link is the slave name of master +
 * prefix + ext (EEXIST if taken); without one it gets a freshly generated name — a trunk name with a link slot
 * when `src` is in a trunk file. Binlog `L link src`.
 */
export async function createLink(rt: StorageRuntime, ctx: StorageCtx): Promise<void> {
  const cmd = StorageCmd.CreateLink;
  const req = await readRequest(rt, ctx, StorageFileCommands.CreateLink);
  checkGroup(rt, req.group, cmd);
  rt.stats.begin('CreateLink');
  const src = rt.paths.resolve(req.srcFilename);
  if (isTrunkName(req.srcFilename)) {
    // Stock makes a slave link to a trunk file a symlink to a path that does not exist: refused here instead.
    if (req.masterFilename) throw new StatusError(Errno.EOPNOTSUPP, `${req.srcFilename} is in a trunk file: slave links to trunk files are not supported`, cmd);
    const made = await trunkLink(rt, ctx, req.srcFilename, src.storePathIndex, req.ext);
    return linked(rt, ctx, made.logical, req.srcFilename, made.timestamp);
  }
  const st = await lstat(src.absPath).catch((err) => {
    throw fsStatus(err, req.srcFilename);
  });
  if (!st.isFile()) throw new StatusError(Errno.EINVAL, `${req.srcFilename} is not a regular file`, cmd);
  let linkLogical: string;
  if (req.masterFilename) {
    const master = rt.paths.resolve(req.masterFilename);
    if (master.storePathIndex !== src.storePathIndex) {
      throw new StatusError(Errno.EINVAL, `master store path ${master.storePathIndex} != source store path ${src.storePathIndex}`, cmd);
    }
    linkLogical = slaveFileName(req.masterFilename, req.prefix, req.ext);
    await makeLink(rt, rt.paths.resolve(linkLogical), src);
  } else {
    linkLogical = await linkUnderNewName(rt, ctx, src, st.size, req.ext);
  }
  await linked(rt, ctx, linkLogical, req.srcFilename, nowSec());
}

/** A link made: binlog `L link src`, counted, answered with the link's ID. */
async function linked(rt: StorageRuntime, ctx: StorageCtx, link: string, src: string, ts: number): Promise<void> {
  rt.binlog.append({ timestamp: ts, op: 'L', filename: link, srcFilename: src });
  rt.stats.success('CreateLink', ts);
  ctx.log.debug({ link, src }, 'link created');
  await ctx.replyPacket(encodeUploadResponse(rt.group, link));
}

/**
 * A link to a trunk file, as stock makes it: a new trunk name whose slot is a link slot ('L') holding the
 * source's logical name, in the source's store path. The source must be a live file slot (a link to a link is
 * EINVAL, as stock's "not a regular file").
 */
async function trunkLink(rt: StorageRuntime, ctx: StorageCtx, srcLogical: string, storePathIndex: number, ext: string):
  Promise<{ logical: string; timestamp: number }> {
  const cmd = StorageCmd.CreateLink;
  if (!rt.params.useTrunkFile || !rt.trunk) throw new StatusError(Errno.EINVAL, `${srcLogical} is in a trunk file and this storage does not use trunk files`, cmd);
  if (checkTrunkSlot(rt.paths, srcLogical).viaLink) throw new StatusError(Errno.EINVAL, `${srcLogical} is a link, not a regular file`, cmd);
  if (!rt.trunk.space.available()) throw new StatusError(Errno.EAGAIN, 'no trunk server known yet: no trunk space for the link', cmd);
  return rt.trunk.storeLink(rt, { ip: sourceIp(rt, ctx), ext, storePathIndex, target: srcLogical });
}

/** A generated name (§6, random CRC as stock) in the source's store path, made a link to `src`. */
async function linkUnderNewName(rt: StorageRuntime, ctx: StorageCtx, src: ResolvedName, size: number, ext: string): Promise<string> {
  const ip = sourceIp(rt, ctx);
  const { subHigh, subLow } = rt.placement.nextSubdirs(ip);
  for (let attempt = 1; ; attempt++) {
    const logical = encodeFileName({
      source: nameSource(rt, ip), timestamp: nowSec(), size, kind: 'normal', crc32: randomInt(0x7fffffff), ext,
      storePathIndex: src.storePathIndex, subHigh, subLow,
    });
    try {
      await makeLink(rt, rt.paths.resolve(logical), src);
      return logical;
    } catch (err) {
      if (!(err instanceof StatusError && err.errno === Errno.EEXIST)) throw err;
      if (attempt >= NAME_ATTEMPTS) throw new StatusError(Errno.EBUSY, 'no unique file name');
    }
  }
}

/** Remove a link's target after the link itself is gone: its own `D`, and its metadata sidecar's. */
export async function removeLinkTarget(rt: StorageRuntime, target: string, ts: number, metaSuffix: string): Promise<void> {
  const abs = rt.paths.resolve(target).absPath;
  await rt.locks.run(abs, async () => {
    const removed = await unlink(abs).then(() => true, (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return false;
      throw fsStatus(err, target);
    });
    if (removed) rt.binlog.append({ timestamp: ts, op: 'D', filename: target });
    if (await unlink(abs + metaSuffix).then(() => true, () => false)) rt.binlog.append({ timestamp: ts, op: 'D', filename: target + metaSuffix });
  });
}
