// The JSON API under /api/ on the tracker's HTTP port (what the console shows, for scripts and other
// dashboards): GET /api/cluster, /api/charts, /api/file?id=, /api/groups/GROUP/files?after=&limit=&prefix=&since=,
// and POST /api/upload?group= (passed to a storage gateway with the caller's upload secret). Read-only otherwise.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Errno, StatusError } from '../../errors.js';
import { reply } from '../listener.js';
import type { ParsedTarget } from '../url-path.js';
import type { ConsoleListedFile, ConsoleSource } from './source.js';
import { proxyUpload } from './upload-proxy.js';

const PAGE_MAX = 1000;
const PAGE_DEFAULT = 100;
const GROUP_RE = /^[A-Za-z0-9]{1,16}$/;
const PREFIX_RE = /^M[0-9A-F/]{0,8}[A-Za-z0-9._-]*$/;

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store' });
  res.end(res.req.method === 'HEAD' ? undefined : text);
}

function jsonError(res: ServerResponse, status: number, message: string): void {
  json(res, status, { error: message });
}

/** StatusError → an HTTP status the API documents: 400 bad input, 404 unknown, 503 nothing to serve it. */
function statusOf(err: StatusError): number {
  if (err.errno === Errno.EINVAL) return 400;
  if (err.errno === Errno.ENOENT) return 404;
  if (err.errno === Errno.ENOSPC) return 507;
  if (err.errno === Errno.EOPNOTSUPP) return 501;
  return 503;
}

export async function handleApi(req: IncomingMessage, res: ServerResponse, t: ParsedTarget, src: ConsoleSource, timeoutSec: number): Promise<void> {
  const path = t.path;
  try {
    if (path === '/api/upload') {
      if (req.method !== 'POST') return reply(res, 405, '', { Allow: 'POST', Connection: 'close' });
      const group = t.query.get('group') || undefined;
      if (group !== undefined && !GROUP_RE.test(group)) return jsonError(res, 400, `bad group name "${group}"`);
      const q = new URLSearchParams(t.query);
      q.delete('group');
      return await proxyUpload(req, res, src.uploadTarget(group), q.toString(), timeoutSec);
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return reply(res, 405, '', { Allow: 'GET, HEAD', Connection: 'close' });
    if (path === '/api' || path === '/api/') {
      return json(res, 200, { endpoints: ['/api/cluster', '/api/charts', '/api/file?id=GROUP/M00/…', '/api/groups/GROUP/files?after=&limit=&prefix=&since=', 'POST /api/upload?group='] });
    }
    if (path === '/api/cluster') return json(res, 200, src.overview());
    if (path === '/api/charts') return json(res, 200, src.charts());
    if (path === '/api/file') {
      const id = t.query.get('id')?.trim();
      if (!id) return jsonError(res, 400, 'give the file ID: /api/file?id=group1/M00/00/00/…');
      const report = await src.file(id);
      // Through this port's entry (302 to a holder), signed when tokens are on, saved under the kept name.
      let query = src.downloadQuery(report.fileId);
      const keptName = report.metadata?.filename;
      if (keptName) query += `${query ? '&' : '?'}filename=${encodeURIComponent(keptName)}`;
      return json(res, 200, { ...report, url: `/${report.group}/${report.name}${query}` });
    }
    const files = /^\/api\/groups\/([^/]+)\/files$/.exec(path);
    if (files) return await listPage(res, files[1]!, t.query, src);
    return jsonError(res, 404, `no API ${path} (see /api/)`);
  } catch (err) {
    if (err instanceof StatusError) return jsonError(res, statusOf(err), err.message);
    throw err;
  }
}

async function listPage(res: ServerResponse, group: string, q: URLSearchParams, src: ConsoleSource): Promise<void> {
  if (!GROUP_RE.test(group)) return jsonError(res, 400, `bad group name "${group}"`);
  const limitText = q.get('limit');
  const limit = limitText === null ? PAGE_DEFAULT : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > PAGE_MAX) return jsonError(res, 400, `limit must be 1-${PAGE_MAX}`);
  const sinceText = q.get('since');
  const since = sinceText === null || sinceText === '' ? undefined : Number(sinceText);
  if (since !== undefined && !(Number.isInteger(since) && since >= 0)) return jsonError(res, 400, 'since must be Unix seconds');
  const prefix = q.get('prefix') || undefined;
  if (prefix !== undefined && !PREFIX_RE.test(prefix)) return jsonError(res, 400, `bad prefix "${prefix}" (e.g. M00/00)`);
  const after = q.get('after') || undefined;
  if (after !== undefined && (after.length > 127 || !/^[A-Za-z0-9._/-]+$/.test(after))) return jsonError(res, 400, 'bad after name');
  // One more than asked tells whether another page follows.
  const got: ConsoleListedFile[] = [];
  for await (const f of src.listFiles(group, { after, limit: limit + 1, prefix, since })) got.push(f);
  const more = got.length > limit;
  const page = got.slice(0, limit);
  json(res, 200, { group, files: page.map((f) => ({ fileId: `${group}/${f.name}`, ...f })), next: more ? page[page.length - 1]!.name : null });
}

