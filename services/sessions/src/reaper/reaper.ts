import type { Batch, Bus, Subscription } from '@onlinetime/bus';
import { EventDecodeError, OnlinetimeError } from '@onlinetime/errors';
import { decodeEventOfTypes, TOPICS, type EdgesEvent } from '@onlinetime/events';
import type { Logger } from '@onlinetime/logging';
import type { Metrics } from '@onlinetime/metrics';
import type { AccountingRepository, EdgeBoot, EdgesRepository } from '@onlinetime/store';

import { createHooks, type Hooks } from '../emitter.js';
import { NOOP_METRICS, reaperMetrics } from '../metrics.js';
import { createOutageLog } from '../outage.js';
import { keyProblem } from '../storable.js';
import { foldEdgeEvents } from './boots.js';
import { caughtUp, createEdgesProgress } from './progress.js';
import { createSweeper, type SweepResult } from './sweep.js';

export const DEFAULT_REAPER_GROUP = 'onlinetime-reaper';
const EDGE_EVENT_TYPES = ['edge.started', 'edge.heartbeat', 'edge.stopped'] as const;
const EMPTY: SweepResult = { targets: [], published: 0, deferred: 0, unknown: 0 };

export interface ReaperOptions {
  readonly bus: Bus;
  readonly store: { readonly edges: EdgesRepository; readonly accounting: AccountingRepository };
  readonly logger: Logger;
  readonly metrics?: Metrics;
  /** Epoch ms, compared with the edges' heartbeat times. Default Date.now. */
  readonly clock?: () => number;
  /** Default 15 000 (three heartbeats of 5 s). */
  readonly heartbeatTimeoutMs?: number;
  /** Default 5 000. */
  readonly sweepIntervalMs?: number;
  readonly groupId?: string;
}

export interface ReaperEvents {
  'boots.recorded': { readonly boots: readonly EdgeBoot[]; readonly nextOffset: string };
  sweep: SweepResult;
  assignment: { readonly active: boolean };
}

export interface Reaper extends Hooks<ReaperEvents> {
  start(): Promise<void>;
  /** Resolves at the first assignment after start() (active or not). */
  ready(): Promise<void>;
  /** True while this instance holds the xmpp.edges partition: only then does it sweep. */
  readonly active: boolean;
  /** Sweeps now (after any sweep in flight); an inactive reaper returns an empty result. */
  sweep(): Promise<SweepResult>;
  stop(): Promise<void>;
}

/**
 * Closes the sessions of dead edges by publishing `session.stopped {edge-lost}` to xmpp.sessions,
 * timed at the boot's last heartbeat (its stop, if it stopped), so a replay reproduces them.
 */
export function createReaper(options: ReaperOptions): Reaper {
  const { bus, logger } = options;
  const { edges, accounting } = options.store;
  const clock = options.clock ?? Date.now;
  const heartbeatTimeoutMs = options.heartbeatTimeoutMs ?? 15_000;
  const sweepIntervalMs = options.sweepIntervalMs ?? 5_000;
  const groupId = options.groupId ?? DEFAULT_REAPER_GROUP;
  const metrics = reaperMetrics(options.metrics ?? NOOP_METRICS);
  const hooks = createHooks<ReaperEvents>();
  const progress = createEdgesProgress();
  const recordOutage = createOutageLog(logger, 'reaper: recording edge boots');
  const sweepOutage = createOutageLog(logger, 'reaper: sweep');
  let subscription: Subscription | null = null;
  let timer: NodeJS.Timeout | null = null;
  let active = false;
  let chain: Promise<unknown> = Promise.resolve();
  let queued = false;
  let healthySince = clock();
  const unhealthy = (): void => {
    healthySince = clock();
  };

  const runSweep = createSweeper({
    bus,
    edges,
    accounting,
    logger,
    metrics,
    sessionsTopic: TOPICS.sessions,
    heartbeatTimeoutMs,
    clock,
    caughtUp: async () => {
      const began = clock();
      const result = await caughtUp(
        bus,
        progress,
        Math.min(sweepIntervalMs, heartbeatTimeoutMs),
        heartbeatTimeoutMs,
      );
      // A check that hung (Kafka retrying) means Kafka was not working meanwhile.
      if (clock() - began > sweepIntervalMs) unhealthy();
      return result;
    },
    healthySince: () => healthySince,
  });

  function sweep(onStart?: () => void): Promise<SweepResult> {
    const run = chain.then(async () => {
      onStart?.();
      if (!active) return EMPTY;
      try {
        const result = await runSweep();
        sweepOutage.succeeded();
        metrics.sweeps.inc({ outcome: 'ok' });
        hooks.emit('sweep', result);
        return result;
      } catch (err) {
        metrics.sweeps.inc({ outcome: 'failed' });
        unhealthy();
        sweepOutage.failed(err, {});
        throw err;
      }
    });
    chain = run.catch(() => undefined);
    return run;
  }

  /** At most one sweep waits behind the one in flight: a request made during a sweep is not lost. */
  function sweepInBackground(): void {
    if (queued) return;
    queued = true;
    sweep(() => (queued = false)).catch(() => undefined);
  }

  async function handleBatch(batch: Batch): Promise<void> {
    const last = batch.messages.at(-1);
    if (last === undefined) return;
    const events: EdgesEvent[] = [];
    for (const message of batch.messages) {
      const { topic, partition, offset } = message;
      try {
        const event = decodeEventOfTypes(message.value, EDGE_EVENT_TYPES);
        const problem = keyProblem(event.payload.edgeId) ?? keyProblem(event.payload.bootId);
        if (problem !== null) throw new EventDecodeError('payload.edgeId|bootId', problem);
        events.push(event);
        metrics.edgeEvents.inc({ type: event.type });
      } catch (err) {
        if (!(err instanceof EventDecodeError)) throw err;
        logger.warn(
          { topic, partition, offset, field: err.field, reason: err.message },
          'invalid edge event skipped',
        );
      }
    }
    const boots = foldEdgeEvents(events);
    try {
      if (boots.length > 0) await edges.record(boots);
      recordOutage.succeeded();
    } catch (err) {
      recordOutage.failed(err, { partition: batch.partition, offset: batch.messages[0]?.offset });
      unhealthy();
      throw err;
    }
    const nextOffset = BigInt(last.offset) + 1n;
    progress.advance(nextOffset);
    hooks.emit('boots.recorded', { boots, nextOffset: nextOffset.toString() });
    // A new boot or a stop closes the old boot's sessions at once, not at the next tick.
    if (events.some((e) => e.type !== 'edge.heartbeat')) sweepInBackground();
  }

  return {
    on: hooks.on,
    get active() {
      return active;
    },
    sweep: () => sweep(),
    async start() {
      if (subscription !== null) return;
      subscription = await bus.subscribe({
        groupId,
        topics: [TOPICS.edges],
        fromBeginning: true,
        handleBatch,
        onAssignment(assignment) {
          const was = active;
          active = assignment.some((a) => a.topic === TOPICS.edges && a.partitions.includes(0));
          progress.assigned();
          unhealthy();
          if (active !== was)
            logger.info({ groupId, active }, active ? 'reaper active' : 'reaper standing by');
          hooks.emit('assignment', { active });
          if (active) sweepInBackground();
        },
      });
      timer = setInterval(() => {
        if (active) sweepInBackground();
      }, sweepIntervalMs);
    },
    async ready() {
      if (subscription === null) throw new OnlinetimeError('NOT_STARTED', 'reaper not started');
      await subscription.ready;
    },
    async stop() {
      if (timer !== null) clearInterval(timer);
      timer = null;
      active = false;
      const current = subscription;
      subscription = null;
      if (current !== null) await current.stop();
      active = false;
      await chain;
    },
  };
}
