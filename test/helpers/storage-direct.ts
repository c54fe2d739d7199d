// Talking to one given storage, bypassing the tracker's routing: UPLOAD_FILE, QUERY_FILE_INFO and DOWNLOAD_FILE at
// an address, and counting the files a store path holds on disk (replication tests check every member).
import { readdirSync, statSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Errno, StatusError } from '../../src/errors.js';
import { Connection } from '../../src/net/connection.js';
import { StorageCmd } from '../../src/protocol/codes.js';
import { splitFileId } from '../../src/protocol/file-id.js';
import { decodeHeader } from '../../src/protocol/header.js';
import {
  decodeQueryFileInfoResponse, decodeUploadResponse, encodeDownloadRequest, encodeQueryFileInfoRequest, encodeUploadHead, type FileInfo,
} from '../../src/protocol/storage-file.js';
import { decodeGetMetadataResponse, encodeGetMetadataRequest } from '../../src/protocol/storage-meta.js';

async function withConn<T>(address: string, fn: (c: Connection) => Promise<T>): Promise<T> {
  const [host, port] = address.split(':') as [string, string];
  const c = await Connection.connect(host, Number(port), { connectTimeout: 5, networkTimeout: 20 });
  try {
    return await fn(c);
  } finally {
    c.destroy();
  }
}

/** QUERY_FILE_INFO at `address`; null when that storage does not have the file. */
export async function fileInfoAt(address: string, fileId: string): Promise<FileInfo | null> {
  const { group, logical } = splitFileId(fileId);
  return withConn(address, async (c) => {
    try {
      const body = await c.call(encodeQueryFileInfoRequest({ group, filename: logical, notCalcCrc32: true }), { cmd: StorageCmd.QueryFileInfo });
      return decodeQueryFileInfoResponse(body);
    } catch (err) {
      if (err instanceof StatusError && err.errno === Errno.ENOENT) return null;
      throw err;
    }
  });
}

/** QUERY_FILE_INFO for many files on one connection: the IDs `address` does not have. */
export async function missingAt(address: string, fileIds: string[]): Promise<string[]> {
  return withConn(address, async (c) => {
    const missing: string[] = [];
    for (const id of fileIds) {
      const { group, logical } = splitFileId(id);
      try {
        await c.call(encodeQueryFileInfoRequest({ group, filename: logical, notCalcCrc32: true }), { cmd: StorageCmd.QueryFileInfo });
      } catch (err) {
        if (!(err instanceof StatusError && err.errno === Errno.ENOENT)) throw err;
        missing.push(id);
      }
    }
    return missing;
  });
}

/** UPLOAD_FILE of `data` (store path 0) at `address`, on a new connection; the file ID. */
export async function uploadAt(address: string, data: Buffer, ext = 'bin'): Promise<string> {
  return withConn(address, async (c) => {
    const head = encodeUploadHead(StorageCmd.UploadFile, { storePathIndex: 0, fileSize: data.length, ext });
    const { group, logical } = decodeUploadResponse(await c.call(Buffer.concat([head, data]), { cmd: StorageCmd.UploadFile }));
    return `${group}/${logical}`;
  });
}

/** DOWNLOAD_FILE of the whole file at `address` (small test files: into memory). */
export async function downloadAt(address: string, fileId: string): Promise<Buffer> {
  const { group, logical } = splitFileId(fileId);
  return withConn(address, async (c) => {
    await c.send(encodeDownloadRequest({ group, filename: logical, fileOffset: 0, downloadBytes: 0 }));
    await c.readResponseHeader(StorageCmd.DownloadFile);
    return c.readBody();
  });
}

/** GET_METADATA at `address`; null when that storage has no metadata for the file. */
export async function metadataAt(address: string, fileId: string): Promise<Record<string, string> | null> {
  const { group, logical } = splitFileId(fileId);
  return withConn(address, async (c) => {
    try {
      const body = await c.call(encodeGetMetadataRequest({ group, filename: logical }), { cmd: StorageCmd.GetMetadata });
      return { ...decodeGetMetadataResponse(body) };
    } catch (err) {
      if (err instanceof StatusError && err.errno === Errno.ENOENT) return null;
      throw err;
    }
  });
}

/** Regular, non-hidden files under `<storePath>/data/HH/HH` (temp files start with '.'). */
export function countStoredFiles(storePath: string, opts: { withMeta?: boolean } = {}): number {
  const data = path.join(storePath, 'data');
  let n = 0;
  const hex = /^[0-9A-F]{2}$/;
  for (const hi of safeList(data).filter((d) => hex.test(d))) {
    for (const lo of safeList(path.join(data, hi)).filter((d) => hex.test(d))) {
      for (const f of safeList(path.join(data, hi, lo))) {
        if (f.startsWith('.')) continue;
        if (!opts.withMeta && f.endsWith('-m')) continue;
        try {
          if (statSync(path.join(data, hi, lo, f)).isFile()) n++;
        } catch {
          // removed meanwhile
        }
      }
    }
  }
  return n;
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** What a request came to: 'ok', the errno of a StatusError, or another error's message. */
export async function outcomeOf(p: Promise<unknown>): Promise<number | string> {
  try {
    await p;
    return 'ok';
  } catch (err) {
    return err instanceof StatusError ? err.errno : (err as Error).message;
  }
}

/** Send `packet` in pieces `gapMs` apart from `from`; the status of the one answer. */
export function sendInPieces(to: { host: string; port: number }, from: string, packet: Buffer, pieces: number, gapMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: to.host, port: to.port, localAddress: from });
    const timer = setTimeout(() => { s.destroy(); reject(new Error('no answer within 10 s')); }, 10_000);
    let got = Buffer.alloc(0);
    s.on('error', reject);
    s.on('data', (b: Buffer) => {
      got = Buffer.concat([got, b]);
      if (got.length < 10) return;
      clearTimeout(timer);
      s.destroy();
      resolve(decodeHeader(got).status);
    });
    s.on('connect', async () => {
      const step = Math.ceil(packet.length / pieces);
      for (let at = 0; at < packet.length; at += step) {
        s.write(packet.subarray(at, at + step));
        await new Promise((r) => setTimeout(r, gapMs));
      }
    });
  });
}
