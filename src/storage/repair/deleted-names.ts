// Which of some names this storage deleted, from its binlog (D, d; an R moves a name away): a repair must not
// bring back a file that was deleted here while a peer still holds it (its delete may not have reached the
// peer yet). One streaming pass over the binlog files, whatever their size.
import { createReadStream } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import readline from 'node:readline';
import { parseBinlogLine } from '../../protocol/binlog-format.js';

const BINLOG_RE = /^binlog\.\d{3}$/;

export async function deletedNames(syncDir: string, names: ReadonlySet<string>): Promise<Set<string>> {
  const deleted = new Set<string>();
  const files = (await readdir(syncDir).catch(() => [] as string[])).filter((f) => BINLOG_RE.test(f)).sort();
  for (const f of files) {
    const rl = readline.createInterface({ input: createReadStream(path.join(syncDir, f)), crlfDelay: Infinity });
    for await (const line of rl) {
      const rec = parseBinlogLine(line);
      if (!rec) continue;
      const op = rec.op.toUpperCase();
      if ((op === 'R') && 'srcFilename' in rec && names.has(rec.srcFilename)) deleted.add(rec.srcFilename);
      if (!names.has(rec.filename)) continue;
      if (op === 'D') deleted.add(rec.filename);
      else if (op === 'C' || op === 'U' || op === 'R' || op === 'L') deleted.delete(rec.filename);
    }
  }
  return deleted;
}
