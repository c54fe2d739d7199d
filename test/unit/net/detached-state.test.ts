// A connection served in the C loop (net/native-queries.ts) and handed back is the same connection to its server:
// one state from start to end, given to the answers in C and to the async loop alike; back in C only after
// `redetachAfter` inline-answered reads in a row.
import { describe, it, expect, afterEach } from 'vitest';
import { encodeHeader, encodeStatus } from '../../../src/protocol/header.js';
import { DETACHED_BODY_MAX, queryLoopAvailable } from '../../../src/net/native-queries.js';
import { fastPath } from '../../../src/native/fastpath.js';
import { HEADER_SIZE } from '../../../src/protocol/codes.js';
import type { FrameServer } from '../../../src/net/server.js';
import { startTestFrameServer } from '../../helpers/frame-server.js';
import { RawConnection } from '../../helpers/raw-connection.js';
import { waitFor } from '../../helpers/cluster.js';

const INLINE_CMD = 60;
const LOOP_CMD = 61;
interface State { id: number }

let server: FrameServer<State> | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

/** Answer body: who answered ('i' inline in JavaScript, 'c' for the C loop, 's' the async loop) and the state's id. */
const answer = (who: string, state: State) => Buffer.concat([encodeStatus(0, 2), Buffer.from(who), Buffer.from([state.id])]);
const who = (frame: Buffer) => `${frame.subarray(10, 11).toString()}${frame[11]}`;

describe('net: a connection through the C loop and back', () => {
  it('keeps one state, given to answers in C and to the async loop, and goes back to C after redetachAfter reads', async () => {
    expect(queryLoopAvailable()).toBe(true);
    let states = 0;
    const started = await startTestFrameServer<State>(async (ctx) => {
      await ctx.conn.readRest();
      await ctx.replyPacket(answer('s', ctx.state));
    }, {
      newState: () => ({ id: ++states }),
      inline: {
        answer: (state, _conn, cmd) => (cmd === INLINE_CMD ? answer('i', state) : null),
        detachedAnswer: (cmd, _body, _conn, state) => (cmd === INLINE_CMD ? answer('c', state) : null),
        redetachAfter: 3,
      },
    });
    server = started.server;
    const s = started.server;
    const r = await RawConnection.connect({ host: '127.0.0.1', port: started.port });
    try {
      expect(who(await r.ask(encodeHeader(0, INLINE_CMD)))).toBe('i1');
      await waitFor('in C', async () => s.stats.native === 1, 3000, 20);
      expect(who(await r.ask(encodeHeader(0, INLINE_CMD)))).toBe('c1');
      // Not answered in C: back to JavaScript, same state.
      expect(who(await r.ask(encodeHeader(0, LOOP_CMD)))).toBe('s1');
      expect(s.stats.native).toBe(0);
      // Two inline reads are not enough to go back; the third is.
      for (let i = 0; i < 2; i++) expect(who(await r.ask(encodeHeader(0, INLINE_CMD)))).toBe('i1');
      expect(s.stats.native).toBe(0);
      expect(who(await r.ask(encodeHeader(0, INLINE_CMD)))).toBe('i1');
      await waitFor('in C again', async () => s.stats.native === 1, 3000, 20);
      expect(who(await r.ask(encodeHeader(0, INLINE_CMD)))).toBe('c1');
      expect(states).toBe(1);
    } finally {
      r.socket.destroy();
    }
  });

  it('the addon refuses a bad descriptor or limit with EINVAL, and an unknown id with ENOENT', () => {
    expect(queryLoopAvailable()).toBe(true);
    const native = fastPath()!;
    const EINVAL = -22;
    expect(native.queryLoopAdopt(-1)).toBe(EINVAL);
    expect(native.queryLoopAdopt(0, HEADER_SIZE)).toBe(EINVAL);
    expect(native.queryLoopAdopt(0, HEADER_SIZE + DETACHED_BODY_MAX + 1)).toBe(EINVAL);
    expect(native.queryLoopAdopt('3' as unknown as number)).toBe(EINVAL);
    expect(native.queryLoopClose(1 << 30)).toBe(-2);
  });
});
