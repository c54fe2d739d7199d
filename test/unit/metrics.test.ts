// The metrics registry: protocol request families rendered as Prometheus text (counters by status,
// cumulative histogram buckets, bytes), command names, and the dispatch wrapper's status and byte counts.
import { describe, it, expect } from 'vitest';
import { commandName, enableMetrics, metrics, observedDispatch } from '../../src/metrics.js';
import { StatusError, Errno } from '../../src/errors.js';

describe('metrics', () => {
  it('names commands after the FastDFS constants, per role', () => {
    expect(commandName('storage', 11)).toBe('upload_file');
    expect(commandName('storage', 14)).toBe('download_file');
    expect(commandName('tracker', 101)).toBe('query_store_without_group_one');
    expect(commandName('tracker', 83)).toBe('storage_beat');
    expect(commandName('storage', 111)).toBe('active_test');
    expect(commandName('storage', 250)).toBe('250');
  });

  it('renders requests by status, cumulative latency buckets and bytes', async () => {
    expect(metrics()).toBeNull();
    const m = await enableMetrics();
    expect(metrics()).toBe(m);
    m.observeRequest('storage', 11, 0, 0.0007, 4106, 40);
    m.observeRequest('storage', 11, 28, 0.002, 10, 10);
    m.observeRequest('storage', 11, 0, 45, 10, 10);
    const { contentType, body } = await m.render();
    expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(body).toContain('# TYPE fdfs_requests_total counter');
    expect(body).toContain('fdfs_requests_total{role="storage",command="upload_file",status="0"} 2');
    expect(body).toContain('fdfs_requests_total{role="storage",command="upload_file",status="28"} 1');
    expect(body).toContain('# TYPE fdfs_request_duration_seconds histogram');
    expect(body).toContain('fdfs_request_duration_seconds_bucket{role="storage",command="upload_file",le="0.0005"} 0');
    expect(body).toContain('fdfs_request_duration_seconds_bucket{role="storage",command="upload_file",le="0.001"} 1');
    expect(body).toContain('fdfs_request_duration_seconds_bucket{role="storage",command="upload_file",le="30"} 2');
    expect(body).toContain('fdfs_request_duration_seconds_bucket{role="storage",command="upload_file",le="+Inf"} 3');
    expect(body).toContain('fdfs_request_duration_seconds_count{role="storage",command="upload_file"} 3');
    expect(body).toContain('fdfs_received_bytes_total{role="storage",command="upload_file"} 4126');
    expect(body).toContain('fdfs_sent_bytes_total{role="storage",command="upload_file"} 60');
    expect(body).toMatch(/^fdfs_process_resident_memory_bytes \d+/m);
  });

  it('the dispatch wrapper records the errno of a StatusError, "error" for anything else, and bytes', async () => {
    const m = (await enableMetrics())!;
    const socket = { bytesWritten: 100 };
    const ctx = (cmd: number, pkgLen: number) => ({ header: { cmd, pkgLen }, conn: { socket } });
    const wrapped = observedDispatch('tracker', async (c: ReturnType<typeof ctx>) => {
      socket.bytesWritten += 33;
      if (c.header.cmd === 90) throw new StatusError(Errno.ENOENT, 'no such group');
      if (c.header.cmd === 92) throw new Error('boom');
    });
    await wrapped(ctx(91, 0));
    await expect(wrapped(ctx(90, 16))).rejects.toThrow('no such group');
    await expect(wrapped(ctx(92, 16))).rejects.toThrow('boom');
    const { body } = await m.render();
    expect(body).toContain('fdfs_requests_total{role="tracker",command="server_list_all_groups",status="0"} 1');
    expect(body).toContain('fdfs_requests_total{role="tracker",command="server_list_one_group",status="2"} 1');
    expect(body).toContain('fdfs_requests_total{role="tracker",command="server_list_storage",status="error"} 1');
    expect(body).toContain('fdfs_received_bytes_total{role="tracker",command="server_list_one_group"} 26');
    expect(body).toContain('fdfs_sent_bytes_total{role="tracker",command="server_list_all_groups"} 33');
  });
});
