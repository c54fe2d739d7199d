// SIGHUP reloads what security reads from files (certificates, the cluster secret). Installed only when one
// is configured (SIGHUP otherwise keeps its default); a worker pool's owner passes the signal to its workers.
import cluster from 'node:cluster';

const reloaders = new Set<() => void>();
let installed = false;

export function onSighup(reload: () => void): void {
  reloaders.add(reload);
  if (installed) return;
  installed = true;
  process.on('SIGHUP', () => {
    for (const r of reloaders) r();
    if (cluster.isPrimary) for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGHUP');
  });
}
