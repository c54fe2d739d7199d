// Spawning the fdfs executable under test (FDFS_BIN picks another build, e.g. the single executable).
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Command and leading args that run `fdfs`. */
export function fdfsCommand(): { cmd: string; args: string[] } {
  const bin = process.env.FDFS_BIN;
  if (bin) return { cmd: bin, args: [] };
  return { cmd: process.execPath, args: [path.join(ROOT, 'bin/run.js')] };
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  input?: Buffer | string;
  env?: Record<string, string | undefined>;
  cwd?: string;
  timeoutMs?: number;
  /** Keep stdout as raw bytes. */
  raw?: boolean;
}

/** Run `fdfs ...args` to completion. */
export function runCli(args: string[], opts: RunOptions = {}): Promise<CliResult & { stdoutBytes: Buffer }> {
  const { cmd, args: pre } = fdfsCommand();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, [...pre, ...args], {
      cwd: opts.cwd ?? ROOT,
      env: { ...process.env, FDFS_TRACKER: undefined, ...opts.env } as NodeJS.ProcessEnv,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const stdoutBytes = Buffer.concat(out);
      resolve({ code: code ?? -1, stdout: stdoutBytes.toString(), stderr: Buffer.concat(err).toString(), stdoutBytes });
    });
    if (opts.input !== undefined) child.stdin.end(opts.input);
    else child.stdin.end();
  });
}

/** A long-running `fdfs serve` child with its output captured. */
export class ServerProcess {
  child: ChildProcess | null = null;
  output = '';
  private exitPromise: Promise<number | null> | null = null;

  constructor(readonly name: string, readonly args: string[], readonly cwd = ROOT, readonly env: Record<string, string> = {}) {}

  /** Start and wait for the "ready" line on stdout. */
  async start(timeoutMs = 20_000): Promise<void> {
    const { cmd, args: pre } = fdfsCommand();
    const child = spawn(cmd, [...pre, ...this.args], {
      cwd: this.cwd,
      env: { ...process.env, FDFS_LOG_LEVEL: process.env.FDFS_TEST_LOG_LEVEL ?? 'info', ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.exitPromise = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.name} not ready after ${timeoutMs} ms:\n${this.tail()}`)), timeoutMs);
      const onData = (b: Buffer) => {
        this.output += b.toString();
        if (/^ready\b/m.test(this.output)) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', (b: Buffer) => {
        this.output += b.toString();
        if (this.output.length > 4 << 20) this.output = this.output.slice(-(1 << 20));
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`${this.name} exited with ${code} before ready:\n${this.tail()}`));
      });
    });
  }

  tail(lines = 40): string {
    return this.output.split('\n').slice(-lines).join('\n');
  }

  get running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** SIGTERM and wait for exit (SIGKILL after a grace period). */
  async stop(graceMs = 5000): Promise<number | null> {
    if (!this.running) return this.child?.exitCode ?? null;
    this.child!.kill('SIGTERM');
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), graceMs);
    const code = await this.exitPromise;
    clearTimeout(timer);
    return code;
  }

  /** kill -9. */
  async kill(): Promise<void> {
    if (!this.running) return;
    this.child!.kill('SIGKILL');
    await this.exitPromise;
  }
}
