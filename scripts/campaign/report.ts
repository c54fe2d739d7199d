// One row per fault, printed as a Markdown table (pasted as is into README).
export interface Row {
  fault: string;
  rounds: string;
  /** "ok / attempted" uploads (and reads) while the fault ran. */
  load: string;
  /** Errors the campaign's clients saw, by kind. */
  errors: Map<string, number>;
  recover: string;
  lost: number;
  corrupt: number;
  /** Something that broke a promise other than losing data (a server crashed, a refusal not given). */
  failure?: string;
}

export const secs = (ms: number | null, limitMs: number): string =>
  ms === null ? `not within ${Math.round(limitMs / 1000)} s` : `${(ms / 1000).toFixed(1)} s`;

function errorsCell(errors: Map<string, number>): string {
  let n = 0;
  for (const v of errors.values()) n += v;
  if (!n) return '0';
  const kinds = [...errors.entries()].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`);
  return `${n} (${kinds.join(', ')})`;
}

export function table(rows: Row[]): string {
  const head = ['fault', 'rounds', 'load held (uploads ok / attempted)', 'errors seen by clients', 'time to recover', 'lost', 'corrupt'];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const r of rows) {
    lines.push(`| ${[r.fault, r.rounds, r.load, errorsCell(r.errors), r.recover, r.lost, r.corrupt].join(' | ')} |`);
  }
  return lines.join('\n');
}

export function summary(rows: Row[], acknowledged: number): { text: string; ok: boolean } {
  const lost = rows.reduce((n, r) => n + r.lost, 0);
  const corrupt = rows.reduce((n, r) => n + r.corrupt, 0);
  const failures = rows.filter((r) => r.failure).map((r) => `${r.fault}: ${r.failure}`);
  const ok = lost === 0 && corrupt === 0 && failures.length === 0;
  const text = ok
    ? `nothing lost: ${acknowledged} acknowledged files, every one on every member with the right sha256`
    : [`${lost} lost, ${corrupt} corrupt of ${acknowledged} acknowledged files`, ...failures].join('; ');
  return { text, ok };
}
