// Base classes of every command: errors as one plain line with an exit code (a JSON error object under
// --json); client commands add the shared flags and a lazily built client.
import { Command, type Interfaces } from '@oclif/core';
import { clientFlags } from './flags.js';
import { describeFailure } from './exit-codes.js';
import { createLogger, setRootLogger } from '../log.js';
import type { FdfsClient } from '../client/index.js';
import { resolveClientOptions } from './client-options.js';

export type BaseFlags<T extends typeof Command> = Interfaces.InferredFlags<(typeof FdfsCommand)['baseFlags'] & T['flags']>;

type CaughtError = Error & { exitCode?: number; oclif?: { exit?: number } };

/** Any fdfs command, servers included: maps engine errors to one line and an exit code. */
export abstract class BaseCommand extends Command {
  /** Starts the one-line error message: `fdfs: …`, `fdfs serve: …`. */
  protected errorPrefix = 'fdfs';

  protected override async catch(err: CaughtError): Promise<unknown> {
    // oclif's own parse/usage errors keep their formatting and exit code.
    if (err.oclif || typeof (err as { code?: unknown }).code === 'string' && String((err as { code?: unknown }).code).startsWith('EEXIT')) {
      return super.catch(err);
    }
    const f = describeFailure(err);
    if (this.jsonEnabled()) {
      this.logJson({ error: { code: f.code, message: f.message } });
    } else {
      process.stderr.write(`${this.errorPrefix}: ${f.message}\n`);
    }
    process.exitCode = f.exit;
    this.exit(f.exit);
  }
}

/** Client-side commands: --tracker, --config, --log-level and --json. */
export abstract class FdfsCommand extends BaseCommand {
  static override baseFlags = clientFlags;
  static override enableJsonFlag = true;

  private clientInstance: FdfsClient | null = null;

  /** Flags common to all client commands, available after parse(). */
  protected async clientFor(flags: { tracker?: string[]; config?: string; timeout?: number; 'key-file'?: string; 'tls-ca'?: string; 'tls-cert'?: string; 'tls-key'?: string; 'log-level'?: string }): Promise<FdfsClient> {
    if (this.clientInstance) return this.clientInstance;
    setRootLogger(createLogger({ level: flags['log-level'] ?? 'warn' }));
    const { FdfsClient } = await import('../client/index.js');
    const opts = await resolveClientOptions({ trackers: flags.tracker, configFile: flags.config, timeout: flags.timeout, keyFile: flags['key-file'],
      tlsCa: flags['tls-ca'], tlsCert: flags['tls-cert'], tlsKey: flags['tls-key'] });
    if (opts.key) {
      // Connections opened outside the client's pools (ls, verify) prove the key too.
      const [{ setDefaultAuthenticate }, { keyAuthenticator }] = await Promise.all([import('../net/connection.js'), import('../security/client-auth.js')]);
      setDefaultAuthenticate(keyAuthenticator(opts.key));
    }
    this.clientInstance = new FdfsClient(opts);
    if (opts.tls) {
      // Storages reached outside the client's pools (ls, verify) go to their advertised TLS port too.
      const { setDefaultTlsRoute } = await import('../net/connection.js');
      const client = this.clientInstance;
      setDefaultTlsRoute(async (host, port) => ({ port: await client.tlsPortOf({ ip: host, port }), tls: opts.tls! }));
    }
    return this.clientInstance;
  }

  protected override async finally(err: Error | undefined): Promise<unknown> {
    this.clientInstance?.close();
    return super.finally(err);
  }
}
