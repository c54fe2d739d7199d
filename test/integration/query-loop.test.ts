// The tracker's C query loop (native/query_loop.c, src/net/native-queries.ts), from real processes: after the
// first query a client connection is served in C with the bytes JavaScript would send; whatever C does not
// answer (other commands, a request split across writes) goes back to JavaScript on the same connection in
// order; QUIT, eviction at max_connections and the tracker's stop end it; metrics count it all.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { randomBytes } from 'node:crypto';
import { FdfsClient } from '../../src/client/index.js';
import { CommonCmd, TrackerCmd } from '../../src/protocol/codes.js';
import { encodeHeader } from '../../src/protocol/header.js';
import { encodeQueryFetchRequest } from '../../src/protocol/tracker-query.js';
import { startStorage, startTracker, stopAll, waitAllActive, waitFor, type StorageHandle, type TrackerHandle } from '../helpers/cluster.js';
import { RawConnection as Raw } from '../helpers/raw-connection.js';
import { roleMetric } from '../helpers/role-metric.js';

const HTTP_NATIVE = 18180;
const HTTP_JS = 18181;
let native: TrackerHandle;
let js: TrackerHandle;
let storage: StorageHandle;
let fileId: string;

const storeQuery = () => encodeHeader(0, TrackerCmd.QueryStoreWithoutGroupOne);
const fetchQuery = () => {
  const [group, ...rest] = fileId.split('/');
  return encodeQueryFetchRequest(TrackerCmd.QueryFetchOne, group!, rest.join('/'));
};
const listGroups = () => encodeHeader(0, TrackerCmd.ServerListAllGroups);

const metric = (port: number, name: string, host = native.host) => roleMetric({ host, port }, name, 'tracker');
const nativeConnections = () => metric(HTTP_NATIVE, 'fdfs_native_connections');

beforeAll(async () => {
  native = await startTracker({ conf: { 'http.server_port': HTTP_NATIVE } });
  js = await startTracker({ host: native.host, port: 22123, conf: { 'http.server_port': HTTP_JS }, env: { FDFS_QUERY_LOOP: '0' } });
  storage = await startStorage({ trackers: [native.address, js.address] });
  for (const t of [native, js]) {
    const c = new FdfsClient({ trackers: [t.address] });
    await waitAllActive(c, [storage]);
    if (t === native) fileId = await c.upload(randomBytes(3000), { ext: 'bin' });
    c.close();
  }
});

afterAll(async () => {
  await stopAll([storage, native, js]);
});

describe('the tracker C query loop', () => {
  it('answers a connection\'s queries after the first with the bytes JavaScript sends, and counts them', async () => {
    const [a, b] = await Promise.all([Raw.connect(native), Raw.connect(js)]);
    try {
      const before = await metric(HTTP_NATIVE, 'fdfs_requests_total');
      for (let i = 0; i < 20; i++) {
        const [x, y] = [await a.ask(storeQuery()), await b.ask(storeQuery())];
        expect(x[9]).toBe(0);
        expect(x.toString('hex')).toBe(y.toString('hex'));
        expect((await a.ask(fetchQuery())).equals(await b.ask(fetchQuery()))).toBe(true);
      }
      expect(await nativeConnections()).toBeGreaterThanOrEqual(1);
      expect(await metric(HTTP_JS, 'fdfs_native_connections')).toBe(0);
      expect(await metric(HTTP_NATIVE, 'fdfs_requests_total') - before).toBeGreaterThanOrEqual(40);
      // A pool's ACTIVE_TEST is answered in C too.
      const pong = await a.ask(encodeHeader(0, CommonCmd.ActiveTest));
      expect(pong.toString('hex')).toBe((await b.ask(encodeHeader(0, CommonCmd.ActiveTest))).toString('hex'));
      expect(pong.length).toBe(10);
    } finally {
      a.socket.destroy();
      b.socket.destroy();
    }
  });

  it('gives other commands back to JavaScript on the same connection, in order, pipelined or not', async () => {
    const [a, b] = await Promise.all([Raw.connect(native), Raw.connect(js)]);
    try {
      await a.ask(storeQuery());
      await waitFor('the connection in C', async () => (await nativeConnections()) >= 1);
      const held = await nativeConnections();
      // Two queries in one write: both answered, in order.
      a.socket.write(Buffer.concat([storeQuery(), fetchQuery()]));
      b.socket.write(Buffer.concat([storeQuery(), fetchQuery()]));
      for (let i = 0; i < 2; i++) expect((await a.frame()).equals(await b.frame())).toBe(true);
      // A query and a list in one write: the list goes back to JavaScript behind the query's answer.
      a.socket.write(Buffer.concat([storeQuery(), listGroups()]));
      b.socket.write(Buffer.concat([storeQuery(), listGroups()]));
      expect((await a.frame()).equals(await b.frame())).toBe(true);
      const list = await a.frame();
      expect(list[9]).toBe(0);
      expect(list.subarray(10).toString('latin1')).toContain('group1');
      expect((await b.frame())[9]).toBe(0);
      expect(await nativeConnections()).toBe(held - 1);
      // Still one working connection.
      expect((await a.ask(storeQuery())).equals(await b.ask(storeQuery()))).toBe(true);
    } finally {
      a.socket.destroy();
      b.socket.destroy();
    }
  });

  it('gives requests it does not take whole (over 512 bytes, a status byte, an unknown command) JavaScript\'s answer', async () => {
    const [a, b] = await Promise.all([Raw.connect(native), Raw.connect(js)]);
    try {
      await a.ask(storeQuery());
      await b.ask(storeQuery());
      await waitFor('the connection in C', async () => (await nativeConnections()) >= 1);
      const oversized = Buffer.concat([encodeHeader(600, TrackerCmd.QueryStoreWithoutGroupOne), Buffer.alloc(600)]);
      const withStatus = encodeHeader(0, TrackerCmd.QueryStoreWithoutGroupOne, 1);
      const unknown = encodeHeader(0, 250);
      for (const bad of [oversized, withStatus, unknown]) {
        const [x, y] = [await a.ask(bad), await b.ask(bad)];
        // A request's status byte means nothing to the tracker: only the other two are refused.
        expect(x[9]).toBe(bad === withStatus ? 0 : 22);
        expect(x.toString('hex')).toBe(y.toString('hex'));
        // The tracker keeps a connection after EINVAL: the next query is answered, and in C again.
        expect((await a.ask(storeQuery())).toString('hex')).toBe((await b.ask(storeQuery())).toString('hex'));
        await waitFor('back in C', async () => (await nativeConnections()) >= 1);
      }
    } finally {
      a.socket.destroy();
      b.socket.destroy();
    }
  });

  it('takes a request split across writes (its rest waits in JavaScript) and ends at QUIT', async () => {
    const a = await Raw.connect(native);
    const expected = await a.ask(storeQuery());
    await waitFor('the connection in C', async () => (await nativeConnections()) >= 1);
    const open = await metric(HTTP_NATIVE, 'fdfs_open_connections');
    const q = fetchQuery();
    a.socket.write(q.subarray(0, 6));
    await new Promise((r) => setTimeout(r, 150));
    a.socket.write(q.subarray(6));
    const answer = await a.frame();
    expect(answer[9]).toBe(0);
    expect(answer.subarray(10, 26).toString('latin1').replace(/\0+$/, '')).toBe('group1');
    // Back in C after the next inline answer; then QUIT ends it there.
    expect((await a.ask(storeQuery())).equals(expected)).toBe(true);
    await waitFor('back in C', async () => (await nativeConnections()) >= 1);
    a.socket.write(encodeHeader(0, CommonCmd.Quit));
    expect(await a.closed()).toBe(true);
    // At most: a connection an earlier test closed may be counted out meanwhile too.
    await waitFor('its slot given back', async () => (await metric(HTTP_NATIVE, 'fdfs_open_connections')) <= open - 1);
  });

  it('counts a connection served in C at max_connections, closes the longest idle for a new one, and ends all at stop', async () => {
    const MAX = 6;
    const capped = await startTracker({ conf: { max_connections: MAX, max_connections_per_host: MAX, 'http.server_port': 18182 } });
    // Beats every second keep the storage's own connections busier than ours.
    const s = await startStorage({ trackers: [capped.address], conf: { heart_beat_interval: 1, stat_report_interval: 1 } });
    const held: Raw[] = [];
    try {
      const c = new FdfsClient({ trackers: [capped.address] });
      await waitAllActive(c, [s]);
      c.close();
      await new Promise((r) => setTimeout(r, 300));
      const taken = await metric(18182, 'fdfs_open_connections', capped.host);
      for (let i = taken; i < MAX; i++) {
        const r = await Raw.connect(capped);
        expect((await r.ask(storeQuery()))[9]).toBe(0);
        held.push(r);
        await new Promise((res) => setTimeout(res, 50));
      }
      await waitFor('ours in C', async () => (await metric(18182, 'fdfs_native_connections', capped.host)) === held.length);
      await new Promise((r) => setTimeout(r, 1200));
      const newcomer = await Raw.connect(capped);
      expect((await newcomer.ask(storeQuery()))[9]).toBe(0);
      // The first one, idle longest, was closed for it; the others stay.
      expect(await held[0]!.closed()).toBe(true);
      expect(held.slice(1).some((r) => r.ended)).toBe(false);
      held.push(newcomer);
      await stopAll([s]);
      await capped.proc.stop();
      for (const r of held.slice(1)) expect(await r.closed()).toBe(true);
    } finally {
      for (const r of held) r.socket.destroy();
      await stopAll([s, capped]);
    }
  });
});
