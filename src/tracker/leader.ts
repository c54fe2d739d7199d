// Trackers as peers (spec §8.9): the peer list learned from JOIN bodies, the stock election (64 → candidate
// → 66/67), a follower's 58 + 65-every-second link to the leader (three failures → re-election), 68.
import { setTimeout as sleep } from 'node:timers/promises';
import { ConnectError, Errno, StatusError } from '../errors.js';
import type { Logger } from '../log.js';
import type { ConnectionStats } from '../net/server.js';
import { FDFS_PROTOCOL_VERSION, TrackerCmd } from '../protocol/codes.js';
import { parseIpPort } from '../protocol/join.js';
import type { TrackerStatus } from '../protocol/tracker-peer.js';
import { LeaderLink, getTrackerStatus, sendNextLeader, type PeerAddr, type PeerTimeouts } from './peer-client.js';
import type { LeaderView, PeerTrackerInfo } from './runtime.js';

/** Running time and restart interval are reported in whole multiples of this (stock: 300 s). */
export const STATUS_GRANULARITY = 300;
/** A follower that pinged within this many seconds counts as active (96). */
const ACTIVE_WITHIN = 3;
const MAX_BACKOFF_S = 10;

export interface TrackerPeer extends PeerAddr {
  key: string;
  /** Every address of the entry (dual-IP trackers are written `ip1,ip2:port`). */
  hosts: string[];
  self: boolean;
  /** As reported by the follower's 58 / 65 (leader side). */
  joined: boolean;
  upTime: number;
  version: string;
  lastHeartbeat: number;
  conn: { alloc: number; current: number; max: number };
}

export interface CandidateEntry extends TrackerStatus {
  ip: string;
  port: number;
}

/** Stock order, ascending: (if_leader, running_time, −restart_interval, ip text, port); the last one wins. */
export function compareCandidates(a: CandidateEntry, b: CandidateEntry): number {
  return (Number(a.ifLeader) - Number(b.ifLeader)) ||
    (a.runningTime - b.runningTime) ||
    (b.restartInterval - a.restartInterval) ||
    Buffer.compare(Buffer.from(a.ip), Buffer.from(b.ip)) ||
    (a.port - b.port);
}

export function pickCandidate<T extends CandidateEntry>(entries: T[]): T | undefined {
  return [...entries].sort(compareCandidates).at(-1);
}

export function trimTime(seconds: number): number {
  return Math.max(0, seconds - (seconds % STATUS_GRANULARITY));
}

export interface RelationshipOptions {
  bindAddr: string;
  port: number;
  upTime: number;
  /** last_check_time of the previous run (.tracker_status), 0 if unknown. */
  lastCheckTime: number;
  timeouts: PeerTimeouts;
  connections: ConnectionStats;
  log: Logger;
  now?: () => number;
}

export class Relationship implements LeaderView {
  epoch = 0;
  private readonly peers = new Map<string, TrackerPeer>();
  /** Followers that joined from an address no tracker list names. */
  private readonly guests = new Map<string, TrackerPeer>();
  private readonly selfIps = new Set<string>();
  private leaderKey: string | null = null;
  private selfLeader = false;
  private nextLeaderKey: string | null = null;
  private link: LeaderLink | null = null;
  private stopped = false;
  private loop: Promise<void> | null = null;
  private wake: AbortController = new AbortController();
  private readonly log: Logger;
  private readonly now: () => number;

  constructor(private readonly o: RelationshipOptions) {
    this.log = o.log;
    this.now = o.now ?? (() => Math.floor(Date.now() / 1000));
    for (const ip of o.bindAddr.split(',')) if (ip.trim()) this.selfIps.add(ip.trim());
  }

  // ---------------------------------------------------------------- LeaderView

  isLeader(): boolean {
    return this.selfLeader;
  }

  leader(localIp: string): { ip: string; port: number } | null {
    const l = this.leaderKey ? this.peers.get(this.leaderKey) : undefined;
    void localIp;
    return l ? { ip: l.ip, port: l.port } : null;
  }

  learnTrackers(trackers: string[], localIp: string, currentTrackerIp = ''): void {
    if (localIp) this.selfIps.add(localIp);
    if (currentTrackerIp) this.selfIps.add(currentTrackerIp);
    const before = this.peers.size;
    let sawSelf = false;
    for (const line of trackers) {
      const addr = parseIpPort(line.trim());
      if (!addr) continue;
      if (this.learn(addr.ip.split(','), addr.port).self) sawSelf = true;
    }
    // The storage reached us, so we are one of its trackers even if its list names us differently.
    if (!sawSelf && (currentTrackerIp || localIp)) this.learn([currentTrackerIp || localIp], this.o.port);
    if (this.peers.size === before) return;
    this.log.info({ trackers: [...this.peers.values()].map((p) => `${p.key}${p.self ? ' (self)' : ''}`) }, 'tracker peers');
    if (this.leaderKey) return;
    const [only] = this.peers.values();
    if (this.peers.size === 1 && only!.self) this.setLeader(only!, 'only tracker');
    else this.wake.abort();
  }

  status(): TrackerStatus {
    const last = this.o.lastCheckTime;
    return {
      ifLeader: this.selfLeader,
      runningTime: trimTime(this.now() - this.o.upTime),
      restartInterval: last > 0 ? trimTime(this.o.upTime - last) : 0,
    };
  }

  // ---------------------------------------------------------------- peer commands (leader side and followers)

  /** 66: remember the announced next leader; a leader told of another one steps down (EINVAL). */
  notifyNextLeader(addr: PeerAddr): void {
    const peer = this.learn([addr.ip], addr.port);
    if (this.selfLeader && !peer.self) {
      this.clearLeader(`${peer.key} announced itself as leader`);
      throw new StatusError(Errno.EINVAL, `two leaders: ${peer.key} announced while this tracker leads`, TrackerCmd.TrackerNotifyNextLeader);
    }
    this.nextLeaderKey = peer.key;
  }

  /** 67: accept the leader announced by 66. */
  commitNextLeader(addr: PeerAddr): void {
    const peer = this.learn([addr.ip], addr.port);
    if (peer.key !== this.nextLeaderKey) {
      throw new StatusError(Errno.EINVAL, `cannot commit leader ${peer.key}: not announced`, TrackerCmd.TrackerCommitNextLeader);
    }
    this.setLeader(peer, 'committed by the new leader');
  }

  /** 58 from a follower at `ip` listening on `port`; returns its key for the connection. */
  joinLeader(ip: string, req: { upTime: number; version: string; serverPort: number }): string {
    if (!this.selfLeader) throw new StatusError(Errno.EOPNOTSUPP, 'not the leader', TrackerCmd.TrackerJoinLeader);
    // A follower whose source address is not in any tracker list (e.g. an unbound loopback client) is
    // served and listed by 96, but kept out of elections.
    let peer = this.find([ip], req.serverPort);
    if (!peer) {
      const guest = this.newPeer([ip], req.serverPort);
      peer = this.guests.get(guest.key) ?? guest;
      this.guests.set(peer.key, peer);
    }
    peer.joined = true;
    peer.upTime = req.upTime;
    peer.version = req.version;
    peer.lastHeartbeat = this.now();
    this.log.info({ tracker: peer.key }, 'follower joined');
    return peer.key;
  }

  /** 65 on a connection that sent 58. */
  pinged(key: string, conn: { allocCount: number; currentCount: number; maxCount: number }): void {
    if (!this.selfLeader) throw new StatusError(Errno.EOPNOTSUPP, 'not the leader', TrackerCmd.TrackerPingLeader);
    const peer = this.peers.get(key) ?? this.guests.get(key);
    if (!peer) throw new StatusError(Errno.EINVAL, 'join the leader first', TrackerCmd.TrackerPingLeader);
    peer.conn = { alloc: conn.allocCount, current: conn.currentCount, max: conn.maxCount };
    peer.lastHeartbeat = this.now();
  }

  /** 68: a storage saw two leaders; the leader steps down and an election follows. */
  reselect(): void {
    if (!this.selfLeader) throw new StatusError(Errno.EOPNOTSUPP, 'not the leader', TrackerCmd.TrackerNotifyReselectLeader);
    this.clearLeader('asked to reselect the leader');
  }

  /** Every known tracker as 96 lists them (leader side). */
  trackers(): PeerTrackerInfo[] {
    const now = this.now();
    return [...this.peers.values(), ...this.guests.values()].map((p) => p.self ? {
      host: `${p.ip}:${p.port}`, isLeader: this.selfLeader, isActive: true,
      connectionAllocCount: this.o.connections.alloc, connectionCurrentCount: this.o.connections.current,
      connectionMaxCount: this.o.connections.max, version: FDFS_PROTOCOL_VERSION, upTime: this.o.upTime, lastHeartbeatTime: now,
    } : {
      host: `${p.ip}:${p.port}`, isLeader: p.key === this.leaderKey, isActive: p.joined && now - p.lastHeartbeat <= ACTIVE_WITHIN,
      connectionAllocCount: p.conn.alloc, connectionCurrentCount: p.conn.current, connectionMaxCount: p.conn.max,
      version: p.version, upTime: p.upTime, lastHeartbeatTime: p.joined ? p.lastHeartbeat : 0,
    });
  }

  /** The other trackers of a JOIN body's list (system-data fetch), without learning them. */
  otherTrackers(lines: string[], localIp: string, currentTrackerIp = ''): PeerAddr[] {
    const out: PeerAddr[] = [];
    for (const line of lines) {
      const addr = parseIpPort(line.trim());
      if (!addr) continue;
      const hosts = addr.ip.split(',');
      const self = addr.port === this.o.port && hosts.some((h) => h === localIp || h === currentTrackerIp || this.selfIps.has(h));
      if (!self) out.push({ ip: hosts[0]!, port: addr.port });
    }
    return out;
  }

  // ---------------------------------------------------------------- the relationship loop

  start(): void {
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake.abort();
    this.link?.close();
    await this.loop;
  }

  private async run(): Promise<void> {
    let fails = 0;
    let pause = 1;
    let epoch = this.epoch;
    while (!this.stopped) {
      if (epoch !== this.epoch) {
        epoch = this.epoch;
        fails = 0;
      }
      if (this.peers.size && !this.leaderKey) {
        try {
          await this.selectLeader();
          pause = 1;
        } catch (err) {
          this.log.debug({ err: (err as Error).message }, 'no tracker leader yet');
          pause = 1 + Math.random() * MAX_BACKOFF_S;
        }
      } else if (this.link && !this.selfLeader) {
        try {
          await this.link.ping({ allocCount: this.o.connections.alloc, currentCount: this.o.connections.current, maxCount: this.o.connections.max });
          fails = 0;
          pause = 1;
        } catch (err) {
          fails++;
          pause *= 2;
          this.log.warn({ err: (err as Error).message, fails, leader: this.leaderKey }, 'ping to the tracker leader failed');
          if (fails >= 3 && epoch === this.epoch) {
            this.clearLeader('three failed pings');
            fails = 0;
            pause = 1;
          }
        }
      } else {
        pause = 1;
      }
      if (this.stopped) break;
      // Woken while busy (new peers, a leader change): go round again at once.
      if (this.wake.signal.aborted) this.wake = new AbortController();
      else {
        await sleep(pause * 1000, undefined, { signal: this.wake.signal }).catch(() => {});
        if (this.wake.signal.aborted) this.wake = new AbortController();
      }
    }
  }

  /** One election round (spec §8.9 steps 1–4); throws while there is nothing to accept yet. */
  private async selectLeader(): Promise<void> {
    const peers = [...this.peers.values()];
    const results = await Promise.all(peers.map(async (p) => {
      if (p.self) return { peer: p, ip: p.ip, port: p.port, ...this.status() };
      try {
        return { peer: p, ip: p.ip, port: p.port, ...await getTrackerStatus(p, this.o.timeouts) };
      } catch {
        return null; // unreachable, or no groups yet (ENOENT)
      }
    }));
    const candidate = pickCandidate(results.filter((r) => r !== null));
    if (!candidate) throw new Error('no tracker answered');
    if (this.leaderKey) return; // a commit arrived meanwhile
    if (candidate.peer.self) {
      await this.announce(candidate.peer, peers);
      return;
    }
    if (!candidate.ifLeader) throw new Error(`waiting for ${candidate.peer.key} to announce itself`);
    this.setLeader(candidate.peer, 'elected');
  }

  /** 66 then 67 to every other tracker (unreachable ones skipped), then lead. */
  private async announce(self: TrackerPeer, peers: TrackerPeer[]): Promise<void> {
    const others = peers.filter((p) => !p.self);
    for (const cmd of [TrackerCmd.TrackerNotifyNextLeader, TrackerCmd.TrackerCommitNextLeader] as const) {
      if (cmd === TrackerCmd.TrackerNotifyNextLeader) this.nextLeaderKey = self.key;
      for (const p of others) {
        try {
          await sendNextLeader(p, this.o.timeouts, cmd, self);
        } catch (err) {
          if (!(err instanceof ConnectError)) throw err;
        }
      }
    }
    if (this.nextLeaderKey !== self.key) throw new StatusError(Errno.EBUSY, 'another tracker was announced meanwhile');
    this.setLeader(self, 'elected');
  }

  private setLeader(peer: TrackerPeer, why: string): void {
    this.nextLeaderKey = null;
    if (this.leaderKey === peer.key && this.selfLeader === peer.self) return;
    this.leaderKey = peer.key;
    this.selfLeader = peer.self;
    this.epoch++;
    this.link?.close();
    this.link = peer.self ? null : new LeaderLink(peer, this.o.timeouts, { upTime: this.o.upTime, port: this.o.port });
    this.log.info({ leader: peer.key, self: peer.self, why }, peer.self ? 'this tracker is the leader' : 'tracker leader');
  }

  private clearLeader(why: string): void {
    if (!this.leaderKey && !this.selfLeader) return;
    this.log.warn({ leader: this.leaderKey, why }, 'tracker leader lost');
    this.leaderKey = null;
    this.selfLeader = false;
    this.epoch++;
    this.link?.close();
    this.link = null;
    this.wake.abort();
  }

  /** The peer owning any of `hosts` at `port`. */
  private find(hosts: string[], port: number): TrackerPeer | undefined {
    for (const p of this.peers.values()) {
      if (p.port === port && hosts.some((h) => p.hosts.includes(h))) return p;
    }
    return undefined;
  }

  private newPeer(hosts: string[], port: number): TrackerPeer {
    return {
      key: `${hosts[0]!.includes(':') ? `[${hosts[0]}]` : hosts[0]}:${port}`, ip: hosts[0]!, port, hosts: [...hosts],
      self: port === this.o.port && hosts.some((h) => this.selfIps.has(h)),
      joined: false, upTime: 0, version: '', lastHeartbeat: 0, conn: { alloc: 0, current: 0, max: 0 },
    };
  }

  /** Find the peer owning any of `hosts` at `port`, or add it. */
  private learn(hosts: string[], port: number): TrackerPeer {
    const p = this.find(hosts, port);
    if (p) {
      for (const h of hosts) if (!p.hosts.includes(h)) p.hosts.push(h);
      if (!p.self && port === this.o.port && p.hosts.some((h) => this.selfIps.has(h))) p.self = true;
      return p;
    }
    const peer = this.newPeer(hosts, port);
    this.peers.set(peer.key, peer);
    return peer;
  }
}
