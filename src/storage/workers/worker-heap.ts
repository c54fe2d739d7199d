// Storage workers run with a small young generation of fixed size. V8 otherwise grows it (up to 16 MiB per
// semi-space) with the allocation rate and shrinks it again when the rate drops; under a server's bursty load that
// commits and releases its pages over and over, and each page touched again is a page fault: 0.1-0.2 per request
// here, several microseconds each on a virtual machine. Requests keep little alive, so a small space costs few
// extra scavenges. Set through NODE_OPTIONS, which the cluster module's fork and the single executable both honour.
const WORKER_SEMI_SPACE_MIB = 2;

/** NODE_OPTIONS for a worker: the operator's own, with the semi-space size added unless they chose one. */
export function workerNodeOptions(current: string | undefined): string {
  const own = (current ?? '').trim();
  if (/--max-semi-space-size\b/.test(own)) return own;
  return `${own} --max-semi-space-size=${WORKER_SEMI_SPACE_MIB}`.trim();
}
