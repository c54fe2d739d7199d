// SendWindow: at most `max` chunks out; room() waits for one to come back, next() also for a wake().
import { describe, it, expect } from 'vitest';
import { SendWindow } from '../../../src/net/send-window.js';

const settled = async (p: Promise<void>): Promise<boolean> => {
  let done = false;
  void p.then(() => { done = true; });
  for (let i = 0; i < 3; i++) await Promise.resolve();
  return done;
};

describe('SendWindow', () => {
  it('lets `max` chunks out, then waits until one comes back', async () => {
    const w = new SendWindow(2);
    await w.room();
    w.taken();
    await w.room();
    w.taken();
    expect(w.full).toBe(true);
    const room = w.room();
    expect(await settled(room)).toBe(false);
    w.back();
    expect(await settled(room)).toBe(true);
    expect(w.full).toBe(false);
  });

  it('wake() ends a next() without giving room', async () => {
    const w = new SendWindow(1);
    w.taken();
    const next = w.next();
    w.wake();
    expect(await settled(next)).toBe(true);
    expect(w.full).toBe(true);
  });
});
