import type { Logger } from '@onlinetime/logging';
import type { EachBatchPayload, KafkaMessage } from 'kafkajs';

import { backoffDelay, type BackoffSettings, type StopSignal } from '../backoff.js';
import type { Batch, BatchContext, SubscribeOptions } from '../types.js';
import { nextOffset, toBusMessage } from './messages.js';
import type { OffsetCommitter } from './offset-committer.js';
import { createPartitionLanes } from './partition-lanes.js';

export interface BatchHandler {
  (payload: EachBatchPayload): Promise<void>;
  /** Resolves when no batch is being handled behind the fetcher (pipelined subscriptions). */
  settled(): Promise<void>;
}

/**
 * The eachBatch of one subscription (KafkaJS runs it with eachBatchAutoResolve off and autoCommit
 * off). The offset is committed (see offset-committer.ts) only after handleBatch resolved. When it
 * throws, the same batch is handed to it again after a backoff, heartbeating meanwhile; if the
 * member is stopping or loses the partition first, nothing more is committed, so whoever reads the
 * partition next starts again from the last committed offset. Nothing is ever skipped.
 *
 * Pipelined: the batch is taken into its partition's lane (see partition-lanes.ts) and the fetcher
 * is released at once, so the next fetch overlaps the handling; the offset is resolved (the fetch
 * position moves on) but committed to Kafka only once handled, exactly as above.
 */
export function createBatchHandler(deps: {
  readonly handleBatch: SubscribeOptions['handleBatch'];
  readonly groupId: string;
  readonly stop: StopSignal;
  readonly backoff: BackoffSettings;
  readonly logger: Logger;
  readonly committer: OffsetCommitter;
  /**
   * Pipelined subscriptions: how to rewind a partition's fetch position (KafkaJS consumer.seek)
   * when a batch taken into a lane could not be handled.
   */
  readonly pipeline?: {
    /** Lanes running at once: the subscription's concurrency. */
    readonly concurrency: number;
    readonly seek: (topic: string, partition: number, offset: string) => void;
    /** How often a batch waiting for its lane heartbeats. */
    readonly heartbeatIntervalMs: number;
  };
}): BatchHandler {
  const lanes = createPartitionLanes(deps.pipeline?.concurrency ?? 1);

  /** Hands the batch to handleBatch until it succeeds; false if the member stopped or moved on. */
  async function handleUntilDone(
    payload: EachBatchPayload,
    busBatch: Batch,
    context: BatchContext,
  ): Promise<boolean> {
    const { batch } = payload;
    for (let attempt = 0; ; attempt += 1) {
      try {
        await deps.handleBatch(busBatch, context);
        return true;
      } catch (err) {
        deps.logger.warn(
          {
            err,
            groupId: deps.groupId,
            topic: batch.topic,
            partition: batch.partition,
            firstOffset: batch.firstOffset(),
            lastOffset: batch.lastOffset(),
            attempt,
          },
          'batch handler failed; the batch will be delivered again',
        );
      }
      if (context.isStopping()) return false;
      await deps.stop.wait(backoffDelay(attempt, deps.backoff));
      if (context.isStopping()) return false;
      // Throws while the group rebalances: KafkaJS rejoins, and the batch (never committed) is
      // fetched again by whoever owns the partition then.
      await payload.heartbeat();
    }
  }

  const handler = async (payload: EachBatchPayload): Promise<void> => {
    const { batch } = payload;
    if (deps.stop.fired || batch.messages.length === 0) return;
    const busBatch: Batch = {
      topic: batch.topic,
      partition: batch.partition,
      messages: batch.messages.map((m) => toBusMessage(batch.topic, batch.partition, m)),
    };
    const context: BatchContext = {
      heartbeat: () => payload.heartbeat(),
      isStopping: () => deps.stop.fired || !payload.isRunning() || payload.isStale(),
    };
    const last = batch.lastOffset();
    const { pipeline } = deps;
    if (pipeline === undefined) {
      if (!(await handleUntilDone(payload, busBatch, context))) return;
      payload.resolveOffset(last);
      await deps.committer.handled(payload, batch.topic, batch.partition, nextOffset(last));
      return;
    }
    // The partition's previous batch is still being handled: wait for it here, heartbeating, so
    // the fetcher holds this one (and fetches nothing more) until the lane is free.
    // A previous batch that could not be handled left a rewind pending (isStale): this one is not
    // taken, and the partition is fetched again from that batch.
    const room = await lanes.waitForRoom(
      batch.topic,
      batch.partition,
      pipeline.heartbeatIntervalMs,
      () => payload.heartbeat(),
      context.isStopping,
    );
    if (!room) return;
    payload.resolveOffset(last);
    // Not empty (checked above): its first message's offset is where a rewind goes back to.
    const first = (batch.messages[0] as KafkaMessage).offset;
    lanes.run(batch.topic, batch.partition, async () => {
      let handled = false;
      try {
        handled = !context.isStopping() && (await handleUntilDone(payload, busBatch, context));
      } finally {
        // Rewind before the lane frees, so the batch waiting behind this one sees the rewind
        // (isStale) and gives up, and nothing after an unhandled batch is ever handled.
        if (!handled && !deps.stop.fired) pipeline.seek(batch.topic, batch.partition, first);
      }
      if (!handled) return;
      await deps.committer
        .handled(payload, batch.topic, batch.partition, nextOffset(last))
        .catch((err: unknown) => {
          // Handled and stored; only the hint of where to fetch from is late (next commit or owner).
          deps.logger.debug(
            { err, groupId: deps.groupId, partition: batch.partition },
            'offset commit failed',
          );
        });
    });
  };
  return Object.assign(handler, { settled: () => lanes.idle() });
}
