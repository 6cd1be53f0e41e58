import { cpus, freemem, loadavg, totalmem, type as osType, release as osRelease, arch } from 'node:os';
import type { Summary } from './stats.js';

export type Unit = 'us/op' | 'ops/s' | 'MB/s' | 'ms' | 'MiB' | 'KiB' | 'sessions' | 'bytes' | 'turns';

export interface Figure {
  name: string;
  unit: Unit;
  summary: Summary;
  /** Calls (or bytes, or sessions) behind each run's figure. */
  perRun?: number;
}

export interface Goal {
  /** Human-readable target, e.g. "<= 1.3x the floor". */
  text: string;
  met: boolean;
}

export interface Result {
  id: string;
  group: string;
  title: string;
  subject: Figure;
  baseline?: Figure;
  /** Median of per-run ratios subject/baseline (for times: lower is better; for rates: higher). */
  ratio?: number;
  goal?: Goal;
  note?: string;
  /** For a goal not met: the measured floor that bounds it on this machine (see bounds.ts). */
  bound?: string;
  /** Medians measured beside the row for its bound (bounds.ts), by name, e.g. `evalMs`. */
  floors?: Record<string, number>;
}

export function goalAtMost(ratio: number, limit: number, what = 'the floor'): Goal {
  return { text: `<= ${limit}x ${what}`, met: ratio <= limit };
}

export function goalAtLeast(ratio: number, limit: number, what = 'the floor'): Goal {
  return { text: `>= ${Math.round(limit * 100)}% of ${what}`, met: ratio >= limit };
}

/** For a time ratio subject/peer: the subject takes at most 1/`times` of the peer's time. */
export function goalTimesFaster(ratio: number, times: number, peer: string): Goal {
  return { text: `>= ${times}x faster than ${peer}`, met: ratio <= 1 / times };
}

export function goalNoSlower(ratio: number, peer: string): Goal {
  return { text: `no slower than ${peer}`, met: ratio <= 1 };
}

export function goalBelow(value: number, limit: number, unit: Unit): Goal {
  return { text: `< ${limit} ${unit}`, met: value < limit };
}

export function goalFaster(ratio: number, peer: string): Goal {
  return { text: `faster than ${peer}`, met: ratio < 1 };
}

export function machine(): Record<string, unknown> {
  const list = cpus();
  return {
    cpus: list.length,
    cpuModel: list[0]?.model ?? 'unknown',
    memoryBytes: totalmem(),
    freeMemoryBytes: freemem(),
    loadAverage: loadavg(),
    os: `${osType()} ${osRelease()} ${arch()}`,
    node: process.version,
  };
}

function format(value: number, unit: Unit): string {
  if (!Number.isFinite(value)) return '-';
  const digits = value >= 100 ? 0 : value >= 10 ? 1 : 2;
  return `${value.toFixed(digits)} ${unit}`;
}

function figure(f: Figure | undefined): string {
  if (!f) return '';
  const { min, median, max } = f.summary;
  return `${format(median, f.unit)} (${format(min, f.unit).split(' ')[0]}–${format(max, f.unit).split(' ')[0]})`;
}

function goalCell(r: Result): string {
  if (!r.goal) return '';
  return `${r.goal.met ? 'met' : 'NOT met'}: ${r.goal.text}`;
}

/** Rows for the table: title, scomp figure, baseline figure, ratio, goal. */
export function rows(results: readonly Result[]): string[][] {
  return results.map((r) => [
    r.title,
    figure(r.subject),
    r.baseline ? `${r.baseline.name}: ${figure(r.baseline)}` : '',
    r.ratio === undefined ? '' : `${r.ratio.toFixed(2)}x`,
    goalCell(r),
  ]);
}

const HEADER = ['benchmark', 'scomp: median (min–max)', 'baseline: median (min–max)', 'ratio', 'goal'];

export function textTable(results: readonly Result[]): string {
  const body = rows(results);
  const widths = HEADER.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(HEADER), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

export function markdownTable(results: readonly Result[]): string {
  const escape = (cell: string): string => cell.replace(/\|/g, '\\|');
  const body = rows(results).map((row) => `| ${row.map(escape).join(' | ')} |`);
  return [`| ${HEADER.join(' | ')} |`, `| ${HEADER.map(() => '---').join(' | ')} |`, ...body].join('\n');
}
