// A sync sender's states and their transition table (§9.4, §9.6): where its plan for the peer comes from and
// whether it is bootstrapping the peer; SyncSender moves only through SenderStates.set(), which logs each move.
import type { Logger } from '../../log.js';
import type { SyncMark } from '../../protocol/binlog-format.js';
import { StorageStatus } from '../../protocol/codes.js';

/**
 * - `new`: the peer's mark file is not read yet.
 * - `unplanned`: no mark file: the 86 answer decides where to start.
 * - `salvaged`: the mark file was damaged: its position is kept, the plan is taken from 86.
 * - `resumed`: an intact mark of an earlier run, used as it is; 86 is asked once if the peer is WAIT_SYNC/SYNCING.
 * - `bootstrapping`: this storage is the peer's source and replays its old files (need_sync_old, not done).
 * - `replicating`: pushing this storage's own records as they come (the normal case).
 * - `stopped`: the loop ended; the mark file keeps the position.
 */
export type SenderState = 'new' | 'unplanned' | 'salvaged' | 'resumed' | 'bootstrapping' | 'replicating' | 'stopped';

export const SENDER_TRANSITIONS: Readonly<Record<SenderState, readonly SenderState[]>> = {
  new: ['unplanned', 'salvaged', 'resumed', 'stopped'],
  unplanned: ['bootstrapping', 'replicating', 'stopped'],
  salvaged: ['bootstrapping', 'replicating', 'stopped'],
  resumed: ['bootstrapping', 'replicating', 'stopped'],
  // The replay reached the end of the binlog (§9.6 step 5).
  bootstrapping: ['replicating', 'stopped'],
  replicating: ['stopped'],
  stopped: [],
};

/** States that need an 86 SYNC_SRC_REQ answer before anything is pushed. */
export function needsPlan(state: SenderState, peerStatus: number): boolean {
  return state === 'unplanned' || state === 'salvaged' || (state === 'resumed' && isBeingBootstrapped(peerStatus));
}

/** WAIT_SYNC, SYNCING: the peer was given a source and its old files are on their way (from one peer). */
export function isBeingBootstrapped(peerStatus: number): boolean {
  return peerStatus === StorageStatus.WaitSync || peerStatus === StorageStatus.Syncing;
}

/** The mark says this storage is the peer's source and has not replayed everything yet. */
export function markBootstraps(mark: SyncMark | null): boolean {
  return !!mark && mark.needSyncOld && !mark.syncOldDone;
}

/**
 * Whether records go to the peer now: an available peer (ONLINE, ACTIVE) takes every sender's records; one being
 * bootstrapped takes only its source's (§9.6 step 4: the others wait until it is ACTIVE).
 */
export function peerTakesPushes(peerStatus: number, bootstrapping: boolean): boolean {
  if (peerStatus === StorageStatus.Active || peerStatus === StorageStatus.Online) return true;
  return isBeingBootstrapped(peerStatus) && bootstrapping;
}

export class SenderStates {
  private current: SenderState = 'new';

  constructor(private readonly log: Logger, private readonly onChange?: (from: SenderState, to: SenderState, reason: string) => void) {}

  get state(): SenderState {
    return this.current;
  }

  /** Move to `next` if the table allows it (logged); an illegal move is refused with a warning (false). */
  set(next: SenderState, reason: string): boolean {
    const from = this.current;
    if (from === next) return true;
    if (!SENDER_TRANSITIONS[from].includes(next)) {
      this.log.warn({ from, to: next, reason }, 'sync sender state change refused (not a legal transition)');
      return false;
    }
    this.current = next;
    this.log.info({ from, to: next, reason }, 'sync sender state');
    this.onChange?.(from, next, reason);
    return true;
  }
}
