// Public entry of the client library: import { FdfsClient } from 'fdfs-ts'.
export { FdfsClient, type ClientOptions, type UploadOptions, type DownloadOptions, type FileInfo } from './client.js';
export { type TrackerHealth } from './trackers.js';
export { type UploadSource } from './sources.js';
export { StatusError, FdfsError, Errno } from '../errors.js';
