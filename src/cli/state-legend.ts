// What each storage state means, said where states are shown (fdfs monitor, fdfs storages): one line naming
// only the states on screen, in the order of the protocol's codes.
import { StorageStatus, storageStatusName } from '../protocol/codes.js';

const S = StorageStatus;

/** Short meanings, from a tracker's point of view (§8.6). */
export const STATE_MEANINGS: Record<number, string> = {
  [S.Init]: 'just joined, waiting for its sync plan',
  [S.WaitSync]: 'waiting for a member to start copying the group\'s files to it',
  [S.Syncing]: 'receiving the group\'s existing files',
  [S.IpChanged]: 'the old address of a storage whose IP changed',
  [S.Deleted]: 'removed by an administrator',
  [S.Offline]: 'not connected to this tracker — stopped, unreachable, or not re-joined yet after a tracker restart',
  [S.Online]: 'connected, ACTIVE at its next heartbeat',
  [S.Active]: 'serving uploads and downloads',
  [S.Recovery]: 'refilling a replaced disk from a peer',
};

/** "states: ACTIVE = serving …; OFFLINE = …" for the given status codes, wrapped at `width` ('' when none). */
export function stateLegend(codes: Iterable<number>, width = 80): string {
  const shown = [...new Set(codes)].filter((c) => STATE_MEANINGS[c]).sort((a, b) => a - b);
  if (!shown.length) return '';
  const text = `states: ${shown.map((c) => `${storageStatusName(c)} = ${STATE_MEANINGS[c]}`).join('; ')}`;
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = `  ${word}`;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  return [...lines, line].join('\n');
}
