// fdfs-only commands that advertise TLS ports (issue 14 item 3); the stock answers keep their sizes.
// 203 REPORT_TLS_PORT  storage → tracker: i64 tls_port                 answer: empty
// 204 QUERY_TLS_PORTS  client → tracker: empty                         answer: n × (ip[16] ‖ i64 port ‖ i64 tls_port)
import { BufReader, BufWriter } from './buf.js';
import { CommonCmd, IPV4_ADDRESS_SIZE, TrackerCmd } from './codes.js';
import { einval } from '../errors.js';

export interface TlsPortEntry {
  ip: string;
  port: number;
  /** 0: this storage has no TLS port (or is stock). */
  tlsPort: number;
}

const ENTRY = IPV4_ADDRESS_SIZE + 16;

export function encodeReportTlsPortRequest(port: number): Buffer {
  return new BufWriter(8).i64(port).finish(TrackerCmd.FdfsStorageReportTlsPort);
}

export function decodeReportTlsPortRequest(body: Buffer): number {
  if (body.length !== 8) throw einval(`REPORT_TLS_PORT body of ${body.length} bytes, want 8`, TrackerCmd.FdfsStorageReportTlsPort);
  const port = new BufReader(body).i64();
  if (port < 0 || port > 65535) throw einval(`bad TLS port ${port}`, TrackerCmd.FdfsStorageReportTlsPort);
  return port;
}

export function encodeQueryTlsPortsRequest(): Buffer {
  return new BufWriter(0).finish(TrackerCmd.FdfsQueryTlsPorts);
}

export function encodeQueryTlsPortsResponse(entries: readonly TlsPortEntry[]): Buffer {
  const w = new BufWriter(entries.length * ENTRY);
  for (const e of entries) w.fixed(e.ip, IPV4_ADDRESS_SIZE).i64(e.port).i64(e.tlsPort);
  return w.finish(CommonCmd.Resp);
}

export function decodeQueryTlsPortsResponse(body: Buffer): TlsPortEntry[] {
  if (body.length % ENTRY !== 0) throw einval(`QUERY_TLS_PORTS answer of ${body.length} bytes is not a multiple of ${ENTRY}`, TrackerCmd.FdfsQueryTlsPorts);
  const r = new BufReader(body);
  const out: TlsPortEntry[] = [];
  while (r.remaining > 0) out.push({ ip: r.fixed(IPV4_ADDRESS_SIZE), port: r.i64(), tlsPort: r.i64() });
  return out;
}
