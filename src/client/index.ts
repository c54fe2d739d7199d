// Public entry of the client library: import { FdfsClient } from 'fdfs-ts'.
export { FdfsClient, type ClientOptions, type UploadOptions, type DownloadOptions, type FileInfo } from './client.js';
export { type DownloadFileOptions } from './download-file.js';
export { type TrackerHealth } from './trackers.js';
export { type ContentOptions, type SlaveUploadOptions } from './file-ops.js';
export { type UploadSource } from './sources.js';
export { StatusError, FdfsError, UnavailableError, Errno } from '../errors.js';
export { FDFS_PROTOCOL_VERSION } from '../protocol/codes.js';
export { httpToken, httpUrl, type HttpUrlOptions } from './http-url.js';
