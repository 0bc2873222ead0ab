import type { OpenSession } from '@onlinetime/accounting';
import type { Bus, OutgoingRecord } from '@onlinetime/bus';
import { createEvent, encodeEvent, sessionsKey } from '@onlinetime/events';
import type { Logger } from '@onlinetime/logging';
import type { AccountingRepository, EdgesRepository } from '@onlinetime/store';

import type { ReaperMetrics } from '../metrics.js';
import { planSweep, type ReapTarget } from './plan.js';

export interface SweepResult {
  readonly targets: readonly ReapTarget[];
  /** session.stopped events published by this sweep. */
  readonly published: number;
  /** Boots past the timeout left alone because the reaper had not read xmpp.edges up to date. */
  readonly deferred: number;
  /** Boots with open sessions and no edge record at all (never guessed at). */
  readonly unknown: number;
}

export interface SweeperDeps {
  readonly bus: Bus;
  readonly edges: EdgesRepository;
  readonly accounting: AccountingRepository;
  readonly logger: Logger;
  readonly metrics: ReaperMetrics;
  readonly sessionsTopic: string;
  readonly heartbeatTimeoutMs: number;
  readonly clock: () => number;
  /** True once every edge event published before the call has been recorded. */
  readonly caughtUp: () => Promise<boolean>;
  /**
   * Since when the reaper has seen Kafka work without interruption. A heartbeat older than the timeout
   * proves an edge dead only if the reaper could have read a newer one all that time: after a broker
   * outage every edge looks silent until its next heartbeat arrives.
   */
  readonly healthySince: () => number;
}

/** The deterministic stop the reaper publishes for one open session of a dead boot. */
export function reapRecord(session: OpenSession, at: number): OutgoingRecord {
  const event = createEvent(
    'session.stopped',
    {
      sessionId: session.sessionId,
      jid: `${session.jid}/${session.resource === '' ? 'unknown' : session.resource}`,
      edgeId: session.edgeId,
      bootId: session.bootId,
      reason: 'edge-lost',
    },
    // The same id and time on every sweep: a repeat changes nothing (a session stops at most once).
    { source: 'reaper', at, id: `reap:${session.sessionId}` },
  );
  return { key: sessionsKey(session.jid), value: encodeEvent(event) };
}

/** One sweep at a time: finds dead boots with open sessions and publishes their stops. */
export function createSweeper(deps: SweeperDeps): () => Promise<SweepResult> {
  const warnedUnknown = new Set<string>();
  // Stops already acknowledged by the broker, kept while their session is still open in MySQL.
  let published = new Set<string>();
  return async function sweep() {
    const open = await deps.accounting.openBoots();
    if (open.length === 0) {
      published = new Set();
      return { targets: [], published: 0, deferred: 0, unknown: 0 };
    }
    const boots = await deps.edges.all();
    const plan = planSweep({
      boots,
      openBoots: open,
      now: deps.clock(),
      heartbeatTimeoutMs: deps.heartbeatTimeoutMs,
    });
    for (const { edgeId, bootId } of plan.unknown) {
      const key = `${edgeId}/${bootId}`;
      if (warnedUnknown.has(key)) continue;
      warnedUnknown.add(key);
      deps.logger.warn(
        { edgeId, bootId },
        'open sessions of an edge boot never seen on xmpp.edges; not reaping them',
      );
    }
    // Stopped and replaced boots are certain now; a timeout waits until xmpp.edges was read up to date.
    const certain = plan.targets.filter((t) => t.cause !== 'timeout');
    const timedOut = plan.targets.filter((t) => t.cause === 'timeout');
    const stillOpen = new Set<string>();
    let count = 0;
    const reap = async (target: ReapTarget): Promise<void> => {
      const sessions = await deps.accounting.openSessionsOfBoot(target.edgeId, target.bootId);
      for (const s of sessions) stillOpen.add(s.sessionId);
      const fresh = sessions.filter((s) => !published.has(s.sessionId));
      if (fresh.length === 0) return;
      await deps.bus.publish(
        deps.sessionsTopic,
        fresh.map((s) => reapRecord(s, target.at)),
      );
      for (const s of fresh) published.add(s.sessionId);
      count += fresh.length;
      deps.metrics.reaped.inc({ cause: target.cause }, fresh.length);
      deps.logger.info(
        {
          edgeId: target.edgeId,
          bootId: target.bootId,
          cause: target.cause,
          at: target.at,
          sessions: fresh.length,
        },
        'edge boot lost: closing its sessions',
      );
    };
    for (const target of certain) await reap(target);
    const upToDate = timedOut.length > 0 && (await deps.caughtUp());
    const provenDead = upToDate
      ? timedOut.filter((t) => deps.clock() - Math.max(t.at, deps.healthySince()) > deps.heartbeatTimeoutMs)
      : [];
    for (const target of provenDead) await reap(target);
    const targets = [...certain, ...provenDead];
    const deferred = timedOut.length - provenDead.length;
    published = new Set([...published].filter((id) => stillOpen.has(id)));
    return { targets, published: count, deferred, unknown: plan.unknown.length };
  };
}
