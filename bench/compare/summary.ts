import type { ScenarioResult } from '../xmpp-load/report.js';
import { medianOf } from '../xmpp-load/stats.js';
import type { ScenarioSpec } from './plan.js';

export interface RunRecord {
  readonly run: number;
  readonly server: string;
  readonly spec: string;
  readonly result?: ScenarioResult;
  readonly failure?: string;
  /** CPU seconds each of the server's processes used during the scenario (tool run). */
  readonly cpuSeconds?: Readonly<Record<string, number>>;
}

/**
 * Server CPU per operation in µs, per process and in total: CPU over the whole tool run (logins
 * and warm-up included) divided by the requests sent in it (IQ scenarios) or the operations (logins).
 */
export function cpuPerOp(record: RunRecord): Record<string, number> | null {
  const { result, cpuSeconds } = record;
  if (result === undefined || cpuSeconds === undefined) return null;
  const ops = result.extra['sent'] ?? result.ops;
  if (!(ops > 0)) return null;
  const per: Record<string, number> = {};
  let total = 0;
  for (const [name, seconds] of Object.entries(cpuSeconds)) {
    per[name] = (seconds * 1e6) / ops;
    total += per[name];
  }
  per['total'] = total;
  return per;
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
      const perOp = mine.flatMap((r) => {
        const p = cpuPerOp(r);
        return p === null ? [] : [p];
      });
      const names = [...new Set(perOp.flatMap((p) => Object.keys(p)))].filter((n) => n !== 'total');
      const serverCpu =
        perOp.length === 0 || spec.metric !== 'rate'
          ? ''
          : `server CPU ${cell(
              perOp.map((p) => p['total'] ?? NaN),
              0,
            )} µs/op` +
            (names.length > 1
              ? ` (${names.map((n) => `${n} ${num(medianOf(perOp.map((p) => p[n] ?? NaN)).median, 0)}`).join(', ')})`
              : '');
      const load = ok.map((r) => r.extra['loadAvg1'] ?? NaN);
      const notes = [
        lagP50.length > 0 ? `logout→MySQL lag p50 ${cell(lagP50)} ms, p99 ${cell(lagP99)} ms` : '',
        serverCpu,
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
