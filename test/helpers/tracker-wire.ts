// An in-process tracker on 127.0.0.1 and raw protocol peers that connect to it from chosen 127.x source
// addresses (the tracker knows storages by IP), with nothing of src/net in between: for handler tests.
import net from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { TrackerServer } from '../../src/tracker/tracker-server.js';
import { defaultTrackerConfig, parseReservedSpace, type TrackerConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/log.js';
import { FrameDecoder } from '../../src/protocol/frame-decoder.js';
import type { Header } from '../../src/protocol/header.js';
import { CommonCmd, StorageStatus } from '../../src/protocol/codes.js';
import { encodeJoinRequest, type JoinRequest } from '../../src/protocol/join.js';
import { encodeBeatRequest, encodeDiskUsageRequest } from '../../src/protocol/beat.js';
import { encodeSyncDestRequest, encodeSyncNotifyRequest } from '../../src/protocol/sync-coord.js';

export interface WireTracker {
  server: TrackerServer;
  host: string;
  port: number;
  dir: string;
  stop(): Promise<void>;
}

/** A free TCP port on 127.0.0.1 (the tracker must know its own port: JOIN bodies name it). */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => { const a = s.address() as net.AddressInfo; s.close(() => resolve(a.port)); });
  });
}

export async function startWireTracker(conf: Partial<TrackerConfig> = {}): Promise<WireTracker> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fdfs-tracker-wire-'));
  const port = await freePort();
  const server = new TrackerServer(defaultTrackerConfig({
    basePath: dir, bindAddr: '127.0.0.1', port, checkActiveInterval: 100, reservedStorageSpace: parseReservedSpace('1%'), ...conf,
  }), { log: createLogger({ level: 'silent' }) });
  await server.start();
  return {
    server, host: '127.0.0.1', port, dir,
    async stop() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface Answer { header: Header; body: Buffer }

/** A raw connection from a chosen 127.x source address: one request, one answer at a time. */
export class Peer {
  private readonly answers: Answer[] = [];
  private waiting: ((a: Answer) => void) | null = null;
  closed = false;

  private constructor(readonly ip: string, private readonly sock: net.Socket) {
    let cur: { header: Header; parts: Buffer[] } | null = null;
    const dec = new FrameDecoder({
      header: (h) => { cur = { header: h, parts: [] }; },
      body: (b) => { cur!.parts.push(Buffer.from(b)); },
      end: () => {
        const a = { header: cur!.header, body: Buffer.concat(cur!.parts) };
        cur = null;
        if (this.waiting) { const w = this.waiting; this.waiting = null; w(a); } else this.answers.push(a);
      },
    });
    sock.on('data', (b) => dec.write(b));
    sock.on('close', () => { this.closed = true; });
    sock.on('error', () => {});
  }

  static async open(t: { host: string; port: number }, ip = '127.0.0.1'): Promise<Peer> {
    await listenAsStorage(ip);
    const sock = net.connect({ host: t.host, port: t.port, localAddress: ip });
    await new Promise<void>((resolve, reject) => { sock.once('connect', resolve); sock.once('error', reject); });
    return new Peer(ip, sock);
  }

  /** Send `packet`; resolve with the answer's header and body. */
  call(packet: Buffer): Promise<Answer> {
    this.sock.write(packet);
    const queued = this.answers.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer to cmd ${packet[8]}`)), 5000);
      this.waiting = (a) => { clearTimeout(timer); resolve(a); };
    });
  }

  /** Send `packet` and expect status 0; the answer body. */
  async ok(packet: Buffer): Promise<Buffer> {
    const a = await this.call(packet);
    expect(a.header.cmd).toBe(CommonCmd.Resp);
    expect(a.header.status, `status of cmd ${packet[8]}`).toBe(0);
    return a.body;
  }

  /** Send `packet` and expect the given errno in the status byte (and an empty body). */
  async refused(packet: Buffer, errno: number): Promise<void> {
    const a = await this.call(packet);
    expect(a.header.status, `status of cmd ${packet[8]}`).toBe(errno);
    expect(a.body).toHaveLength(0);
  }

  close(): void {
    this.sock.destroy();
  }
}

const storagePorts = new Map<string, Promise<void>>();

/**
 * A listener on `ip:port`, as a storage has before it joins (the tracker checks that a new storage answers on
 * its port). One per address for the whole test process, not keeping it alive.
 */
export function listenAsStorage(ip: string, port = 23000): Promise<void> {
  const key = `${ip}:${port}`;
  let ready = storagePorts.get(key);
  if (!ready) {
    const server = net.createServer((s) => s.destroy());
    ready = new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, ip, () => { server.unref(); resolve(); });
    });
    storagePorts.set(key, ready);
  }
  return ready;
}

let subnet = 0;
/** A fresh storage source address (127.0.N.1), distinct per call within this test process. */
export function nextIp(): string {
  subnet++;
  return `127.0.${subnet}.1`;
}

export function joinRequest(t: { port: number }, over: Partial<JoinRequest> = {}): JoinRequest {
  const now = Math.floor(Date.now() / 1000);
  return {
    group: 'group1', storagePort: 23000, storePathCount: 1, subdirCountPerPath: 256, uploadPriority: 10, joinTime: now,
    upTime: now, version: '6.16.1', initFlag: true, status: StorageStatus.Init, storageId: '', currentTrackerIp: '127.0.0.1',
    trackers: [`127.0.0.1:${t.port}`], ...over,
  };
}

/** JOIN, 87, 88, one beat and a disk report: the first storage of `group` ends ACTIVE with free space. */
export async function activeStorage(t: { host: string; port: number }, group: string, usage = { totalMb: 1000, freeMb: 900 }): Promise<Peer & { group: string }> {
  const p = await Peer.open(t, nextIp());
  await p.ok(encodeJoinRequest(joinRequest(t, { group })));
  await p.ok(encodeSyncDestRequest());
  await p.ok(encodeSyncNotifyRequest({ srcId: '', untilTimestamp: 0 }));
  await p.ok(encodeBeatRequest());
  await p.ok(encodeDiskUsageRequest([usage]));
  return Object.assign(p, { group });
}
