// A real terminal for CLI tests: a tmux pane on a private server socket, driven with send-keys and
// read with capture-pane. tmuxAvailable() installs tmux when it can (root + apt-get), else says why not.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

let availability: string | true | undefined;

/** true, or the reason tmux cannot be used (then tests skip, naming it). */
export function tmuxAvailable(): true | string {
  if (availability !== undefined) return availability;
  const has = () => spawnSync('tmux', ['-V'], { encoding: 'utf8' }).status === 0;
  if (!has() && process.getuid?.() === 0) {
    spawnSync('sh', ['-c', 'apt-get install -y -qq tmux >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tmux) >/dev/null 2>&1'], { timeout: 180_000 });
  }
  availability = has() ? true : 'tmux is not installed and could not be installed (apt-get install tmux needs root and a package mirror)';
  return availability;
}

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export class TmuxPane {
  private static seq = 0;
  private static readonly sockets = new Set<string>();
  readonly name = `t${++TmuxPane.seq}`;
  // A server per pane: with one shared server, closing the last pane makes it exit while the next pane's
  // start-server may already be talking to it ("server exited unexpectedly").
  readonly socket = `fdfs-test-${process.pid}-${this.name}`;
  private readonly statusFile: string;

  /** Runs `argv` in a new detached pane of `cols`×`rows`; the pane stays after the command exits. */
  constructor(argv: string[], opts: { cwd: string; env?: Record<string, string | undefined>; cols?: number; rows?: number }) {
    // env takes its -u options before any NAME=value.
    const vars = Object.entries({ TERM: 'xterm-256color', ...opts.env });
    const env = [...vars.filter(([, v]) => v === undefined).map(([k]) => `-u ${k}`),
      ...vars.flatMap(([k, v]) => (v === undefined ? [] : [`${k}=${shellQuote(v)}`]))].join(' ');
    // tmux 3.3 neither reports a dead pane's status reliably nor keeps its screen still: the shell writes the
    // status to a file and stays (sleeping) so the screen is read as the program left it.
    this.statusFile = path.join(os.tmpdir(), `fdfs-tmux-${process.pid}-${this.name}.status`);
    rmSync(this.statusFile, { force: true });
    // `trap : INT`: Ctrl-C reaches the program (traps reset on exec) but not the shell that records its status.
    const cmd = `trap : INT; cd ${shellQuote(opts.cwd)} && env ${env} ${argv.map(shellQuote).join(' ')}; echo $? > ${shellQuote(this.statusFile)}; exec sleep 3600`;
    // remain-on-exit is set before the pane exists, so even a command that ends at once leaves its screen.
    TmuxPane.sockets.add(this.socket);
    this.tmux(['start-server', ';', 'set-option', '-g', 'remain-on-exit', 'on', ';',
      'new-session', '-d', '-s', this.name, '-x', String(opts.cols ?? 120), '-y', String(opts.rows ?? 40), 'sh', '-c', cmd]);
  }

  private tmux(args: string[]): string {
    return execFileSync('tmux', ['-L', this.socket, '-f', '/dev/null', ...args], { encoding: 'utf8' });
  }

  /** Copies everything the program writes to the terminal (escape codes included) into `file`. */
  record(file: string): void {
    this.tmux(['pipe-pane', '-t', this.name, '-o', `cat >> ${shellQuote(file)}`]);
  }

  /** Literal text (no key names), optionally followed by Enter. */
  type(text: string, enter = true): void {
    if (text) this.tmux(['send-keys', '-t', this.name, '-l', text]);
    if (enter) this.tmux(['send-keys', '-t', this.name, 'Enter']);
  }

  /** tmux key names: Enter, Down, C-c, … */
  keys(...names: string[]): void {
    this.tmux(['send-keys', '-t', this.name, ...names]);
  }

  /** The visible screen as text (trailing blanks trimmed). */
  screen(): string {
    return this.tmux(['capture-pane', '-p', '-t', this.name]).replace(/\s+$/, '');
  }

  /** The exit status once the command has ended, else null. */
  exitStatus(): number | null {
    const text = existsSync(this.statusFile) ? readFileSync(this.statusFile, 'utf8').trim() : '';
    return /^\d+$/.test(text) ? Number(text) : null;
  }

  /** Polls the screen until `re` shows (bounded); returns the screen. */
  async waitFor(re: RegExp, timeoutMs = 20_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    while (Date.now() < deadline) {
      last = this.screen();
      if (re.test(last)) return last;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`screen never showed ${re} within ${timeoutMs} ms; it shows:\n${last}`);
  }

  async waitExit(timeoutMs = 20_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const s = this.exitStatus();
      if (s !== null) return s;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`command still running after ${timeoutMs} ms; screen:\n${this.screen()}`);
  }

  close(): void {
    rmSync(this.statusFile, { force: true });
    spawnSync('tmux', ['-L', this.socket, 'kill-server']);
    TmuxPane.sockets.delete(this.socket);
  }

  /** Stops this test process's tmux servers (all its panes). */
  static killServer(): void {
    for (const socket of TmuxPane.sockets) spawnSync('tmux', ['-L', socket, 'kill-server']);
    TmuxPane.sockets.clear();
  }
}
