// V8 settings for the server processes. By default V8 starts collecting type feedback for a function only after
// it has run several times (lazy feedback allocation, a memory saving for short scripts), which keeps a freshly
// started server on slow code longer: measured on the side-by-side harness, the first 8,000 downloads after a
// start cost about a quarter more CPU. A server wants feedback from the first call; it costs a few MB.
import v8 from 'node:v8';

let applied = false;

/** Apply once per process, before the request handlers first run. */
export function tuneV8ForServing(): void {
  if (applied || process.env.FDFS_V8_DEFAULTS === '1') return;
  applied = true;
  v8.setFlagsFromString('--no-lazy-feedback-allocation');
}
