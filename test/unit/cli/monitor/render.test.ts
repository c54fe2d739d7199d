// src/cli/monitor/render.ts at a given width, with the widest values a real cluster shows: 16-letter group
// names, 15-digit addresses, big counters, a tracker that is down with a long error. Nothing may pass the
// width, and nothing may be cut: every header and every value is still on screen.
import { describe, it, expect } from 'vitest';
import { stripVTControlCharacters } from 'node:util';
import { renderView } from '../../../../src/cli/monitor/render.js';
import type { ClusterView, StorageView } from '../../../../src/cli/monitor/collect.js';

const now = 1_796_280_000;
const GB = 1024;

function storage(group: string, ip: string, status: string, lag: number | null): StorageView {
  return {
    group, id: ip, ip, port: 23000, status, statusCode: 7, rwMode: 'rw', version: '6.12.2', srcId: '', joinTime: now - 86400, upTime: now - 3600,
    totalMb: 7450 * GB, freeMb: 2100 * GB, usedMb: 5350 * GB,
    uploads: { total: 1_234_567, success: 1_234_560, bytes: 987 * 1024 ** 4 },
    downloads: { total: 98_765_432, success: 98_765_432, bytes: 1.5 * 1024 ** 5 },
    deletes: { total: 12, success: 12 }, connections: { current: 3, max: 40 },
    lastHeartBeatTime: now - 17, lastSourceUpdate: now - 5, lastSyncUpdate: now - 5, lastSyncedTimestamp: now - 100, syncLagSeconds: lag,
  };
}

const view: ClusterView = {
  time: now, healthy: false, source: '192.168.100.201:22122', leader: '192.168.100.201:22122',
  problems: [
    'tracker 192.168.100.202:22122 does not answer: connect ETIMEDOUT 192.168.100.202:22122 (is it running? firewall?)',
    'storage 192.168.100.212:23000 of thumbnails2024ab is WAIT_SYNC',
  ],
  trackers: [
    { address: '192.168.100.201:22122', ok: true, leader: '192.168.100.201:22122', isLeader: true, error: null, groups: 1, storages: 2, notActive: 1 },
    { address: '192.168.100.202:22122', ok: false, leader: null, isLeader: false, error: 'connect ETIMEDOUT 192.168.100.202:22122 (is it running? firewall?)', groups: 0, storages: 0, notActive: 0 },
  ],
  groups: [{
    name: 'thumbnails2024ab', totalMb: 14900 * GB, freeMb: 4200 * GB, reservedMb: 1490 * GB, availableMb: 2710 * GB, storageCount: 2, activeCount: 1,
    readableCount: 1, writableCount: 1, storagePort: 23000, storePathCount: 1,
  }],
  storages: [storage('thumbnails2024ab', '192.168.100.211', 'ACTIVE', 0), storage('thumbnails2024ab', '192.168.100.212', 'WAIT_SYNC', null)],
  summary: { trackers: 2, trackersUp: 1, groups: 1, storages: 2, active: 1, availableMb: 2710 * GB },
};

const VALUES = ['192.168.100.201:22122', '192.168.100.202:22122', 'thumbnails2024ab', '192.168.100.211:23000', '192.168.100.212:23000',
  'WAIT_SYNC', 'ACTIVE', '1/2', '72% of 7.3T', '1234560/1234567 · 987.0T', '98765432 · 1.5P', '17s ago', 'never', '14.6T', '2.6T', 'UNHEALTHY'];
const HEADERS = ['tracker', 'state', 'problem', 'group', 'active', 'read/write', 'total', 'free', 'reserved',
  'available', 'storage', 'disk used', 'uploads', 'downloads', 'beat', 'sync lag'];

describe('renderView fits the width (issue 11 item 13)', () => {
  for (const width of [80, 60, 40]) {
    it(`${width} columns: no line is longer, every header and value is shown whole`, async () => {
      for (const color of [false, true]) {
        const text = await renderView(view, { color, width });
        const plain = stripVTControlCharacters(text);
        const long = plain.split('\n').filter((l) => [...l].length > width);
        expect(long, plain).toEqual([]);
        // Whole words: a value broken across lines would not be found.
        for (const v of [...VALUES, ...HEADERS]) expect(plain, `${v} at ${width}\n${plain}`).toContain(v);
      }
    });
  }

  it('80 columns: trackers, groups and storage health in one table each, traffic after; a wide terminal: one table', async () => {
    const at80 = stripVTControlCharacters(await renderView(view, { color: false, width: 80 }));
    expect(at80.match(/│ tracker /g), at80).toHaveLength(1);
    expect(at80.match(/^│ group\s+│ active │ read\/write │ total │ free │ reserved │ available │$/gm), at80).toHaveLength(1);
    expect(at80.match(/^│ group\s+│ storage\s+│ state\s+│\s+beat │ sync lag │$/gm), at80).toHaveLength(1);
    expect(at80).toMatch(/^│ thumbnails2024ab │ 192\.168\.100\.212:23000 │ WAIT_SYNC │ +17s ago │ +never │$/m);
    // Traffic next, keyed by the storage (these counters are wide enough to need two tables).
    expect(at80).toMatch(/^│ storage\s+│\s+disk used │\s+uploads │$/m);
    expect(at80).toMatch(/^│ 192\.168\.100\.212:23000 │\s+98765432 · 1\.5P │$/m);
    const wide = stripVTControlCharacters(await renderView(view, { color: false, width: 200 }));
    expect(wide.match(/│ storage /g)).toHaveLength(1);
    expect(wide).toMatch(/^│ thumbnails2024ab │ 192\.168\.100\.212:23000 │ WAIT_SYNC │ +17s ago │ +never │ +72% of 7\.3T │/m);
  });
});
