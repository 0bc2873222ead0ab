import type { LatencySummary } from './stats.js';

/** One scenario's outcome: printed as one JSON line (machine) and a table row (human). */
export interface ScenarioResult {
  readonly scenario: string;
  readonly label: string;
  readonly params: Readonly<Record<string, string | number | boolean>>;
  /** Operations completed in the measured window (IQ replies, logins, connections held). */
  readonly ops: number;
  readonly seconds: number;
  /** ops per second (0 for scenarios that are not about a rate). */
  readonly rate: number;
  readonly latency?: LatencySummary;
  readonly errors: Readonly<Record<string, number>>;
  /** Scenario-specific figures (RSS per connection, lag, empty results, …). */
  readonly extra: Readonly<Record<string, number>>;
  readonly at: string;
}

export function toJsonLine(result: ScenarioResult): string {
  return JSON.stringify(result);
}

function fmt(n: number | undefined, digits = 2): string {
  if (n === undefined || Number.isNaN(n)) return '-';
  if (Number.isInteger(n) && Math.abs(n) < 1000) return String(n);
  return n >= 1000 ? Math.round(n).toLocaleString('en-US') : n.toFixed(digits);
}

/** A small fixed-width table of results. */
export function toTable(results: readonly ScenarioResult[]): string {
  const header = [
    'label',
    'scenario',
    'ops',
    'rate/s',
    'p50 ms',
    'p95 ms',
    'p99 ms',
    'max ms',
    'errors',
    'extra',
  ];
  const rows = results.map((r) => {
    const errors = Object.values(r.errors).reduce((a, b) => a + b, 0);
    const extra = Object.entries(r.extra)
      .map(([k, v]) => `${k}=${fmt(v)}`)
      .join(' ');
    return [
      r.label,
      r.scenario,
      String(r.ops),
      fmt(r.rate, 1),
      fmt(r.latency?.p50),
      fmt(r.latency?.p95),
      fmt(r.latency?.p99),
      fmt(r.latency?.max),
      String(errors),
      extra,
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) =>
        i < 2 || i === cells.length - 1 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0),
      )
      .join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
