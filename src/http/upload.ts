// POST /upload on a storage gateway (fdfs extension, off unless a secret is configured): bearer-token check,
// a size limit, the body as raw bytes or the first file part of multipart/form-data (busboy), stored by the caller.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import busboy from 'busboy';
import { StatusError, Errno, TooLargeError } from '../errors.js';
import { isValidExt } from '../protocol/file-id.js';
import { reply } from './listener.js';

export interface UploadRequest {
  /** Bytes of the file; yields an error (and stops) when the limit is passed. */
  body: AsyncIterable<Buffer>;
  /** Extension without the dot ('' = none). */
  ext: string;
  /** Exact size when the request said so (raw body with Content-Length), else null. */
  size: number | null;
  /** Upper bound for the free-space check. */
  sizeHint: number;
  /** The uploader's file name, kept as metadata (absent without one, or with `?keep_name=0`). */
  name?: string;
}

export interface UploadOptions {
  secret: string;
  maxSize: number;
  /** Store the file; resolves with its file ID. */
  store(u: UploadRequest): Promise<string>;
}

function sameSecret(given: string, secret: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(secret).digest();
  return timingSafeEqual(a, b);
}

/** The extension a name or `?ext=` asks for, validated like the binary protocol's (0–6 of [A-Za-z0-9._-]). */
function extOf(name: string | null | undefined): string | null {
  if (!name) return '';
  const dot = name.lastIndexOf('.');
  const ext = dot === -1 ? '' : name.slice(dot + 1);
  return isValidExt(ext) && !ext.startsWith('.') ? ext : null;
}

/** The name to keep as metadata: the base name given, unless `?keep_name=0` (or false/no) opts out. */
function keptName(query: URLSearchParams, given: string | null | undefined): string | undefined {
  if (/^(0|false|no)$/i.test(query.get('keep_name') ?? '')) return undefined;
  const base = given?.split(/[\\/]/).pop()?.replace(/[\x00-\x1f]/g, '').trim();
  return base ? base.slice(0, 256) : undefined;
}

/** What a refused upload may still send that is read and dropped, so the client gets to read the refusal. */
const LINGER_BYTES = 64 << 20;

/**
 * A refusal while the client may still be sending its body: read and drop the rest (up to LINGER_BYTES, then the
 * connection is cut) and keep the connection, as nginx's lingering close does. Closing at once would reset the
 * connection under the upload and the client would see a broken pipe instead of the status.
 */
function refuse(req: IncomingMessage, res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  if (req.complete || req.destroyed) {
    reply(res, status, text, { ...headers, Connection: 'close' });
    return;
  }
  let dropped = 0;
  req.on('data', (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > LINGER_BYTES) req.socket.destroy();
  });
  req.resume();
  reply(res, status, text, headers);
}

/** Count bytes through; throw TooLargeError past `max`. The request is left open (see refuse). */
async function* limited(src: Readable, max: number): AsyncGenerator<Buffer> {
  let n = 0;
  for await (const chunk of src.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
    n += chunk.length;
    if (n > max) throw new TooLargeError(`body over ${max} bytes`);
    yield chunk;
  }
}

export async function handleUpload(req: IncomingMessage, res: ServerResponse, query: URLSearchParams, o: UploadOptions): Promise<void> {
  const auth = req.headers.authorization ?? '';
  const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
  if (!m || !sameSecret(m[1]!, o.secret)) {
    refuse(req, res, 401, 'a valid "Authorization: Bearer <http.upload.secret>" header is required', { 'WWW-Authenticate': 'Bearer' });
    return;
  }
  const declared = req.headers['content-length'] === undefined ? null : Number(req.headers['content-length']);
  if (declared !== null && declared > o.maxSize) {
    refuse(req, res, 413, `body of ${declared} bytes is over http.upload.max_size (${o.maxSize})`);
    return;
  }
  try {
    const type = req.headers['content-type'] ?? '';
    const fileId = /^multipart\/form-data/i.test(type)
      ? await multipart(req, query, o, declared)
      : await raw(req, query, o, declared);
    const body = JSON.stringify({ fileId });
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) }).end(body);
  } catch (err) {
    if (err instanceof TooLargeError) refuse(req, res, 413, `over http.upload.max_size (${o.maxSize} bytes)`);
    else if (err instanceof StatusError && err.errno === Errno.EINVAL) refuse(req, res, 400, err.message);
    else if (err instanceof StatusError && err.errno === Errno.ENOSPC) refuse(req, res, 507, err.message);
    else if (err instanceof StatusError && err.errno === Errno.EAGAIN) refuse(req, res, 503, err.message);
    else throw err;
  }
}

async function raw(req: IncomingMessage, query: URLSearchParams, o: UploadOptions, declared: number | null): Promise<string> {
  const ext = extOf(query.has('ext') ? `.${query.get('ext')}` : query.get('filename'));
  if (ext === null) throw new StatusError(Errno.EINVAL, 'bad extension (0-6 characters of A-Z a-z 0-9 . _ -)');
  return o.store({ body: limited(req, o.maxSize), ext, size: declared, sizeHint: declared ?? o.maxSize, name: keptName(query, query.get('filename')) });
}

/** The first file part is stored; other fields are ignored; a second file is refused. */
function multipart(req: IncomingMessage, query: URLSearchParams, o: UploadOptions, declared: number | null): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    let bb: busboy.Busboy;
    try {
      bb = busboy({ headers: req.headers, limits: { files: 1, fileSize: o.maxSize, fields: 16, parts: 32, fieldSize: 4096 } });
    } catch (err) {
      reject(new StatusError(Errno.EINVAL, `bad multipart request: ${(err as Error).message}`));
      return;
    }
    let started = false;
    const fail = (err: Error) => {
      req.unpipe(bb);
      req.resume();
      reject(err);
    };
    bb.on('file', (_field: string, file: Readable, info: busboy.FileInfo) => {
      if (started) {
        file.resume();
        return;
      }
      started = true;
      const ext = extOf(query.has('ext') ? `.${query.get('ext')}` : info.filename);
      if (ext === null) {
        file.resume();
        fail(new StatusError(Errno.EINVAL, 'bad extension (0-6 characters of A-Z a-z 0-9 . _ -)'));
        return;
      }
      let truncated = false;
      file.on('limit', () => {
        truncated = true;
        file.destroy(new TooLargeError('file part over the limit'));
      });
      o.store({ body: file, ext, size: null, sizeHint: declared ?? o.maxSize, name: keptName(query, info.filename) })
        .then((id) => (truncated ? fail(new TooLargeError('file part over the limit')) : resolve(id)), fail);
    });
    bb.on('error', (err: Error) => fail(new StatusError(Errno.EINVAL, `bad multipart request: ${err.message}`)));
    bb.on('close', () => {
      if (!started) fail(new StatusError(Errno.EINVAL, 'no file part in the multipart body'));
    });
    req.pipe(bb);
  });
}
