// What `fdfs serve` adds to /metrics besides request counters: the tracker's view of the cluster (storages
// by state, group space, per-peer sync lag as fdfs_monitor computes it) and the storage's disks and sync peers.
// Both read only the roles' snapshot(): plain data, taken once per scrape.
import type { Metrics } from '../metrics.js';
import { storageStatusName, StorageStatus } from '../protocol/codes.js';
import type { TrackerSnapshot } from '../tracker/snapshot.js';
import type { StorageSnapshot } from '../storage/storage-server.js';
import { allPathUsage } from '../storage/store/disk.js';

const MB = 1024 * 1024;

export function trackerMetrics(m: Metrics, t: { snapshot(): TrackerSnapshot }): void {
  const leader = m.gauge('fdfs_tracker_is_leader', 'Whether this tracker is the leader (1) or not (0).', []);
  const byState = m.gauge('fdfs_tracker_storages', 'Storages known to this tracker, by group and state.', ['group', 'state']);
  const up = m.gauge('fdfs_tracker_storage_active', 'Per storage: 1 when ACTIVE, else 0.', ['group', 'storage']);
  const beat = m.gauge('fdfs_tracker_storage_last_heartbeat_seconds', 'Unix time of the last heartbeat from each storage.', ['group', 'storage']);
  const space = m.gauge('fdfs_tracker_group_bytes', 'Group space as the tracker reports it (total, free, available = free - reserved).', ['group', 'kind']);
  const lag = m.gauge('fdfs_sync_lag_seconds',
    'Replication lag of storage from peer: peer last_source_update minus the newest of its changes the storage has (0 when none pending).',
    ['group', 'storage', 'peer']);
  const delay = m.gauge('fdfs_synced_delay_seconds',
    'fdfs_monitor\'s synced delay: max last_source_update of the other members minus last_synced_timestamp; -1 = never synced.',
    ['group', 'storage']);
  m.addCollector(() => {
    for (const g of [leader, byState, up, beat, space, lag, delay]) g.reset();
    const snap = t.snapshot();
    leader.set(snap.isLeader ? 1 : 0);
    for (const g of snap.groups) {
      const members = g.storages;
      const counts = new Map<string, number>();
      for (const s of members) {
        const id = s.address;
        counts.set(storageStatusName(s.status), (counts.get(storageStatusName(s.status)) ?? 0) + 1);
        up.set({ group: g.name, storage: id }, s.status === StorageStatus.Active ? 1 : 0);
        beat.set({ group: g.name, storage: id }, s.lastHeartBeatTime);
        let maxOther = 0;
        for (const p of members) {
          if (p === s) continue;
          maxOther = Math.max(maxOther, p.lastSourceUpdate);
          if (p.lastSourceUpdate > 0) {
            lag.set({ group: g.name, storage: id, peer: p.address }, Math.max(0, p.lastSourceUpdate - (s.syncFrom[p.id] ?? 0)));
          }
        }
        delay.set({ group: g.name, storage: id },
          maxOther === 0 ? 0 : s.lastSyncedTimestamp > 0 ? Math.max(0, maxOther - s.lastSyncedTimestamp) : -1);
      }
      for (const [state, n] of counts) byState.set({ group: g.name, state }, n);
      space.set({ group: g.name, kind: 'total' }, g.totalMb * MB);
      space.set({ group: g.name, kind: 'free' }, g.freeMb * MB);
      space.set({ group: g.name, kind: 'available' }, Math.max(0, g.freeMb - g.reservedMb) * MB);
    }
  });
}

export function storageMetrics(m: Metrics, s: { snapshot(): StorageSnapshot }): void {
  const disk = m.gauge('fdfs_storage_disk_bytes', 'Store path disk space (free = available to non-root users).', ['group', 'path', 'kind']);
  const peerTs = m.gauge('fdfs_storage_sync_received_timestamp_seconds',
    'Source timestamp of the newest change received from each peer of the group.', ['group', 'peer']);
  const peerUp = m.gauge('fdfs_storage_sync_peer_connected', 'Whether the sync sender to each peer is connected.', ['group', 'peer']);
  const pipelined = m.gauge('fdfs_storage_sync_pipelined_total',
    'Records sent to each peer pipelined (small creates and deletes, several per write) and the writes that carried them (cumulative since start).', ['group', 'peer', 'kind']);
  const integrity = m.gauge('fdfs_storage_integrity_total',
    'Copies found damaged or missing and what became of them; scrub passes and copies checked; anti-entropy rounds, directories compared, leaf directories that differed and files fetched (cumulative since start).', ['group', 'event']);
  m.addCollector(async () => {
    const snap = s.snapshot();
    const group = snap.group;
    const i = snap.integrity;
    for (const [event, v] of [['damaged', i.damaged], ['repaired', i.repaired], ['unrepaired', i.unrepaired],
      ['scrub_passes', i.scrubPasses], ['scrub_checked', i.scrubChecked], ['scrub_missing', i.scrubMissing],
      ['anti_entropy_rounds', i.antiEntropyRounds], ['anti_entropy_dirs_compared', i.antiEntropyCompared],
      ['anti_entropy_leaves_differing', i.antiEntropyDiffering], ['anti_entropy_fetched', i.antiEntropyFetched]] as const) {
      integrity.set({ group, event }, v);
    }
    const usage = await allPathUsage(snap.storePaths);
    disk.reset();
    snap.storePaths.forEach((p, i) => {
      disk.set({ group, path: p, kind: 'total' }, usage[i]!.totalMb * MB);
      disk.set({ group, path: p, kind: 'free' }, usage[i]!.freeMb * MB);
    });
    peerTs.reset();
    peerUp.reset();
    pipelined.reset();
    for (const p of snap.peers) {
      peerTs.set({ group, peer: p.id }, p.receivedTimestamp);
      peerUp.set({ group, peer: p.id }, p.connected ? 1 : 0);
      pipelined.set({ group, peer: p.id, kind: 'records' }, p.pipelined.records);
      pipelined.set({ group, peer: p.id, kind: 'writes' }, p.pipelined.writes);
    }
  });
}
