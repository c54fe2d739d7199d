// HTTP test clients besides fetch: raw bytes over a socket (for targets fetch would normalise, oversized or
// slow requests) and the curl binary (installed by .ci/run when missing).
import { execFile } from 'node:child_process';
import net from 'node:net';

export interface RawResult {
  status: number;
  head: string;
  body: Buffer;
  /** The server closed the connection (before `ms` ran out). */
  closed: boolean;
  ms: number;
}

/**
 * Send `request` (a string or chunks written `gapMs` apart) and collect the answer until the server closes or
 * `ms` passes. status 0 = no status line came back.
 */
export function rawHttp(host: string, port: number, request: string | Buffer | Array<string | Buffer>,
  o: { ms?: number; gapMs?: number } = {}): Promise<RawResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    const parts: Buffer[] = [];
    let done = false;
    let closed = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      s.destroy();
      const data = Buffer.concat(parts);
      const split = data.indexOf('\r\n\r\n');
      const head = (split === -1 ? data : data.subarray(0, split)).toString('latin1');
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(head);
      resolve({ status: m ? Number(m[1]) : 0, head, body: split === -1 ? Buffer.alloc(0) : data.subarray(split + 4), closed, ms: Date.now() - started });
    };
    const timer = setTimeout(finish, o.ms ?? 3000);
    s.on('data', (b: Buffer) => parts.push(b));
    s.on('error', () => {});
    s.on('close', () => {
      closed = true;
      finish();
    });
    s.on('connect', async () => {
      const chunks = Array.isArray(request) ? request : [request];
      for (const c of chunks) {
        if (done) return;
        s.write(c);
        if (o.gapMs) await new Promise((r) => setTimeout(r, o.gapMs));
      }
    });
  });
}

/** A GET request line with the minimum headers; the target is sent exactly as given. */
export function get(target: string, headers: Record<string, string> = {}, method = 'GET'): string {
  const extra = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');
  return `${method} ${target} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n${extra}\r\n`;
}

/** Run curl; resolves with its exit code and output (stdout as bytes). */
export function curl(args: string[], timeoutMs = 30_000): Promise<{ code: number; stdout: Buffer; stderr: string }> {
  return new Promise((resolve) => {
    execFile('curl', ['-sS', '--max-time', String(Math.ceil(timeoutMs / 1000)), ...args],
      { encoding: 'buffer', maxBuffer: 64 << 20, timeout: timeoutMs + 5000 }, (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0;
        resolve({ code, stdout, stderr: stderr.toString() });
      });
  });
}

/**
 * A client that vanishes mid-download: sends `request`, reads until `afterBytes` have arrived, then resets the
 * connection. Resolves with the bytes it saw and whether the server closed first (it should not have).
 */
export function vanishingGet(host: string, port: number, request: string, afterBytes: number): Promise<{ received: number; serverClosedFirst: boolean }> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    let received = 0;
    let cut = false;
    s.on('connect', () => s.write(request));
    s.on('data', (b: Buffer) => {
      received += b.length;
      if (received >= afterBytes && !cut) {
        cut = true;
        s.resetAndDestroy();
      }
    });
    s.on('error', () => {});
    s.on('close', () => resolve({ received, serverClosedFirst: !cut }));
  });
}
