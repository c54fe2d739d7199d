// V8 settings for the server processes, which all start cold at once (tracker, storage owner, workers) and
// compile the same hot paths. Measured on the group-of-two harness (scripts/bench-hosts.sh), fresh servers:
// - lazy feedback allocation (a memory saving for short scripts) keeps a fresh server on slow code longer: the
//   first 8,000 downloads cost about a quarter more CPU. A server wants type feedback from the first call.
// - a quarter of the default interrupt budget optimizes a hot handler after fewer slow runs, and a smaller
//   inlining budget makes each TurboFan compile cheaper (18 % of the first 8,000 uploads' CPU was compiling):
//   4 KiB uploads 2,160–2,560 → 2,650–3,100/s, CPU 5.8–7.1 → 4.9–5.6 s; the warm rates did not drop.
import v8 from 'node:v8';

const SERVING_FLAGS = ['--no-lazy-feedback-allocation', '--interrupt-budget=16384', '--max-inlined-bytecode-size-cumulative=200'];

let applied = false;

/** Apply once per process, before the request handlers first run (FDFS_V8_DEFAULTS=1 keeps V8's defaults). */
export function tuneV8ForServing(): void {
  if (applied || process.env.FDFS_V8_DEFAULTS === '1') return;
  applied = true;
  for (const flag of SERVING_FLAGS) v8.setFlagsFromString(flag);
}
