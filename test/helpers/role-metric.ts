// One metric of one role from a server's /metrics page, summed over its other labels.
export async function roleMetric(base: { host: string; port: number }, name: string, role: 'tracker' | 'storage'): Promise<number> {
  const text = await (await fetch(`http://${base.host}:${base.port}/metrics`, { headers: { Connection: 'close' } })).text();
  let n = 0;
  for (const m of text.matchAll(new RegExp(`^${name}\\{[^}]*role="${role}"[^}]*\\} (\\S+)$`, 'gm'))) n += Number(m[1]);
  return n;
}
