// A FrameServer on 127.0.0.1 (any free port) with a test's own dispatch, for the net/ unit tests.
import { FrameServer, type Dispatch, type InlinePort } from '../../src/net/server.js';
import { createLogger } from '../../src/log.js';

export async function startTestFrameServer<S extends object = object>(
  dispatch: Dispatch<S>,
  opts: { newState?: () => S; maxPkgLen?: (cmd: number) => number; inline?: InlinePort<S>; networkTimeout?: number; maxConnections?: number } = {},
): Promise<{ server: FrameServer<S>; port: number }> {
  const server = new FrameServer<S>({
    host: '127.0.0.1',
    port: 0,
    role: 'storage',
    log: createLogger({ level: 'silent' }),
    networkTimeout: opts.networkTimeout ?? 5,
    maxPkgLen: opts.maxPkgLen ?? (() => Number.MAX_SAFE_INTEGER),
    newState: opts.newState ?? (() => ({}) as S),
    dispatch,
    inline: opts.inline,
    maxConnections: opts.maxConnections,
  });
  await server.listen();
  return { server, port: server.address.port };
}
