/** The benchmark's output: one figure per row, beside its floor, as a table and as JSON. */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ratio } from './stats';

/** `atLeast`: value/floor must reach the goal (throughput); `atMost`: must not exceed it (cost, size, time). */
export type Goal = { readonly kind: 'atLeast' | 'atMost'; readonly ratio: number };

export interface Figure {
  readonly section: string;
  readonly name: string;
  readonly unit: string;
  readonly value: number;
  readonly floor: number;
  /** What the floor is. */
  readonly floorIs: string;
  readonly ratio: number;
  readonly goal?: Goal;
  /** undefined when there is no goal. */
  readonly met?: boolean;
}

export function figure(section: string, name: string, unit: string, value: number, floor: number, floorIs: string, goal?: Goal): Figure {
  const r = ratio(value, floor);
  const met = goal === undefined ? undefined : Number.isFinite(r) && (goal.kind === 'atLeast' ? r >= goal.ratio : r <= goal.ratio);
  return { section, name, unit, value, floor, floorIs, ratio: r, ...(goal ? { goal } : {}), ...(met === undefined ? {} : { met }) };
}

export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return '—';
  const magnitude = Math.abs(value);
  if (magnitude >= 1000) return Math.round(value).toLocaleString('en-US');
  if (magnitude >= 100) return value.toFixed(0);
  if (magnitude >= 10) return value.toFixed(1);
  if (magnitude >= 0.01 || magnitude === 0) return value.toFixed(2);
  return value.toPrecision(2);
}

export function formatRatio(value: number): string {
  if (!Number.isFinite(value)) return '—';
  return `${value >= 0.01 ? value.toFixed(2) : value.toPrecision(2)}×`;
}

function goalText(goal: Goal | undefined): string {
  if (!goal) return '—';
  return `${goal.kind === 'atLeast' ? '≥' : '≤'} ${goal.ratio}×`;
}

/** A plain-text table: figure, value, floor, ratio, goal, met? */
export function table(figures: readonly Figure[]): string {
  const header = ['figure', 'value', 'floor', 'ratio', 'goal', 'met?'];
  const rows: string[][] = [];
  let section = '';
  for (const f of figures) {
    if (f.section !== section) {
      section = f.section;
      rows.push([`— ${section}`, '', '', '', '', '']);
    }
    rows.push([
      `  ${f.name}`,
      `${formatNumber(f.value)} ${f.unit}`,
      `${formatNumber(f.floor)} ${f.unit}`,
      formatRatio(f.ratio),
      goalText(f.goal),
      f.met === undefined ? 'n/a' : f.met ? 'yes' : 'NO',
    ]);
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.filter((r) => !r[0]?.startsWith('— ')).map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  const out = [line(header), widths.map((w) => '-'.repeat(w)).join('  ')];
  for (const row of rows) out.push(row[0]?.startsWith('— ') ? (row[0] ?? '') : line(row));
  return out.join('\n');
}

export function writeJson(file: string, content: unknown): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(content, (_key, value: unknown) => (typeof value === 'number' && !Number.isFinite(value) ? null : value), 2)}\n`);
}
