// Base class of the client-side commands: shared flags, lazily built client, errors as one
// plain line with an exit code (and a JSON error object under --json).
import { Command, type Interfaces } from '@oclif/core';
import { clientFlags } from './flags.js';
import { describeFailure } from './exit-codes.js';
import { createLogger, setRootLogger } from '../log.js';
import type { FdfsClient } from '../client/index.js';
import { resolveClientOptions } from './client-options.js';

export type BaseFlags<T extends typeof Command> = Interfaces.InferredFlags<(typeof FdfsCommand)['baseFlags'] & T['flags']>;

export abstract class FdfsCommand extends Command {
  static override baseFlags = clientFlags;
  static override enableJsonFlag = true;

  private clientInstance: FdfsClient | null = null;

  /** Flags common to all client commands, available after parse(). */
  protected async clientFor(flags: { tracker?: string[]; config?: string; 'log-level'?: string }): Promise<FdfsClient> {
    if (this.clientInstance) return this.clientInstance;
    setRootLogger(createLogger({ level: flags['log-level'] ?? 'warn' }));
    const { FdfsClient } = await import('../client/index.js');
    const opts = await resolveClientOptions({ trackers: flags.tracker, configFile: flags.config });
    this.clientInstance = new FdfsClient(opts);
    return this.clientInstance;
  }

  protected override async finally(err: Error | undefined): Promise<unknown> {
    this.clientInstance?.close();
    return super.finally(err);
  }

  protected override async catch(err: Error & { exitCode?: number; oclif?: { exit?: number } }): Promise<unknown> {
    // oclif's own parse/usage errors keep their formatting and exit code.
    if (err.oclif || typeof (err as { code?: unknown }).code === 'string' && String((err as { code?: unknown }).code).startsWith('EEXIT')) {
      return super.catch(err);
    }
    const f = describeFailure(err);
    if (this.jsonEnabled()) {
      this.logJson({ error: { code: f.code, message: f.message } });
    } else {
      process.stderr.write(`fdfs: ${f.message}\n`);
    }
    process.exitCode = f.exit;
    this.exit(f.exit);
  }
}
