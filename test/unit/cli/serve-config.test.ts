// `fdfs serve --bind 0.0.0.0` (the embedded default on a LAN, issue 11 item 1): the storage must reach its own
// tracker through an address other hosts can use, so that is what the tracker records and hands out.
import { describe, it, expect } from 'vitest';
import os from 'node:os';
import { resolveConfigs, trackerAddressFor } from '../../../src/cli/serve.js';
import { tempDir } from '../../helpers/cluster.js';

const external = Object.values(os.networkInterfaces()).flat().find((i) => i && i.family === 'IPv4' && !i.internal)?.address;

describe('the embedded default with a wildcard bind', () => {
  it('points the storage at the tracker through the host\'s external IPv4 (127.0.0.1 when there is none)', () => {
    const { tracker, storage } = resolveConfigs({ role: 'all', bind: '0.0.0.0', dataDir: tempDir('fdfs-serve-conf-') });
    expect(tracker!.bindAddr).toBe('0.0.0.0');
    expect(storage!.bindAddr).toBe('0.0.0.0');
    expect(storage!.trackerServers[0]!.hosts).toEqual([external ?? '127.0.0.1']);
  });

  it('keeps a named bind address as the tracker address', () => {
    expect(trackerAddressFor('10.0.0.5')).toBe('10.0.0.5');
    expect(trackerAddressFor('::')).toBe(external ?? '127.0.0.1');
  });
});
