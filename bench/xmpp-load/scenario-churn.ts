import { XmppClient } from './connection.js';
import type { LagProbe } from './lag-probe.js';
import type { ScenarioResult } from './report.js';
import { LatencyRecorder } from './stats.js';
import { bareJid, clientOptions, ErrorCounts, range1, type Target } from './target.js';

export interface ChurnScenarioOptions {
  /** Sessions started per second (steady, open loop). */
  readonly rate: number;
  /** How long each session stays logged in, ms. */
  readonly holdMs: number;
  readonly seconds: number;
  /** When set (our stack only), the lag from logout to the stored total is measured on a sample. */
  readonly probe?: LagProbe | undefined;
  /** Every n-th logout is probed. */
  readonly probeEvery: number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Logins and logouts at a steady rate: session events/s, login latency, and (optionally) the storage lag. */
export async function runChurnScenario(
  target: Target,
  label: string,
  o: ChurnScenarioOptions,
): Promise<ScenarioResult> {
  const errors = new ErrorCounts();
  const loginLatency = new LatencyRecorder();
  const free = range1(target.users);
  const sessions: Array<Promise<void>> = [];
  let logins = 0;
  let logouts = 0;
  let skipped = 0;
  let k = 0;

  const session = async (index: number, n: number): Promise<void> => {
    const t0 = performance.now();
    try {
      const client = await XmppClient.login(clientOptions(target, index, `churn${n}`));
      loginLatency.record(performance.now() - t0);
      logins += 1;
      await sleep(o.holdMs);
      const logoutAt = Date.now();
      await client.close(5000);
      logouts += 1;
      if (o.probe !== undefined && logouts % o.probeEvery === 0)
        o.probe.watch(bareJid(target, index), logoutAt);
    } catch (err) {
      errors.addError(err);
    } finally {
      free.push(index);
    }
  };

  const start = performance.now();
  const end = start + o.seconds * 1000;
  while (performance.now() < end) {
    const due = Math.floor(((performance.now() - start) / 1000) * o.rate);
    while (k < due) {
      k += 1;
      const index = free.shift();
      if (index === undefined) skipped += 1;
      else sessions.push(session(index, k));
    }
    await sleep(2);
  }
  const startedSeconds = (performance.now() - start) / 1000;
  await Promise.race([Promise.all(sessions), sleep(o.holdMs + 30_000)]);
  const elapsed = (performance.now() - start) / 1000;
  const lag = o.probe === undefined ? undefined : await o.probe.finish(30_000);
  if (skipped > 0) errors.add('no free user (raise --users)', skipped);
  if (lag !== undefined && lag.timeouts > 0) errors.add('lag probe timeout', lag.timeouts);

  return {
    scenario: 'churn',
    label,
    params: { rate: o.rate, holdMs: o.holdMs, seconds: o.seconds, probeEvery: o.probeEvery },
    ops: logins + logouts,
    seconds: Math.round(elapsed * 1000) / 1000,
    // Session events (one login and one logout per session) per second over the span they occur in.
    rate: Math.round(((logins + logouts) / (startedSeconds + o.holdMs / 1000)) * 10) / 10,
    latency: loginLatency.summary(),
    errors: errors.counts,
    extra: {
      logins,
      logouts,
      loginsPerSecond: Math.round((logins / startedSeconds) * 10) / 10,
      ...(lag === undefined
        ? {}
        : {
            lagSamples: lag.summary.count,
            lagP50Ms: lag.summary.p50,
            lagP99Ms: lag.summary.p99,
            lagMaxMs: lag.summary.max,
          }),
    },
    at: new Date().toISOString(),
  };
}
