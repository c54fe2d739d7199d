// TLS listeners (issue 14 item 3): the certificate, key and CA files of tracker.conf / storage.conf as server
// options, their reload on SIGHUP, and cluster_tls routes to the other servers.
import { readFileSync } from 'node:fs';
import https from 'node:https';
import type { RequestListener, ServerOptions as HttpServerOptions } from 'node:http';
import type net from 'node:net';
import tls from 'node:tls';
import type { AllowHosts, TlsSettings } from '../config/index.js';
import { setDefaultTlsRoute, type TlsRouted } from '../net/connection.js';
import { onSighup } from './sighup.js';
import { ConfigError } from '../errors.js';
import type { Logger } from '../log.js';

function read(file: string, what: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new ConfigError(`cannot read the ${what} ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

const routes: Array<(host: string, port: number) => TlsRouted | null> = [];

export class TlsIdentity {
  private context: tls.SecureContextOptions;
  private readonly servers = new Set<tls.Server>();

  private constructor(private readonly cfg: TlsSettings, private readonly log: Logger) {
    this.context = this.load();
    onSighup(() => this.reload());
  }

  /** Null when no TLS port is configured. */
  static from(cfg: TlsSettings, log: Logger): TlsIdentity | null {
    return cfg.tlsPort > 0 || cfg.httpTlsPort > 0 ? new TlsIdentity(cfg, log) : null;
  }

  private load(): tls.SecureContextOptions {
    const ctx: tls.SecureContextOptions = { cert: read(this.cfg.tlsCertFile, 'TLS certificate'), key: read(this.cfg.tlsKeyFile, 'TLS key') };
    if (this.cfg.tlsCaFile) ctx.ca = read(this.cfg.tlsCaFile, 'TLS CA file');
    // A key that does not match its certificate is refused here, not at the first handshake.
    tls.createSecureContext(ctx);
    return ctx;
  }

  private reload(): void {
    try {
      this.context = this.load();
      for (const s of this.servers) s.setSecureContext(this.context);
      this.log.info({ cert: this.cfg.tlsCertFile }, 'TLS certificate reloaded');
    } catch (err) {
      this.log.error({ err: (err as Error).message }, 'TLS certificate not reloaded, the previous one stays');
    }
  }

  /**
   * cluster_tls: this process's connections to the servers `tlsPortOf` names go to their TLS port with this
   * server's certificate (the current one, after a SIGHUP too); stock servers (`legacy`) stay plain.
   */
  routeServers(tlsPortOf: (host: string, port: number) => number, legacy: AllowHosts | null): void {
    if (!this.cfg.clusterTls) return;
    // A process serving both roles routes the servers either role knows.
    routes.push((host, port) => {
      const tlsPort = tlsPortOf(host, port);
      if (!tlsPort || legacy?.allows(host)) return null;
      return { port: tlsPort, tls: { ...this.context } };
    });
    setDefaultTlsRoute((host, port) => {
      for (const r of routes) {
        const routed = r(host, port);
        if (routed) return routed;
      }
      return null;
    });
  }

  private serverOptions(): tls.TlsOptions {
    return { ...this.context, requestCert: this.cfg.tlsVerifyClient, rejectUnauthorized: this.cfg.tlsVerifyClient };
  }

  /** The protocol's TLS listener for FrameServer (null when tls_port is 0). */
  protocolListener(): { port: number; createServer(onSocket: (sock: net.Socket) => void): net.Server } | null {
    if (this.cfg.tlsPort <= 0) return null;
    return {
      port: this.cfg.tlsPort,
      createServer: (onSocket) => this.track(tls.createServer({ ...this.serverOptions(), allowHalfOpen: true }, onSocket)),
    };
  }

  /** HTTPS beside an HTTP listener (null when http.tls_port is 0). */
  httpsListener(): { port: number; createServer(opts: HttpServerOptions, handler: RequestListener): https.Server } | null {
    if (this.cfg.httpTlsPort <= 0) return null;
    return {
      port: this.cfg.httpTlsPort,
      createServer: (opts, handler) => this.track(https.createServer({ ...opts, ...this.serverOptions() }, handler)),
    };
  }

  private track<S extends tls.Server>(server: S): S {
    this.servers.add(server);
    server.on('tlsClientError', (err) => this.log.debug({ err: err.message }, 'TLS handshake failed'));
    server.once('close', () => this.servers.delete(server));
    return server;
  }
}

/** A storage's cluster_tls routes: its trackers at tracker_tls_port, its group's storages (same port) at its tls_port. */
export function storageTlsRoutes(cfg: TlsSettings & { port: number; trackerServers: Array<{ hosts: string[]; port: number }> }): (host: string, port: number) => number {
  const trackers = new Set(cfg.trackerServers.flatMap((t) => t.hosts.map((h) => `${h}:${t.port}`)));
  return (host, port) => (trackers.has(`${host}:${port}`) ? cfg.trackerTlsPort : port === cfg.port ? cfg.tlsPort : 0);
}
