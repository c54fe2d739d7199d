// POST /api/upload from the console: the body and its Authorization (the storages' http.upload.secret) are
// streamed unchanged to the gateway of the storage the tracker picks, and its answer comes back unchanged.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { reply } from '../listener.js';

const PASSED = ['authorization', 'content-type', 'content-length'];

export async function proxyUpload(req: IncomingMessage, res: ServerResponse, target: { host: string; port: number },
  query: string, timeoutSec: number): Promise<void> {
  const headers: http.OutgoingHttpHeaders = { host: `${target.host}:${target.port}`, connection: 'close' };
  for (const h of PASSED) if (req.headers[h] !== undefined) headers[h] = req.headers[h];
  const up = http.request({ host: target.host, port: target.port, method: 'POST', path: `/upload${query ? `?${query}` : ''}`, agent: false, headers });
  up.setTimeout(Math.max(timeoutSec, 1) * 1000, () => up.destroy(new Error('storage gateway timed out')));
  const answer = new Promise<IncomingMessage>((resolve, reject) => {
    up.once('response', resolve);
    up.once('error', reject);
  });
  // The gateway may answer before the whole body is sent (401, 413): its answer is what counts.
  void pipeline(req, up).catch(() => undefined);
  let upstream: IncomingMessage;
  try {
    upstream = await answer;
  } catch (err) {
    up.destroy();
    return reply(res, 502, `the storage gateway ${target.host}:${target.port} cannot take the upload: ${(err as Error).message}`, { Connection: 'close' });
  }
  // A POST to a gateway without http.upload.secret falls through to its download handling: 405.
  if (upstream.statusCode === 405) {
    upstream.resume();
    return reply(res, 404, 'HTTP upload is not enabled on the storages (set http.upload.secret in their storage.conf)', { Connection: 'close' });
  }
  const out: http.OutgoingHttpHeaders = {};
  for (const h of ['content-type', 'content-length', 'www-authenticate']) if (upstream.headers[h] !== undefined) out[h] = upstream.headers[h];
  res.writeHead(upstream.statusCode ?? 502, out);
  await pipeline(upstream, res);
}
