import { medianOf, round } from '../xmpp-load/stats.js';

export interface PartResult {
  readonly part: string;
  readonly case: string;
  /** Operations per second: median of the rounds, with the spread. */
  readonly opsPerSecond: number;
  readonly min: number;
  readonly max: number;
  readonly rounds: number;
  readonly unit: string;
}

/**
 * Runs `fn` (one call = `opsPerCall` operations) for `rounds` rounds of about `roundMs` each after
 * a warm-up round, and reports the median rate with its spread. Bounded in time.
 */
export async function measure(
  part: string,
  name: string,
  fn: () => unknown,
  options: { rounds?: number; roundMs?: number; opsPerCall?: number; unit?: string } = {},
): Promise<PartResult> {
  const rounds = options.rounds ?? 5;
  const roundMs = options.roundMs ?? 1000;
  const perCall = options.opsPerCall ?? 1;
  const rates: number[] = [];
  for (let r = 0; r <= rounds; r += 1) {
    let calls = 0;
    const start = performance.now();
    let now = start;
    while (now - start < roundMs) {
      const result = fn();
      if (result instanceof Promise) await result;
      calls += 1;
      if ((calls & 15) === 0 || perCall > 1) now = performance.now();
    }
    now = performance.now();
    if (r > 0) rates.push((calls * perCall) / ((now - start) / 1000));
  }
  const m = medianOf(rates);
  return {
    part,
    case: name,
    opsPerSecond: round(m.median, 0),
    min: round(m.min, 0),
    max: round(m.max, 0),
    rounds,
    unit: options.unit ?? 'ops/s',
  };
}

export function printResults(results: readonly PartResult[]): void {
  for (const r of results) process.stdout.write(`${JSON.stringify(r)}\n`);
  const rows = results.map((r) => [
    r.part,
    r.case,
    `${Math.round(r.opsPerSecond).toLocaleString('en-US')} ${r.unit}`,
    `${Math.round(r.min).toLocaleString('en-US')}–${Math.round(r.max).toLocaleString('en-US')}`,
  ]);
  const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((row) => (row[i] ?? '').length), 8));
  for (const row of rows) process.stderr.write(`${row.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ')}\n`);
}
