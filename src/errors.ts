// One tree of errors for the whole engine: stable `code` strings for callers,
// FastDFS errno values for anything that crosses the wire.

/** Linux errno values as FastDFS puts them in the status byte (never os.constants, which differs on macOS). */
export const Errno = {
  EPERM: 1,
  ENOENT: 2,
  EIO: 5,
  EAGAIN: 11,
  ENOMEM: 12,
  EACCES: 13,
  EFAULT: 14,
  EBUSY: 16,
  EEXIST: 17,
  EISDIR: 21,
  EINVAL: 22,
  ENOSPC: 28,
  ENAMETOOLONG: 36,
  ENONET: 64,
  EOPNOTSUPP: 95,
  ECONNREFUSED: 111,
  EALREADY: 114,
} as const;
export type ErrnoName = keyof typeof Errno;

const ERRNO_NAMES = new Map<number, ErrnoName>(
  Object.entries(Errno).map(([k, v]) => [v, k as ErrnoName]),
);

/** Plain-language meaning of each errno as FastDFS uses it. */
export const ERRNO_MESSAGES: Record<ErrnoName, string> = {
  EPERM: 'operation not permitted',
  ENOENT: 'not found',
  EIO: 'input/output error',
  EAGAIN: 'server not ready, try again',
  ENOMEM: 'out of memory',
  EACCES: 'permission denied',
  EFAULT: 'bad state',
  EBUSY: 'busy',
  EEXIST: 'already exists',
  EISDIR: 'is a directory',
  EINVAL: 'invalid request',
  ENOSPC: 'no space left',
  ENAMETOOLONG: 'name too long',
  ENONET: 'server not active',
  EOPNOTSUPP: 'operation not supported',
  ECONNREFUSED: 'connection refused',
  EALREADY: 'already done',
};

export function errnoName(errno: number): string {
  return ERRNO_NAMES.get(errno) ?? `errno ${errno}`;
}

export function errnoMessage(errno: number): string {
  const name = ERRNO_NAMES.get(errno);
  return name ? ERRNO_MESSAGES[name] : `error ${errno}`;
}

/** The stable `code` of every error below; StatusError's is `FDFS_ERR_<errno name>` instead. */
export const ErrorCode = {
  Protocol: 'FDFS_ERR_PROTOCOL',
  LengthMismatch: 'FDFS_ERR_LENGTH_MISMATCH',
  Config: 'FDFS_ERR_CONFIG',
  Connect: 'FDFS_ERR_CONNECT',
  Timeout: 'FDFS_ERR_TIMEOUT',
  Usage: 'FDFS_ERR_USAGE',
  TooLarge: 'FDFS_ERR_TOO_LARGE',
  PoolClosed: 'FDFS_ERR_POOL_CLOSED',
  Sync: 'FDFS_ERR_SYNC',
  Unavailable: 'FDFS_ERR_UNAVAILABLE',
  Interrupted: 'FDFS_ERR_INTERRUPTED',
  /** What the CLI reports for an error that is none of fdfs's own. */
  Unknown: 'FDFS_ERR_UNKNOWN',
} as const;

/** Root of every error fdfs throws on purpose. */
export class FdfsError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FdfsError';
    this.code = code;
  }
}

/** A non-zero status byte: raised by handlers, written by the dispatcher, read back by clients. */
export class StatusError extends FdfsError {
  readonly errno: number;
  readonly cmd?: number;
  constructor(errno: number, message?: string, cmd?: number) {
    super(`FDFS_ERR_${errnoName(errno)}`, message ?? errnoMessage(errno));
    this.name = 'StatusError';
    this.errno = errno;
    this.cmd = cmd;
  }
}

/** An invalid request (EINVAL), optionally naming the command it came with. */
export function einval(message: string, cmd?: number): StatusError {
  return new StatusError(Errno.EINVAL, message, cmd);
}

/** Bytes on the wire that do not follow the protocol. */
export class ProtocolError extends FdfsError {
  constructor(message: string) {
    super(ErrorCode.Protocol, message);
    this.name = 'ProtocolError';
  }
}

/** A stream delivered more or fewer bytes than announced. */
export class LengthMismatchError extends FdfsError {
  constructor(expected: number, actual: number) {
    super(ErrorCode.LengthMismatch, `length mismatch: expected ${expected} bytes, got ${actual}`);
    this.name = 'LengthMismatchError';
  }
}

/** A request body over a configured size limit (the HTTP upload's http.upload.max_size). */
export class TooLargeError extends FdfsError {
  constructor(message: string) {
    super(ErrorCode.TooLarge, message);
    this.name = 'TooLargeError';
  }
}

/** A configuration file or flag with a bad value; carries file:line when known. */
export class ConfigError extends FdfsError {
  constructor(message: string, readonly file?: string, readonly line?: number) {
    super(ErrorCode.Config, file ? `${file}${line ? `:${line}` : ''}: ${message}` : message);
    this.name = 'ConfigError';
  }
}

const CONNECT_REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'timed out',
  ENOTFOUND: 'unknown host',
  EAI_AGAIN: 'unknown host',
  ECONNRESET: 'connection reset',
};

/** Short reason for a failed connect ('connection refused', 'timed out', …). */
export function connectReason(cause: unknown): string {
  const e = cause as NodeJS.ErrnoException | undefined;
  if (e instanceof TimeoutError) return 'timed out';
  return (e?.code && CONNECT_REASONS[e.code]) || e?.message || 'unknown error';
}

export class ConnectError extends FdfsError {
  /** What was being reached: 'tracker', 'storage' or 'server'. */
  role = 'server';
  constructor(readonly address: string, cause?: unknown) {
    super(ErrorCode.Connect, `cannot connect to ${address} (${connectReason(cause)})`, { cause });
    this.name = 'ConnectError';
  }
}

export class TimeoutError extends FdfsError {
  /** `message` replaces the generic "<what> timed out" where the caller can say more. */
  constructor(what: string, message?: string) {
    super(ErrorCode.Timeout, message ?? `${what} timed out`);
    this.name = 'TimeoutError';
  }
}

/**
 * The tracker knows the group but none of its storages is ACTIVE right now (starting, or re-joining a restarted
 * tracker): the file may well exist. Not "not found"; try again shortly.
 */
export class UnavailableError extends FdfsError {
  constructor(message: string, readonly group = '') {
    super(ErrorCode.Unavailable, message);
    this.name = 'UnavailableError';
  }
}

/** Errors of the user's input to the client/CLI (bad file ID, bad flag). */
export class UsageError extends FdfsError {
  constructor(message: string) {
    super(ErrorCode.Usage, message);
    this.name = 'UsageError';
  }
}

/** The peer closed the connection where more bytes were due (a header, a body, or while we wrote). */
export class ConnectionClosedError extends ProtocolError {
  constructor(what: string) {
    super(`connection closed ${what}`);
    this.name = 'ConnectionClosedError';
  }
}

/** A transfer the server cut off: it closed the connection after `done` of `total` bytes went through. */
export class TransferCutError extends ConnectionClosedError {
  /** A partial file kept for a later resume, if any. */
  partial?: string;
  constructor(readonly address: string, readonly received: number, readonly total: number, readonly direction: 'download' | 'upload' = 'download') {
    super('inside a body');
    this.message = direction === 'upload'
      ? `${address} closed the connection during the upload (${received} of ${total} bytes sent)`
      : `${address} closed the connection during the transfer (${received} of ${total} bytes received)`;
    this.name = 'TransferCutError';
  }
}

/** A peer whose answer is not a FastDFS header (an HTTP server, another protocol): a wrong port. */
export class NotFdfsError extends ProtocolError {
  /** What was being reached: 'tracker', 'storage' or 'server'. */
  role = 'server';
  constructor(readonly address: string, readonly answer: 'http' | 'other' = 'other') {
    super(`${address} does not speak the FastDFS protocol`);
    this.name = 'NotFdfsError';
  }
}

/** The user stopped a transfer (SIGINT, SIGTERM) before it was complete. */
export class InterruptedError extends FdfsError {
  /** Bytes done and due, and the partial file kept for a later resume, when a download was interrupted. */
  progress?: { received: number; total: number; partial?: string };
  constructor(message: string, readonly signal: string = 'SIGINT') {
    super(ErrorCode.Interrupted, message);
    this.name = 'InterruptedError';
  }
}

/** A connection was asked of a pool after close(). */
export class PoolClosedError extends FdfsError {
  constructor(address: string) {
    super(ErrorCode.PoolClosed, `connection pool for ${address} is closed`);
    this.name = 'PoolClosedError';
  }
}

/** A replication answer that is neither success nor an expected idempotence status: retry the record later. */
export class SyncFailure extends FdfsError {
  constructor(message: string, readonly status = 0) {
    super(ErrorCode.Sync, message);
    this.name = 'SyncFailure';
  }
}
