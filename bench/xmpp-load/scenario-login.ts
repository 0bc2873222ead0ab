import { XmppClient } from './connection.js';
import type { ScenarioResult } from './report.js';
import { LatencyRecorder } from './stats.js';
import { clientOptions, ErrorCounts, pool, type Target } from './target.js';

export interface LoginScenarioOptions {
  /** Logins to perform (users cycle through 1 … target.users). */
  readonly logins: number;
  readonly concurrency: number;
  /** Upper bound on the whole run, seconds. */
  readonly maxSeconds: number;
}

/**
 * Logins: connect, SASL, bind (the time measured), then close without waiting for the server's
 * close (closes are awaited after the clock stops). logins/s = successful logins / elapsed.
 */
export async function runLoginScenario(
  target: Target,
  label: string,
  o: LoginScenarioOptions,
): Promise<ScenarioResult> {
  const errors = new ErrorCounts();
  const latency = new LatencyRecorder();
  const closing: Array<Promise<void>> = [];
  const derivationsBefore = target.cache.derivations;
  // Warm the SCRAM key cache outside the clock (one login per distinct user, sequentially bounded).
  const distinct = Math.min(o.logins, target.users);
  if (target.mechanism !== 'PLAIN') {
    await pool(distinct, o.concurrency, Date.now() + o.maxSeconds * 1000, async (k) => {
      try {
        const client = await XmppClient.login(clientOptions(target, k + 1, `warm${k}`));
        closing.push(client.close(5000));
      } catch (err) {
        errors.addError(err);
      }
    });
    await Promise.all(closing.splice(0));
  }
  const warmErrors = errors.total;

  const started = performance.now();
  let ok = 0;
  await pool(o.logins, o.concurrency, Date.now() + o.maxSeconds * 1000, async (k) => {
    const index = (k % target.users) + 1;
    const t0 = performance.now();
    try {
      const client = await XmppClient.login(clientOptions(target, index, `login${k}`));
      latency.record(performance.now() - t0);
      ok += 1;
      closing.push(client.close(5000));
    } catch (err) {
      errors.addError(err);
    }
  });
  const seconds = (performance.now() - started) / 1000;
  await Promise.all(closing);

  return {
    scenario: 'login',
    label,
    params: { logins: o.logins, concurrency: o.concurrency, mechanism: target.mechanism },
    ops: ok,
    seconds: Math.round(seconds * 1000) / 1000,
    rate: Math.round((ok / seconds) * 10) / 10,
    latency: latency.summary(),
    errors: errors.counts,
    extra: { warmupErrors: warmErrors, clientKeyDerivations: target.cache.derivations - derivationsBefore },
    at: new Date().toISOString(),
  };
}
