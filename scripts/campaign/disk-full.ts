// Disk full, done safely: a cluster of its own whose tracker reserves more space than any real disk has free.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { Connection } from '../../src/net/connection.js';
import { StorageCmd } from '../../src/protocol/codes.js';
import { encodeUploadHead } from '../../src/protocol/storage-file.js';
import { startStorage, startTracker, waitAllActive, waitFor, type StorageHandle } from '../../test/helpers/cluster.js';
import { clientFor, launch } from './cluster.js';
import type { Ctx } from './faults.js';
import { errorKind } from './ledger.js';
import type { Row } from './report.js';

/** Files under <store path>/data/HH/HH, published or temporary (dot-named). */
function storedFiles(s: StorageHandle): string[] {
  const data = path.join(s.dir, 'data');
  const hex = /^[0-9A-F]{2}$/;
  const out: string[] = [];
  for (const hi of readdirSync(data).filter((d) => hex.test(d))) {
    for (const lo of readdirSync(path.join(data, hi)).filter((d) => hex.test(d))) out.push(...readdirSync(path.join(data, hi, lo)));
  }
  return out;
}

async function rawUpload(s: StorageHandle, body: Buffer): Promise<string> {
  const c = await Connection.connect(s.host, s.port, { connectTimeout: 2, networkTimeout: 5 });
  try {
    await c.send(encodeUploadHead(StorageCmd.UploadFile, { storePathIndex: 0, fileSize: body.length, ext: 'bin' }));
    await c.send(body);
    await c.readResponseHeader(StorageCmd.UploadFile);
    await c.readBody();
    return 'accepted';
  } catch (err) {
    return errorKind(err);
  } finally {
    c.destroy();
  }
}

/**
 * 7. Disk full, done safely: a tracker of its own with reserved_storage_space = 99.9% (no real disk has that
 * free) and a storage under it. Every upload, through the tracker or straight to the storage, must be refused
 * with ENOSPC and leave no file, whole or half-written.
 */
export async function diskFull(x: Ctx): Promise<Row> {
  const tracker = await launch(x.c.all, () => startTracker({ conf: { reserved_storage_space: '99.9%' } }));
  const storage = await launch(x.c.all, () => startStorage({ trackers: [tracker.address] }));
  const client = clientFor([tracker]);
  const errors = new Map<string, number>();
  let accepted = 0;
  const t0 = Date.now();
  try {
    await waitAllActive(client, [storage], x.plan.waitMs);
    for (let i = 0; i < x.plan.fullAttempts; i++) {
      const body = Buffer.alloc(i % 2 ? 1 << 20 : 4096, i);
      let kind: string;
      if (i % 4 === 3) kind = await rawUpload(storage, body);
      else kind = await client.upload(body, { ext: 'bin' }).then(() => 'accepted', errorKind);
      if (kind === 'accepted') accepted++;
      else errors.set(kind, (errors.get(kind) ?? 0) + 1);
    }
  } finally {
    client.close();
  }
  const left = await waitFor('no temp file', async () => storedFiles(storage).length === 0, 10_000, 200).then(() => 0, () => storedFiles(storage).length);
  const wrong = [...errors.keys()].filter((k) => k !== 'ENOSPC');
  const failure = [
    accepted ? `${accepted} uploads accepted` : '', left ? `${left} files left on the full storage` : '',
    wrong.length ? `refused with ${wrong.join(', ')} instead of ENOSPC` : '',
  ].filter(Boolean).join(', ') || undefined;
  return {
    fault: 'disk full (reserved_storage_space = 99.9%)', rounds: '1',
    load: `${accepted} / ${x.plan.fullAttempts} (refusal expected); ${left} files left`,
    errors, recover: `refused in ${((Date.now() - t0) / x.plan.fullAttempts).toFixed(0)} ms each`, lost: 0, corrupt: 0, failure,
  };
}
