// How `fdfs serve` ends: on SIGINT/SIGTERM it says so on stderr, stops the servers and exits 0
// (1 when stopping takes over 10 s). Kept apart from serve.ts, which builds the servers.

/** Install the handlers, let the caller announce readiness, then wait for a signal (never returns). */
export async function serveUntilSignal(servers: { stop(): Promise<void>; worker?: boolean }, announce: () => void): Promise<never> {
  if (servers.worker) {
    // A storage worker ends when its owner says so (or goes away), not on the terminal's Ctrl-C.
    process.on('SIGINT', () => {});
    process.on('SIGTERM', () => {});
    return new Promise<never>(() => {});
  }
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`fdfs serve: ${signal}, shutting down\n`);
    const timer = setTimeout(() => process.exit(1), 10_000);
    await servers.stop().catch(() => {});
    clearTimeout(timer);
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  announce();
  return new Promise<never>(() => {});
}
