import { readFileSync } from 'node:fs';

import type { ScenarioResult } from './report.js';
import { medianOf } from './stats.js';
import { closeAll, ErrorCounts, loginAll, range1, type Target } from './target.js';

export interface IdleScenarioOptions {
  readonly connections: number;
  readonly concurrency: number;
  /** The server process whose RSS is read (/proc/<pid>/status VmRSS); 0: RSS not measured. */
  readonly pid: number;
  /** Seconds to wait before each RSS reading (the server settles), and to hold the connections. */
  readonly settleSeconds: number;
  readonly maxSeconds: number;
}

/** VmRSS of a process in kB (Linux). */
export function rssKb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (match === null) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(match[1]);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Median of `samples` RSS readings one second apart (garbage-collected runtimes wobble). */
async function settledRss(pid: number, samples: number): Promise<number> {
  if (pid <= 0) return 0;
  const values: number[] = [];
  for (let i = 0; i < samples; i += 1) {
    if (i > 0) await sleep(1000);
    values.push(rssKb(pid));
  }
  return medianOf(values).median;
}

/**
 * N logged-in connections held open: the server's RSS growth per connection. Measured as the slope
 * between holding N/5 and N connections (the startup baseline and its garbage drop out), and, for
 * reference, as (RSS at N − RSS before any) / N.
 */
export async function runIdleScenario(
  target: Target,
  label: string,
  o: IdleScenarioOptions,
): Promise<ScenarioResult> {
  const errors = new ErrorCounts();
  if (o.connections > target.users)
    throw new Error(`idle: ${o.connections} connections need as many users (have ${target.users})`);
  const deadline = Date.now() + o.maxSeconds * 1000;
  const first = Math.max(1, Math.floor(o.connections / 5));
  await sleep(o.settleSeconds * 1000);
  const before = await settledRss(o.pid, 3);
  const started = performance.now();
  const clients = await loginAll(target, range1(first), o.concurrency, errors, deadline);
  await sleep(o.settleSeconds * 1000);
  const heldFirst = clients.filter(({ client }) => !client.isClosed).length;
  const atFirst = await settledRss(o.pid, 3);
  const rest = range1(o.connections).slice(first);
  clients.push(...(await loginAll(target, rest, o.concurrency, errors, deadline)));
  const loginSeconds = (performance.now() - started) / 1000;
  await sleep(o.settleSeconds * 1000);
  const held = clients.filter(({ client }) => !client.isClosed).length;
  const after = await settledRss(o.pid, 5);
  await closeAll(clients, 10_000);
  const slope = held > heldFirst && o.pid > 0 ? (after - atFirst) / (held - heldFirst) : NaN;
  const overall = held > 0 && o.pid > 0 ? (after - before) / held : NaN;
  return {
    scenario: 'idle',
    label,
    params: { connections: o.connections, concurrency: o.concurrency, pid: o.pid, presence: target.presence },
    ops: held,
    seconds: Math.round(loginSeconds * 1000) / 1000,
    rate: 0,
    errors: errors.counts,
    extra: {
      rssBeforeKb: before,
      rssAtFifthKb: atFirst,
      rssAfterKb: after,
      rssPerConnectionKb: Math.round(slope * 10) / 10,
      rssPerConnectionOverallKb: Math.round(overall * 10) / 10,
      loginsPerSecond: Math.round((clients.length / loginSeconds) * 10) / 10,
    },
    at: new Date().toISOString(),
  };
}
