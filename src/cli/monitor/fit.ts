// Fitting `fdfs monitor`'s tables and lines into a terminal width without cutting anything: a table too wide
// wraps its free-text column, else is split into several tables (the key column repeated in each), else —
// on a very narrow terminal — becomes one "header: value" block per row. Prose lines are word-wrapped.
import stringWidth from 'fast-string-width';
import { wrapAnsi } from 'fast-wrap-ansi';

export type Align = 'left' | 'right';

export interface TableSpec {
  head: string[];
  rows: string[][];
  align?: Align[];
  /** Column repeated in every part when the table is split (it names the row). */
  key?: number;
  /** Column of free text that may wrap onto several lines instead of splitting the table. */
  wrap?: number;
  /** How to split a table too wide (column lists, each drawn in its order); default: left to right. */
  sections?: number[][];
}

export interface TableStyle {
  head: string[];
  border: string[];
}

/** Width of a line as shown (colour codes take none). */
export function shownWidth(s: string): number {
  return stringWidth(s);
}

/** Word-wrap lines to `width` (long words are broken); continuation lines get `indent`. */
export function wrapLines(text: string, width: number, indent = ''): string {
  return text.split('\n').map((line) => {
    if (shownWidth(line) <= width) return line;
    const lead = /^ */.exec(line)![0];
    const wrapped = wrapAnsi(line.slice(lead.length), Math.max(width - lead.length - indent.length, 10), { hard: true, trim: true }).split('\n');
    return wrapped.map((l, i) => `${lead}${i ? indent : ''}${l}`).join('\n');
  }).join('\n');
}

/** Cell width with cli-table3's one-space padding each side. */
function colWidths(spec: TableSpec): number[] {
  return spec.head.map((h, i) => Math.max(shownWidth(h), ...spec.rows.map((r) => Math.max(...(r[i] ?? '').split('\n').map(shownWidth)))) + 2);
}

/** Border characters included: one per column plus one. */
function tableWidth(widths: number[], cols: number[]): number {
  return cols.reduce((sum, c) => sum + widths[c]!, 0) + cols.length + 1;
}

/** The table as lines no wider than `width` (one table, several, or blocks). */
export async function fitTable(spec: TableSpec, width: number, style: TableStyle): Promise<string> {
  const { default: Table } = await import('cli-table3');
  const draw = (cols: number[], fixed?: { col: number; width: number }) => {
    const t = new Table({
      head: cols.map((c) => spec.head[c]!),
      style: { ...style, 'padding-left': 1, 'padding-right': 1 },
      colAligns: cols.map((c) => spec.align?.[c] ?? 'left'),
      ...(fixed ? { colWidths: cols.map((c) => (c === fixed.col ? fixed.width : null)), wordWrap: true, wrapOnWordBoundary: true } : {}),
    });
    for (const r of spec.rows) t.push(cols.map((c) => r[c] ?? ''));
    return t.toString();
  };
  const widths = colWidths(spec);
  const all = spec.head.map((_, i) => i);
  if (tableWidth(widths, all) <= width) return draw(all);

  // A free-text column takes what is left, when that leaves it a readable width.
  if (spec.wrap !== undefined) {
    const rest = width - tableWidth(widths, all.filter((c) => c !== spec.wrap)) - 1;
    if (rest >= Math.max(16, shownWidth(spec.head[spec.wrap]!) + 2)) return draw(all, { col: spec.wrap, width: rest });
  }

  // Several tables one under the other, each repeating the key column: by sections first, then as many
  // columns as fit.
  const key = spec.key ?? 0;
  const parts: number[][] = [];
  for (const section of spec.sections ?? [all]) {
    let part: number[] = section.includes(key) ? [] : [key];
    for (const c of section) {
      if (tableWidth(widths, [...part, c]) <= width) {
        part.push(c);
        continue;
      }
      if (part.some((p) => p !== key)) parts.push(part);
      part = c === key ? [c] : [key, c];
      if (tableWidth(widths, part) > width) return blocks(spec, width);
    }
    parts.push(part);
  }
  // Chopped finer than one table per section (plus one): a block per row reads better on so narrow a terminal.
  if (parts.length > (spec.sections?.length ?? 1) + 1) return blocks(spec, width);
  return parts.map((p) => draw(p)).join('\n');
}

/** One block per row: its key, then "  header: value" lines, wrapped to the width. */
function blocks(spec: TableSpec, width: number): string {
  const key = spec.key ?? 0;
  return spec.rows.map((r) => [
    r[key] ?? '',
    ...spec.head.map((h, c) => (c === key ? '' : wrapLines(`  ${h}: ${(r[c] ?? '').replace(/\n/g, ' ')}`, width, '  '))).filter(Boolean),
  ].join('\n')).join('\n');
}
