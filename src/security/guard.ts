// Server side of authentication (issue 14): per connection, the handshake (140/141) and the check of each
// command against what the connection proved. Built once per connection; with security off no guard exists.
import { randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import { TLSSocket } from 'node:tls';
import type { AllowHosts, SecuritySettings, TlsSettings } from '../config/index.js';
import { Errno, StatusError } from '../errors.js';
import type { Logger } from '../log.js';
import { setDefaultAuthenticate } from '../net/connection.js';
import type { FrameSocket } from '../net/frame-socket.js';
import type { Dispatch, RequestContext } from '../net/server.js';
import {
  authMac, CLUSTER_KEY_ID, decodeHelloRequest, encodeHelloAnswer, MAC_SIZE, MAX_KEY_ID, NONCE_SIZE, newNonce, sameMac, type Transcript,
} from '../protocol/auth.js';
import { FdfsAuthCmd } from '../protocol/codes.js';
import type { CommandRules, Requirement } from './command-rules.js';
import { KeyStore, loadClusterSecrets } from './keys.js';
import { keyAuthenticator } from './client-auth.js';
import { onSighup } from './sighup.js';
import type { Rights } from './rights.js';

/** What the guard reads of a tracker.conf / storage.conf. */
type GuardSettings = SecuritySettings & Pick<TlsSettings, 'clusterTls'>;

/** A port's security settings, loaded (keys file, cluster secret). */
export class PortSecurity {
  readonly keys: KeyStore | null;
  /** Current first; read again on SIGHUP. */
  clusterSecrets: Buffer[] | null;

  private constructor(readonly settings: GuardSettings, private readonly log: Logger) {
    this.keys = settings.authKeysFile ? new KeyStore(settings.authKeysFile, (err) => log.error({ err: err.message }, 'keys file not reloaded, the previous keys stay')) : null;
    this.clusterSecrets = settings.clusterSecretFile ? loadClusterSecrets(settings.clusterSecretFile) : null;
    for (const file of [settings.authKeysFile, settings.clusterSecretFile]) {
      if (file && (statSync(file).mode & 0o077) !== 0) log.warn({ file }, 'secrets file readable by other users: chmod 600 it');
    }
  }

  /** Null when nothing is turned on: the server then runs exactly as without this code. */
  static from(settings: GuardSettings, log: Logger): PortSecurity | null {
    if (settings.authPolicy === 'off' && !settings.clusterSecretFile && !settings.clusterTls) return null;
    return new PortSecurity(settings, log);
  }

  /**
   * At start: host names in the legacy lists are looked up (like allow_hosts), and with a cluster secret every
   * connection this process opens (to trackers, peers) proves it.
   */
  async start(): Promise<void> {
    await this.settings.authLegacyHosts?.resolve();
    await this.settings.clusterLegacyHosts?.resolve();
    if (!this.clusterSecrets) return;
    setDefaultAuthenticate(keyAuthenticator({ id: CLUSTER_KEY_ID, secret: this.clusterSecrets[0]! }));
    // A rotation (fdfs key cluster) needs no restart: SIGHUP reads the file again.
    onSighup(() => this.reloadClusterSecrets());
  }

  private reloadClusterSecrets(): void {
    try {
      const secrets = loadClusterSecrets(this.settings.clusterSecretFile);
      this.clusterSecrets = secrets;
      setDefaultAuthenticate(keyAuthenticator({ id: CLUSTER_KEY_ID, secret: secrets[0]! }));
      this.log.info({ secrets: secrets.length }, 'cluster secret reloaded');
    } catch (err) {
      this.log.error({ err: (err as Error).message }, 'cluster secret not reloaded, the previous one stays');
    }
  }

  /** FrameServer's per-connection hook: `inner` wrapped with this connection's checks. */
  guard<S>(rules: CommandRules, group: string | null, log: Logger): (conn: FrameSocket, inner: Dispatch<S>) => Dispatch<S> {
    return (conn, inner) => {
      const g = new ConnectionGuard(this, rules, group, conn, log);
      return (ctx) => g.run(ctx, inner);
    };
  }
}

function listed(hosts: AllowHosts | null, ip: string): boolean {
  return hosts !== null && hosts.allows(ip);
}

class ConnectionGuard {
  /** Rights of the key this connection proved; null before. */
  private rights: Rights | null = null;
  private keyId = '';
  /** Proved the cluster secret: a server of this cluster, trusted with everything. */
  private server = false;
  private pending: Transcript | null = null;
  /** Listed as a stock client or server: served without a handshake. */
  private readonly legacyClient: boolean;
  private readonly legacyServer: boolean;
  /** Came over TLS with a client certificate that chains to tls_ca_file (cluster_tls). */
  private readonly tlsVerified: boolean;

  constructor(private readonly sec: PortSecurity, private readonly rules: CommandRules, private readonly group: string | null,
    private readonly conn: FrameSocket, private readonly log: Logger) {
    const ip = conn.remoteAddress;
    this.legacyServer = listed(sec.settings.clusterLegacyHosts, ip);
    this.legacyClient = this.legacyServer || listed(sec.settings.authLegacyHosts, ip);
    this.tlsVerified = conn.socket instanceof TLSSocket && conn.socket.authorized;
  }

  async run<S>(ctx: RequestContext<S>, inner: Dispatch<S>): Promise<void> {
    const cmd = ctx.header.cmd;
    if (cmd === FdfsAuthCmd.Hello) return this.hello(ctx);
    if (cmd === FdfsAuthCmd.Prove) return this.prove(ctx);
    const need = this.rules[cmd];
    if (need !== undefined && !this.permits(need)) {
      throw new StatusError(Errno.EACCES, this.refusal(need, cmd), cmd);
    }
    return inner(ctx);
  }

  private permits(need: Requirement): boolean {
    if (need === 'free') return true;
    if (need === 'peer') return this.peerPermitted();
    if (this.server) return true;
    if (this.rights) return need === 'any' || this.rights.allows(this.group, need);
    return this.sec.settings.authPolicy !== 'required' || this.legacyClient;
  }

  /** A server of this cluster: listed as stock, else what is configured (mutual TLS, the secret) proved. */
  private peerPermitted(): boolean {
    if (this.legacyServer) return true;
    if (this.sec.settings.clusterTls && !this.tlsVerified) return false;
    return this.sec.clusterSecrets === null || this.server;
  }

  private refusal(need: Requirement, cmd: number): string {
    const who = this.conn.remoteAddress;
    if (need === 'peer') {
      return `command ${cmd} is for servers of this cluster; ${who} did not prove ${this.sec.settings.clusterTls && !this.tlsVerified ? 'a server certificate over TLS (cluster_tls)' : 'the cluster secret'}`;
    }
    if (this.rights) return `key "${this.keyId}" may not ${need === 'any' ? 'do this' : need}${this.group ? ` in group ${this.group}` : ''} (command ${cmd} from ${who})`;
    return `command ${cmd} from ${who} needs an authenticated key (auth_policy = required)`;
  }

  private async hello<S>(ctx: RequestContext<S>): Promise<void> {
    const cmd = FdfsAuthCmd.Hello;
    if (ctx.header.pkgLen > 1 + NONCE_SIZE + MAX_KEY_ID) throw new StatusError(Errno.EINVAL, `HELLO of ${ctx.header.pkgLen} bytes`, cmd);
    const hello = decodeHelloRequest(await ctx.conn.readRest());
    // A new handshake replaces whatever this connection proved before.
    this.rights = null;
    this.server = false;
    const identity = `${this.conn.localAddress}:${this.conn.socket.localPort ?? 0}`;
    const serverNonce = newNonce();
    this.pending = { clientNonce: hello.clientNonce, serverNonce, keyId: hello.keyId, identity };
    await ctx.reply(encodeHelloAnswer(serverNonce, identity));
  }

  private async prove<S>(ctx: RequestContext<S>): Promise<void> {
    const cmd = FdfsAuthCmd.Prove;
    if (ctx.header.pkgLen !== MAC_SIZE) throw new StatusError(Errno.EINVAL, `PROVE of ${ctx.header.pkgLen} bytes (want ${MAC_SIZE})`, cmd);
    const mac = await ctx.conn.readRest();
    const t = this.pending;
    this.pending = null;
    if (!t) throw new StatusError(Errno.EACCES, 'PROVE without HELLO', cmd);
    const isCluster = t.keyId === CLUSTER_KEY_ID;
    const key = isCluster ? null : this.sec.keys?.get(t.keyId);
    const secrets = isCluster ? this.sec.clusterSecrets ?? [] : key?.secrets ?? [];
    // An unknown key costs the same work as a known one.
    const tried = secrets.length ? secrets : [randomBytes(32)];
    let matched: Buffer | null = null;
    for (const s of tried) if (sameMac(authMac(s, 'client', t), mac) && secrets.length) matched ??= s;
    if (!matched) {
      this.log.warn({ peer: this.conn.remoteAddress, key: t.keyId }, 'authentication refused');
      throw new StatusError(Errno.EACCES, `key "${t.keyId}" refused: unknown key or wrong secret`, cmd);
    }
    this.keyId = t.keyId;
    if (isCluster) this.server = true;
    else this.rights = key!.rights;
    this.log.debug({ key: t.keyId }, 'authenticated');
    await ctx.reply(authMac(matched, 'server', t));
  }
}
