import { performance } from 'node:perf_hooks';

import type { Batch, Bus, Subscription } from '@onlinetime/bus';
import { OnlinetimeError } from '@onlinetime/errors';
import { TOPICS } from '@onlinetime/events';
import type { Logger } from '@onlinetime/logging';
import type { Metrics } from '@onlinetime/metrics';
import type { AccountingRepository } from '@onlinetime/store';

import { applyBatch } from './apply-batch.js';
import { decodeBatch } from './decode-batch.js';
import { createHooks, type Hooks } from './emitter.js';
import { NOOP_METRICS, workerMetrics } from './metrics.js';
import { createOutageLog } from './outage.js';
import { createUserCache, DEFAULT_MAX_CACHED_USERS, type CachedPartition } from './user-cache.js';

export const DEFAULT_SESSIONS_GROUP = 'onlinetime-sessions';
const BATCH_WINDOW_MS = 100;
const COMMIT_INTERVAL_MS = 1_000;
/**
 * Room in one fetch for four full partition batches (the bus's 8 MiB per partition; the service runs
 * four partition batches at once). With the bus's 10 MiB a backlog came one or two partitions per
 * fetch, and each round ended with its largest batch running alone (BENCHMARKS.md).
 */
export const DEFAULT_SESSIONS_FETCH_BYTES = 4 * 8_388_608;

export interface SessionsWorkerOptions {
  readonly bus: Bus;
  readonly store: AccountingRepository;
  readonly logger: Logger;
  readonly metrics?: Metrics;
  /** Consumer group; default `onlinetime-sessions`. Offsets are recorded per group in MySQL. */
  readonly groupId?: string;
  /** Default TOPICS.sessions; benchmarks and tests may point a worker at a copy of it. */
  readonly topic?: string;
  /**
   * Committed user states kept in memory over all partitions (see user-cache.ts), so batches read
   * only users not seen before; 0 turns the cache off. Default 100,000.
   */
  readonly maxCachedUsers?: number;
  /** Upper bound of one fetch over all partitions (bytes); default DEFAULT_SESSIONS_FETCH_BYTES. */
  readonly maxBytesPerFetch?: number;
}

export interface BatchApplied {
  readonly topic: string;
  readonly partition: number;
  /** Offset recorded by this batch's transaction; null when the batch lay wholly below the stored one. */
  readonly nextOffset: string | null;
  readonly messages: number;
  readonly applied: number;
  readonly unchanged: number;
  readonly skipped: number;
  readonly invalid: number;
  readonly durationMs: number;
}

export interface SessionsWorkerEvents {
  'batch.applied': BatchApplied;
  /** The transaction failed: the batch will be delivered again. */
  'batch.failed': { readonly topic: string; readonly partition: number; readonly error: unknown };
  assignment: { readonly partitions: readonly number[] };
}

export interface SessionsWorker extends Hooks<SessionsWorkerEvents> {
  /** Joins the group and starts consuming; resolves once subscribed (see `ready`). */
  start(): Promise<void>;
  /** Resolves at the first partition assignment after start(). */
  ready(): Promise<void>;
  /** Partitions held since the last rebalance. */
  readonly partitions: readonly number[];
  /** Finishes the batch in hand (its transaction commits), leaves the group. */
  stop(): Promise<void>;
}

/**
 * Consumes xmpp.sessions and turns it into per-user online time, exactly once: each partition
 * batch and the next offset of that partition are written in one transaction; messages below the
 * recorded offset are skipped. A failing store makes the batch throw, so the bus redelivers it.
 */
export function createSessionsWorker(options: SessionsWorkerOptions): SessionsWorker {
  const { bus, store, logger } = options;
  const groupId = options.groupId ?? DEFAULT_SESSIONS_GROUP;
  const topic = options.topic ?? TOPICS.sessions;
  const metrics = workerMetrics(options.metrics ?? NOOP_METRICS);
  const hooks = createHooks<SessionsWorkerEvents>();
  const outage = createOutageLog(logger, 'sessions store transaction');
  const cache = createUserCache(options.maxCachedUsers ?? DEFAULT_MAX_CACHED_USERS);
  let subscription: Subscription | null = null;
  let partitions: number[] = [];

  async function handleBatch(batch: Batch): Promise<void> {
    const last = batch.messages.at(-1);
    if (last === undefined) return;
    const started = performance.now();
    const decoded = decodeBatch(batch.messages);
    const key = { groupId, topic: batch.topic, partition: batch.partition };
    const epoch = cache.epoch;
    // Taken out for the batch: if anything fails, the states are simply never put back.
    const cached = cache.take(batch.partition);
    let trusted: CachedPartition | null = null;
    let result;
    try {
      result = await store.inPartitionTransaction(key, (tx) => {
        trusted = cached !== null && cache.validFor(cached, tx.storedOffset, tx.storedWriter) ? cached : null;
        return applyBatch(tx, decoded.valid, BigInt(last.offset), {
          writer: cache.writer,
          ...(trusted === null ? {} : { known: trusted.states }),
        });
      });
    } catch (err) {
      metrics.storeFailures.inc();
      outage.failed(err, {
        topic: batch.topic,
        partition: batch.partition,
        firstOffset: batch.messages[0]?.offset,
      });
      hooks.emit('batch.failed', { topic: batch.topic, partition: batch.partition, error: err });
      throw err;
    }
    outage.succeeded();
    // Committed: the states are now what the partition's rows hold at the offset just written (or,
    // when nothing was written, the trusted ones still match the stored offset).
    if (result.nextOffset !== null)
      cache.put(batch.partition, epoch, result.nextOffset.toString(), result.users);
    else if (trusted !== null)
      cache.put(batch.partition, epoch, (trusted as CachedPartition).offset, result.users);
    const { storedOffset } = result;
    // Logged after the commit, and only for messages this transaction covered, so once each.
    const invalid = decoded.invalid.filter((m) => storedOffset === null || m.offset >= storedOffset);
    for (const m of invalid) {
      logger.warn(
        {
          topic: batch.topic,
          partition: batch.partition,
          offset: m.offset.toString(),
          field: m.field,
          reason: m.reason,
        },
        'invalid event skipped',
      );
    }
    const durationMs = performance.now() - started;
    metrics.invalid.inc({}, invalid.length);
    metrics.skipped.inc({}, result.skipped);
    metrics.batchSize.observe({}, batch.messages.length);
    metrics.batchSeconds.observe({}, durationMs / 1000);
    const counts = new Map<string, number>();
    for (const { offset, event } of decoded.valid) {
      if (storedOffset === null || offset >= storedOffset)
        counts.set(event.type, (counts.get(event.type) ?? 0) + 1);
    }
    for (const [type, n] of counts) metrics.consumed.inc({ type }, n);
    hooks.emit('batch.applied', {
      topic: batch.topic,
      partition: batch.partition,
      nextOffset: result.nextOffset === null ? null : result.nextOffset.toString(),
      messages: batch.messages.length,
      applied: result.applied,
      unchanged: result.unchanged,
      skipped: result.skipped,
      invalid: invalid.length,
      durationMs,
    });
  }

  return {
    on: hooks.on,
    get partitions() {
      return partitions;
    },
    async start() {
      if (subscription !== null) return;
      subscription = await bus.subscribe({
        groupId,
        topics: [topic],
        fromBeginning: true,
        // A transaction costs per batch as much as per event: under light traffic, let a tenth of a
        // second of events gather into one batch rather than one transaction for every few events.
        batchWindowMs: BATCH_WINDOW_MS,
        maxBytesPerFetch: options.maxBytesPerFetch ?? DEFAULT_SESSIONS_FETCH_BYTES,
        // MySQL holds the offsets that count; Kafka's are a hint for where to fetch from.
        commitIntervalMs: COMMIT_INTERVAL_MS,
        handleBatch,
        onAssignment(assignment) {
          // A rebalance may hand a partition to another worker and back: start from MySQL again.
          cache.clear();
          partitions = assignment.filter((a) => a.topic === topic).flatMap((a) => a.partitions);
          logger.info({ groupId, topic, partitions }, 'sessions partitions assigned');
          hooks.emit('assignment', { partitions });
        },
      });
    },
    async ready() {
      if (subscription === null) throw new OnlinetimeError('NOT_STARTED', 'sessions worker not started');
      await subscription.ready;
    },
    async stop() {
      const current = subscription;
      subscription = null;
      partitions = [];
      if (current !== null) await current.stop();
      cache.clear();
    },
  };
}
