import type { ScenarioResult } from '../xmpp-load/report.js';
import { medianOf } from '../xmpp-load/stats.js';
import type { ScenarioSpec } from './plan.js';

export interface RunRecord {
  readonly run: number;
  readonly server: string;
  readonly spec: string;
  readonly result?: ScenarioResult;
  readonly failure?: string;
}

function metricOf(spec: ScenarioSpec, r: ScenarioResult): number {
  return spec.metric === 'rate' ? r.rate : (r.extra[spec.metric] ?? NaN);
}

function num(n: number, digits = 1): string {
  if (!Number.isFinite(n)) return '–';
  return n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(digits);
}

/** Median (min–max) of a field over runs. */
function cell(values: number[], digits = 1): string {
  const m = medianOf(values.filter((v) => Number.isFinite(v)));
  if (!Number.isFinite(m.median)) return '–';
  return values.length > 1
    ? `${num(m.median, digits)} (${num(m.min, digits)}–${num(m.max, digits)})`
    : num(m.median, digits);
}

/** A Markdown table per scenario: median and spread per server, and the ratio to ejabberd. */
export function summarise(
  specs: readonly ScenarioSpec[],
  servers: readonly string[],
  records: readonly RunRecord[],
): string {
  const out: string[] = [];
  for (const spec of specs) {
    out.push(`#### ${spec.title} (\`${spec.id}\`)`, '');
    const unit =
      spec.metric === 'rate'
        ? spec.id.startsWith('churn')
          ? 'events/s'
          : spec.id.startsWith('login')
            ? 'logins/s'
            : 'IQ/s'
        : spec.metric === 'loginsPerSecond'
          ? 'logins/s'
          : 'kB/conn';
    out.push(
      `| server | runs | ${spec.metric} (${unit}) | p50 ms | p95 ms | p99 ms | max ms | errors/run | ratio to ejabberd | notes |`,
    );
    out.push('|---|---|---|---|---|---|---|---|---|---|');
    const ejabberd = medianOf(
      records
        .filter((r) => r.server === 'ejabberd' && r.spec === spec.id && r.result)
        .map((r) => metricOf(spec, r.result as ScenarioResult)),
    ).median;
    for (const server of servers) {
      const mine = records.filter((r) => r.server === server && r.spec === spec.id);
      const ok = mine.flatMap((r) => (r.result === undefined ? [] : [r.result]));
      const failures = mine.filter((r) => r.failure !== undefined).map((r) => r.failure ?? '');
      const metric = ok.map((r) => metricOf(spec, r));
      const lat = (k: 'p50' | 'p95' | 'p99' | 'max'): string =>
        cell(
          ok.map((r) => r.latency?.[k] ?? NaN),
          2,
        );
      const errors = ok.map((r) => Object.values(r.errors).reduce((a, b) => a + b, 0));
      const kinds = [...new Set(ok.flatMap((r) => Object.keys(r.errors)))].join(', ');
      const ratio = medianOf(metric).median / ejabberd;
      const lagP50 = ok.map((r) => r.extra['lagP50Ms'] ?? NaN).filter(Number.isFinite);
      const lagP99 = ok.map((r) => r.extra['lagP99Ms'] ?? NaN).filter(Number.isFinite);
      const cpu = ok.map((r) => r.extra['clientCpuPct'] ?? NaN);
      const load = ok.map((r) => r.extra['loadAvg1'] ?? NaN);
      const notes = [
        lagP50.length > 0 ? `logout→MySQL lag p50 ${cell(lagP50)} ms, p99 ${cell(lagP99)} ms` : '',
        `client CPU ${cell(cpu)}%, load ${cell(load)}`,
        kinds === '' ? '' : `errors: ${kinds}`,
        failures.length > 0 ? `${failures.length} failed: ${failures[0]?.slice(0, 120)}` : '',
      ]
        .filter((s) => s !== '')
        .join('; ');
      out.push(
        `| ${server} | ${ok.length} | ${cell(metric)} | ${lat('p50')} | ${lat('p95')} | ${lat('p99')} | ${lat('max')} | ${cell(errors, 0)} | ${Number.isFinite(ratio) ? `${ratio.toFixed(2)}×` : '–'} | ${notes} |`,
      );
    }
    out.push('');
  }
  return out.join('\n');
}
