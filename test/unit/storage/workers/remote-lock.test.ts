// A worker's file lock is granted by the owner: run() waits for 'granted', and always sends 'unlock'.
import { describe, it, expect } from 'vitest';
import { RemoteLocks } from '../../../../src/storage/workers/remote-lock.js';
import type { ToOwner } from '../../../../src/storage/workers/ipc.js';

describe('RemoteLocks', () => {
  it('runs the body only once granted, then unlocks (also when the body throws)', async () => {
    const sent: ToOwner[] = [];
    const locks = new RemoteLocks((m) => sent.push(m));
    let ran = false;
    const p = locks.run('/a', async () => { ran = true; return 7; });
    await Promise.resolve();
    expect(ran).toBe(false);
    expect(sent).toEqual([{ t: 'lock', id: 1, key: '/a' }]);
    locks.granted(1);
    expect(await p).toBe(7);
    expect(sent.at(-1)).toEqual({ t: 'unlock', id: 1 });
    const q = locks.run('/b', async () => { throw new Error('disk'); });
    locks.granted(2);
    await expect(q).rejects.toThrow('disk');
    expect(sent.at(-1)).toEqual({ t: 'unlock', id: 2 });
  });
});
