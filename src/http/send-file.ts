// One file as an HTTP response: validators (ETag, Last-Modified), preconditions and 304 via `fresh`,
// byte ranges via `range-parser` (206, multipart/byteranges, 416), HEAD, and a streamed body with backpressure.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import fresh from 'fresh';
import parseRange from 'range-parser';
import { BufferPool } from '../net/buffer-pool.js';
import { SendWindow } from '../net/send-window.js';

/** A file the gateway may send: its size and times, and streams of byte ranges. */
export interface OpenedFile {
  size: number;
  /** Last-Modified, Unix ms. */
  mtimeMs: number;
  /** Inode and inode change time (Unix ms), when on local disk: what tells one version of a file from another. */
  ino?: number;
  ctimeMs?: number;
  /** Bytes `start..end` inclusive. */
  stream(start: number, end: number): Readable;
  /** `length` bytes at `position` in one read (small bodies: cheaper than a stream); may return fewer at EOF. */
  read(position: number, length: number): Promise<Buffer>;
  /** Blocking positional read into `buf` (local files): large bodies then go out through reused buffers. */
  readInto?(buf: Buffer, position: number, length: number): number;
  close(): Promise<void>;
}

export interface SendOptions {
  /** Quoted ETag (`"…"` strong or `W/"…"` weak). */
  etag: string;
  contentType: string;
  /** Download name for Content-Disposition: attachment. */
  downloadName?: string;
  /** http.multi_range.enabled. */
  multiRange: boolean;
  /** Last-Modified when not the file's mtime (Unix ms). */
  lastModifiedMs?: number;
}

/** Bodies up to this size are read in one call and sent with the headers; larger ones are streamed. */
const SMALL_BODY = 64 << 10;

/** More ranges than this (after merging overlaps) are ignored and the whole file is sent, like nginx max_ranges. */
export const MAX_RANGES = 32;

// Files served one after another mostly share few Last-Modified seconds: the last formatted one is kept.
let lastDateSec = -1;
let lastDate = '';

export function httpDate(ms: number): string {
  const sec = Math.floor(ms / 1000);
  if (sec !== lastDateSec) {
    lastDate = new Date(sec * 1000).toUTCString();
    lastDateSec = sec;
  }
  return lastDate;
}

/** `attachment; filename="…"; filename*=UTF-8''…` with anything unsafe in the quoted form replaced. */
export function contentDisposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

function etagMatches(list: string, etag: string, weak: boolean): boolean {
  if (list.trim() === '*') return true;
  const strip = (t: string) => (weak ? t.replace(/^W\//, '') : t);
  if (!weak && etag.startsWith('W/')) return false;
  return list.split(',').some((t) => {
    const x = t.trim();
    return (weak || !x.startsWith('W/')) && strip(x) === strip(etag);
  });
}

/** 412 conditions (If-Match, If-Unmodified-Since); true when the request may proceed. */
function preconditionsHold(req: IncomingMessage, etag: string, mtimeMs: number): boolean {
  const ifMatch = req.headers['if-match'];
  if (ifMatch) return etagMatches(ifMatch, etag, false);
  const ius = req.headers['if-unmodified-since'];
  if (ius) {
    const t = Date.parse(ius);
    if (!Number.isNaN(t) && Math.floor(mtimeMs / 1000) * 1000 > t) return false;
  }
  return true;
}

/** If-Range: honour the Range only when the validator still matches (strong ETag or exact date). */
function ifRangeHolds(req: IncomingMessage, etag: string, mtimeMs: number): boolean {
  const raw = req.headers['if-range'];
  if (!raw) return true;
  const v = Array.isArray(raw) ? raw.join(', ') : raw;
  if (v.startsWith('"') || v.startsWith('W/')) return !etag.startsWith('W/') && v.trim() === etag;
  const t = Date.parse(v);
  return !Number.isNaN(t) && t === Math.floor(mtimeMs / 1000) * 1000;
}

type Ranges = Array<{ start: number; end: number }>;

/** The ranges to send, 'all' for the whole file, or 'unsatisfiable' (416). */
function pickRanges(req: IncomingMessage, size: number, o: SendOptions, mtimeMs: number): Ranges | 'all' | 'unsatisfiable' {
  const header = req.headers.range;
  if (!header || !ifRangeHolds(req, o.etag, mtimeMs)) return 'all';
  if (!/^\s*bytes\s*=/i.test(header)) return 'all'; // another unit: ignored (RFC 9110 §14.2)
  const r = parseRange(size, header.replace(/^\s*bytes\s*=/i, 'bytes='), { combine: true });
  if (r === -1 || r === -2) return 'unsatisfiable'; // malformed or nothing satisfiable: 416, as nginx does
  if (r.type !== 'bytes') return 'all';
  if (r.length > 1 && (!o.multiRange || r.length > MAX_RANGES)) return 'all';
  return r.map((x) => ({ start: x.start, end: x.end }));
}

/**
 * Answer `req` with `file` (the caller closes the file afterwards). Resolves with the file bytes sent (0 for
 * HEAD, 304, 412, 416), −1 when the transfer was cut; rejects when the stream failed.
 */
export async function sendFile(req: IncomingMessage, res: ServerResponse, file: OpenedFile, o: SendOptions): Promise<number> {
  const size = file.size;
  const mtimeMs = o.lastModifiedMs ?? file.mtimeMs;
  const lastModified = httpDate(mtimeMs);
  res.setHeader('Accept-Ranges', 'bytes');
  res.setHeader('ETag', o.etag);
  res.setHeader('Last-Modified', lastModified);
  if (!preconditionsHold(req, o.etag, mtimeMs)) {
    res.writeHead(412, { 'Content-Length': 0 }).end();
    return 0;
  }
  // Only the validators: a `Cache-Control: no-cache` (fetch adds it to conditional requests) concerns caches,
  // not the origin's evaluation of If-None-Match / If-Modified-Since (RFC 9110 §13.2.1).
  const conditional = { 'if-none-match': req.headers['if-none-match'], 'if-modified-since': req.headers['if-modified-since'] };
  if (fresh(conditional, { etag: o.etag, 'last-modified': lastModified })) {
    res.writeHead(304).end();
    return 0;
  }
  if (o.downloadName) res.setHeader('Content-Disposition', contentDisposition(o.downloadName));
  const head = req.method === 'HEAD';
  const ranges = pickRanges(req, size, o, mtimeMs);
  if (ranges === 'unsatisfiable') {
    res.writeHead(416, { 'Content-Range': `bytes */${size}`, 'Content-Length': 0 }).end();
    return 0;
  }
  if (ranges === 'all' || ranges.length === 1) {
    const { start, end } = ranges === 'all' ? { start: 0, end: size - 1 } : ranges[0]!;
    const length = end - start + 1;
    res.statusCode = ranges === 'all' ? 200 : 206;
    res.setHeader('Content-Type', o.contentType);
    res.setHeader('Content-Length', length);
    if (ranges !== 'all') res.setHeader('Content-Range', `bytes ${start}-${end}/${size}`);
    if (head || length === 0) {
      res.end();
      return 0;
    }
    if (length <= SMALL_BODY) {
      const buf = await file.read(start, length);
      // A file that shrank under us: cut the connection rather than send a short body.
      if (buf.length !== length) {
        res.destroy(new Error(`short read: ${buf.length} of ${length} bytes`));
        return -1;
      }
      res.end(buf);
      return length;
    }
    if (file.readInto) return sendInPlace(res, file.readInto, start, length);
    await pipeline(file.stream(start, end), res);
    return length;
  }
  await sendMultipart(res, file, ranges, o.contentType, head);
  return head ? 0 : ranges.reduce((n, r) => n + r.end - r.start + 1, 0);
}


/** Read buffers of large bodies, reused once the socket has taken them. */
const bodyChunks = new BufferPool(1 << 20, 16);

/** Chunks one response may have handed to its socket and not got back (the socket may take them all at once). */
const MAX_IN_FLIGHT = 4;

/**
 * `length` bytes from `start`, read in place into reused buffers, each written as soon as read and handed back
 * when the socket took it: no thread-pool round trip, stream or new buffer per chunk. −1 when the transfer was cut
 * (the client went away, or the file shrank: then the connection is closed rather than a short body sent).
 */
async function sendInPlace(res: ServerResponse, readInto: (buf: Buffer, position: number, length: number) => number,
  start: number, length: number): Promise<number> {
  const window = new SendWindow(MAX_IN_FLIGHT);
  res.on('close', window.wake);
  res.on('drain', window.wake);
  let sent = 0;
  try {
    while (sent < length) {
      while ((window.full || res.writableNeedDrain) && !res.destroyed) await window.next();
      if (res.destroyed) return -1;
      const buf = bodyChunks.take();
      const got = readInto(buf, start + sent, Math.min(buf.length, length - sent));
      if (got === 0) {
        bodyChunks.give(buf);
        res.destroy(new Error(`file shrank while being sent (${sent} of ${length} bytes)`));
        return -1;
      }
      window.taken();
      res.write(got === buf.length ? buf : buf.subarray(0, got), () => {
        bodyChunks.give(buf);
        window.back();
      });
      sent += got;
    }
    res.end();
    return length;
  } finally {
    res.off('close', window.wake);
    res.off('drain', window.wake);
  }
}

/** 206 multipart/byteranges: each part's headers, then its bytes, read one range at a time. */
async function sendMultipart(res: ServerResponse, file: OpenedFile, ranges: Ranges, type: string, head: boolean): Promise<void> {
  const boundary = randomBytes(12).toString('hex');
  const partHead = (r: { start: number; end: number }) =>
    Buffer.from(`\r\n--${boundary}\r\nContent-Type: ${type}\r\nContent-Range: bytes ${r.start}-${r.end}/${file.size}\r\n\r\n`);
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  let length = tail.length;
  for (const r of ranges) length += partHead(r).length + (r.end - r.start + 1);
  res.writeHead(206, { 'Content-Type': `multipart/byteranges; boundary=${boundary}`, 'Content-Length': length });
  if (head) {
    res.end();
    return;
  }
  async function* parts(): AsyncGenerator<Buffer> {
    for (const r of ranges) {
      yield partHead(r);
      for await (const chunk of file.stream(r.start, r.end)) yield chunk as Buffer;
    }
    yield tail;
  }
  await pipeline(Readable.from(parts()), res);
}
