import type { Store } from '@onlinetime/store';

import { LatencyRecorder, type LatencySummary } from './stats.js';

/** Watches logouts until MySQL shows them (online_time.last_logout ≥ logout time, not online). */
export interface LagProbe {
  watch(jid: string, logoutAt: number): void;
  /** Waits (bounded) for the watched logouts; those never seen are timeouts. */
  finish(timeoutMs: number): Promise<{ summary: LatencySummary; timeouts: number }>;
}

/** Polls the store every `intervalMs` with one query for all pending users. */
export async function createLagProbe(mysqlUrl: string, intervalMs = 10): Promise<LagProbe> {
  const { createMysqlStore } = await import('@onlinetime/store');
  const store: Store = createMysqlStore({ url: mysqlUrl, poolSize: 2 });
  await store.ping();
  const pending = new Map<string, number>();
  const lag = new LatencyRecorder();
  let polling = false;

  const poll = async (): Promise<void> => {
    if (polling || pending.size === 0) return;
    polling = true;
    try {
      const jids = [...pending.keys()].slice(0, 500);
      const totals = await store.onlineTime.getMany(jids);
      const now = Date.now();
      for (const jid of jids) {
        const t = totals.get(jid);
        const logoutAt = pending.get(jid);
        if (t === undefined || logoutAt === undefined) continue;
        if (t.onlineSince === null && t.lastLogout !== null && t.lastLogout >= logoutAt) {
          lag.record(now - logoutAt);
          pending.delete(jid);
        }
      }
    } finally {
      polling = false;
    }
  };
  const timer = setInterval(() => void poll(), intervalMs);

  return {
    watch(jid, logoutAt) {
      pending.set(jid, logoutAt);
    },
    async finish(timeoutMs) {
      const until = Date.now() + timeoutMs;
      while (pending.size > 0 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 20));
      clearInterval(timer);
      const timeouts = pending.size;
      await store.close();
      return { summary: lag.summary(), timeouts };
    },
  };
}
