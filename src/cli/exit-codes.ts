// Exit codes of the fdfs CLI and the mapping from engine errors to them and to one plain line.
import {
  ErrorCode, FdfsError, StatusError, ConnectError, ConfigError, UsageError, TimeoutError, UnavailableError, NotFdfsError,
  InterruptedError, errnoName, errnoMessage, connectReason, Errno,
} from '../errors.js';

export const ExitCode = {
  Ok: 0,
  Failure: 1,
  Usage: 2,
  NotFound: 3,
  Unreachable: 4,
  Config: 5,
  Unhealthy: 6,
  /** The group exists but none of its storages is ACTIVE right now: not "not found"; try again shortly. */
  Unavailable: 7,
  /** 128 + SIGINT, as shells report a command stopped by Ctrl-C (SIGTERM: 143). */
  Interrupted: 130,
} as const;

export interface CliFailure {
  code: string;
  exit: number;
  message: string;
}

/** One plain line for a user, with a hint where a fix is obvious; never a stack trace. */
export function describeFailure(err: unknown): CliFailure {
  if (err instanceof ConnectError) {
    const hint = err.role === 'tracker'
      ? 'is `fdfs serve` running there? (choose trackers with --tracker HOST:PORT, FDFS_TRACKER or --config client.conf)'
      : 'is that server running and reachable from here?';
    return {
      code: err.code,
      exit: ExitCode.Unreachable,
      message: `cannot reach ${err.role} ${err.address} (${connectReason(err.cause)}) — ${hint}`,
    };
  }
  if (err instanceof NotFdfsError) {
    const why = err.answer === 'http' ? 'is it an HTTP port?' : 'is that the right port?';
    const what = err.role === 'server' ? 'the FastDFS protocol' : `the FastDFS ${err.role} protocol`;
    return { code: err.code, exit: ExitCode.Unreachable, message: `${err.address} does not speak ${what} (${why})` };
  }
  if (err instanceof InterruptedError) {
    return { code: err.code, exit: err.signal === 'SIGTERM' ? 143 : ExitCode.Interrupted, message: err.message };
  }
  if (err instanceof StatusError) {
    const exit = errnoName(err.errno) === 'ENOENT' ? ExitCode.NotFound : ExitCode.Failure;
    // A server's bare EACCES: its auth_policy, a key's rights, or a peer-only command (issue 14).
    const hint = err.errno === Errno.EACCES && err.message === errnoMessage(err.errno)
      ? ' — the server refused this: use a key that allows it (--key-file, or auth_key_file in client.conf), or ask its operator (auth_legacy_hosts)'
      : '';
    return { code: err.code, exit, message: `${err.message} (${errnoName(err.errno)})${hint}` };
  }
  if (err instanceof UnavailableError) return { code: err.code, exit: ExitCode.Unavailable, message: err.message };
  if (err instanceof ConfigError) return { code: err.code, exit: ExitCode.Config, message: err.message };
  if (err instanceof UsageError) return { code: err.code, exit: ExitCode.Usage, message: err.message };
  if (err instanceof TimeoutError) return { code: err.code, exit: ExitCode.Unreachable, message: err.message };
  if (err instanceof FdfsError) return { code: err.code, exit: ExitCode.Failure, message: err.message };
  const e = err as NodeJS.ErrnoException;
  if (e && typeof e === 'object' && typeof e.code === 'string' && e.message) {
    return { code: e.code, exit: ExitCode.Failure, message: e.message };
  }
  return { code: ErrorCode.Unknown, exit: ExitCode.Failure, message: String((err as Error)?.message ?? err) };
}
