// A worker's file lock is granted by the owner: run() waits for 'granted', and always sends 'unlock'.
import { describe, it, expect } from 'vitest';
import { RemoteLocks } from '../../../../src/storage/workers/remote-lock.js';
import type { ToOwner } from '../../../../src/storage/workers/ipc.js';

describe('RemoteLocks', () => {
  it('runs the body only once granted, then unlocks (also when the body throws)', async () => {
    const sent: ToOwner[] = [];
    const locks = new RemoteLocks((m) => { sent.push(m); return true; });
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

describe('RemoteLocks without an owner', () => {
  it('fails waiting and later requests at once instead of hanging them', async () => {
    const locks = new RemoteLocks(() => true);
    const waiting = locks.run('/a', async () => 1);
    locks.ownerGone();
    await expect(waiting).rejects.toMatchObject({ name: 'ConnectionClosedError' });
    await expect(locks.run('/b', async () => 2)).rejects.toMatchObject({ name: 'ConnectionClosedError' });
    const unreachable = new RemoteLocks(() => false);
    await expect(unreachable.run('/c', async () => 3)).rejects.toMatchObject({ name: 'ConnectionClosedError' });
  });
});
