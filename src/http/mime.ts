// Content-Type by file extension for the HTTP gateway: the stock mime.types file named by
// http.mime_types_filename when it exists, else a small built-in table of common types.
import { existsSync } from 'node:fs';
import { loadMimeTypes } from '../config/index.js';

/** Used when no mime.types file is there (stock installs ship one in /etc/fdfs; fdfs does not need it). */
const BUILT_IN: Record<string, string> = {
  html: 'text/html', htm: 'text/html', css: 'text/css', js: 'application/javascript', mjs: 'application/javascript',
  json: 'application/json', xml: 'text/xml', txt: 'text/plain', csv: 'text/csv', md: 'text/markdown',
  jpg: 'image/jpeg', jpeg: 'image/jpeg', png: 'image/png', gif: 'image/gif', webp: 'image/webp', bmp: 'image/bmp',
  svg: 'image/svg+xml', ico: 'image/x-icon', tif: 'image/tiff', tiff: 'image/tiff', avif: 'image/avif',
  mp3: 'audio/mpeg', ogg: 'audio/ogg', wav: 'audio/x-wav', m4a: 'audio/x-m4a', flac: 'audio/flac',
  mp4: 'video/mp4', webm: 'video/webm', flv: 'video/x-flv', mov: 'video/quicktime', avi: 'video/x-msvideo',
  mkv: 'video/x-matroska', m3u8: 'application/vnd.apple.mpegurl', ts: 'video/mp2t',
  pdf: 'application/pdf', zip: 'application/zip', gz: 'application/gzip', tgz: 'application/gzip',
  tar: 'application/x-tar', '7z': 'application/x-7z-compressed', rar: 'application/x-rar-compressed',
  doc: 'application/msword', xls: 'application/vnd.ms-excel', ppt: 'application/vnd.ms-powerpoint',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  apk: 'application/vnd.android.package-archive', wasm: 'application/wasm', woff: 'font/woff', woff2: 'font/woff2',
};

export class MimeTable {
  private constructor(private readonly map: Map<string, string>, readonly source: string) {}

  /** The file's table when it exists (a broken file is a ConfigError), else the built-in one. */
  static load(file: string | undefined): MimeTable {
    if (file && existsSync(file)) return new MimeTable(loadMimeTypes(file), file);
    return new MimeTable(new Map(Object.entries(BUILT_IN)), '(built-in)');
  }

  /** Type of `name`'s extension (case-insensitive), or undefined. */
  lookup(name: string): string | undefined {
    const dot = name.lastIndexOf('.');
    if (dot === -1 || dot === name.length - 1) return undefined;
    return this.map.get(name.slice(dot + 1).toLowerCase());
  }
}
