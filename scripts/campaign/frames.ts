// One fuzz frame on a fresh connection: written in 1–3 pieces, then read until the server closes or stays
// silent (bounded: 250 ms idle, 3 s in all).
import net from 'node:net';
import { int, type Rng } from '../../test/helpers/fuzz.js';

const IDLE_MS = 250;

export function sendFrame(host: string, port: number, bytes: Buffer, r: Rng): Promise<{ closed: boolean }> {
  const cuts = Array.from({ length: int(r, 3) }, () => int(r, bytes.length + 1)).sort((a, b) => a - b);
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    let done = false;
    let idle: NodeJS.Timeout | undefined;
    const finish = (closed: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(idle);
      clearTimeout(hard);
      s.destroy();
      resolve({ closed });
    };
    const arm = () => { clearTimeout(idle); idle = setTimeout(() => finish(false), IDLE_MS); };
    const hard = setTimeout(() => finish(false), 3000);
    s.on('data', arm);
    s.on('error', () => finish(true));
    s.on('close', () => finish(true));
    s.on('connect', () => {
      let off = 0;
      for (const c of [...cuts, bytes.length]) {
        if (c > off) s.write(bytes.subarray(off, c));
        off = Math.max(off, c);
      }
      arm();
    });
  });
}
