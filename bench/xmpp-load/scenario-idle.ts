import { readFileSync } from 'node:fs';

import type { ScenarioResult } from './report.js';
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

/** N logged-in connections held open: the server's RSS growth per connection. */
export async function runIdleScenario(
  target: Target,
  label: string,
  o: IdleScenarioOptions,
): Promise<ScenarioResult> {
  const errors = new ErrorCounts();
  if (o.connections > target.users)
    throw new Error(`idle: ${o.connections} connections need as many users (have ${target.users})`);
  await sleep(o.settleSeconds * 1000);
  const before = o.pid > 0 ? rssKb(o.pid) : 0;
  const started = performance.now();
  const clients = await loginAll(
    target,
    range1(o.connections),
    o.concurrency,
    errors,
    Date.now() + o.maxSeconds * 1000,
  );
  const loginSeconds = (performance.now() - started) / 1000;
  await sleep(o.settleSeconds * 1000);
  const held = clients.filter(({ client }) => !client.isClosed).length;
  const after = o.pid > 0 ? rssKb(o.pid) : 0;
  await closeAll(clients, 10_000);
  const perConnection = held > 0 && o.pid > 0 ? (after - before) / held : NaN;
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
      rssAfterKb: after,
      rssPerConnectionKb: Math.round(perConnection * 10) / 10,
      loginsPerSecond: Math.round((clients.length / loginSeconds) * 10) / 10,
    },
    at: new Date().toISOString(),
  };
}
