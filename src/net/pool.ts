// Connection pools, one per address: lend an idle connection, else open one up to `max`,
// else wait (with a timeout). Broken connections are destroyed; long-idle ones are probed.
import { Connection, type ConnectOptions } from './connection.js';
import { PoolClosedError, TimeoutError } from '../errors.js';

export interface PoolOptions extends ConnectOptions {
  /** Most open connections per address. @default 16 */
  max?: number;
  /** Close idle connections after this many seconds. @default 3600 (connection_pool_max_idle_time) */
  maxIdleTime?: number;
  /** Seconds to wait for a free connection when `max` are in use. @default connectTimeout */
  waitTimeout?: number;
  /** Probe a connection idle longer than this (ms) with ACTIVE_TEST before reuse. @default 30000 */
  probeAfterMs?: number;
}

export class Pool {
  private readonly idle: Connection[] = [];
  private readonly waiters: Array<(c: Connection | null) => void> = [];
  private open = 0;
  private closed = false;

  constructor(readonly host: string, readonly port: number, private readonly opts: PoolOptions = {}) {}

  get address(): string {
    return `${this.host}:${this.port}`;
  }

  async acquire(): Promise<Connection> {
    if (this.closed) throw new PoolClosedError(this.address);
    for (;;) {
      const c = this.idle.pop();
      if (!c) break;
      if (c.closed || c.broken) {
        this.drop(c);
        continue;
      }
      const idleMs = Date.now() - c.lastUsed;
      if (idleMs > (this.opts.maxIdleTime ?? 3600) * 1000) {
        this.drop(c);
        continue;
      }
      if (idleMs > (this.opts.probeAfterMs ?? 30_000) && !(await c.activeTest())) {
        this.drop(c);
        continue;
      }
      return c;
    }
    if (this.open < (this.opts.max ?? 16)) {
      this.open++;
      try {
        return await Connection.connect(this.host, this.port, this.opts);
      } catch (err) {
        this.open--;
        this.wakeOne();
        throw err;
      }
    }
    const waitMs = (this.opts.waitTimeout ?? this.opts.connectTimeout ?? 10) * 1000;
    const c = await new Promise<Connection | null>((resolve, reject) => {
      const timer = setTimeout(() => {
        const i = this.waiters.indexOf(give);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(new TimeoutError(`waiting for a free connection to ${this.address}`));
      }, waitMs);
      const give = (conn: Connection | null) => {
        clearTimeout(timer);
        resolve(conn);
      };
      this.waiters.push(give);
    });
    return c ?? this.acquire();
  }

  release(c: Connection): void {
    if (this.closed || c.broken || c.closed) {
      this.drop(c);
      return;
    }
    const w = this.waiters.shift();
    if (w) w(c);
    else this.idle.push(c);
  }

  /** Run fn with a pooled connection; a connection that saw any error is destroyed, not reused. */
  async use<T>(fn: (c: Connection) => Promise<T>): Promise<T> {
    const c = await this.acquire();
    try {
      const result = await fn(c);
      this.release(c);
      return result;
    } catch (err) {
      c.broken = true;
      this.release(c);
      throw err;
    }
  }

  private drop(c: Connection): void {
    c.destroy();
    this.open--;
    this.wakeOne();
  }

  private wakeOne(): void {
    const w = this.waiters.shift();
    // A freed slot: let the waiter open a new connection itself.
    w?.(null);
  }

  close(): void {
    this.closed = true;
    for (const c of this.idle.splice(0)) c.destroy();
    this.open = 0;
    for (const w of this.waiters.splice(0)) w(null);
  }
}

/** Pools keyed by 'host:port'. */
export class PoolSet {
  private readonly pools = new Map<string, Pool>();
  constructor(private readonly opts: PoolOptions = {}) {}

  get(host: string, port: number): Pool {
    const key = `${host}:${port}`;
    let p = this.pools.get(key);
    if (!p) {
      p = new Pool(host, port, this.opts);
      this.pools.set(key, p);
    }
    return p;
  }

  close(): void {
    for (const p of this.pools.values()) p.close();
    this.pools.clear();
  }
}
