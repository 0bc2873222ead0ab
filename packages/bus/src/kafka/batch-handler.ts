import type { Logger } from '@onlinetime/logging';
import type { EachBatchPayload } from 'kafkajs';

import { backoffDelay, type BackoffSettings, type StopSignal } from '../backoff.js';
import type { Batch, BatchContext, SubscribeOptions } from '../types.js';
import { nextOffset, toBusMessage } from './messages.js';
import type { OffsetCommitter } from './offset-committer.js';

/**
 * The eachBatch of one subscription (KafkaJS runs it with eachBatchAutoResolve off and autoCommit
 * off). The offset is resolved and committed (see offset-committer.ts) only after handleBatch resolved. When it throws, the
 * same batch is handed to it again after a backoff, heartbeating meanwhile; if the member is
 * stopping or loses the partition first, we return without resolving anything, so whoever reads the
 * partition next starts again from the last committed offset. Nothing is ever skipped.
 */
export function createBatchHandler(deps: {
  readonly handleBatch: SubscribeOptions['handleBatch'];
  readonly groupId: string;
  readonly stop: StopSignal;
  readonly backoff: BackoffSettings;
  readonly logger: Logger;
  readonly committer: OffsetCommitter;
}): (payload: EachBatchPayload) => Promise<void> {
  return async (payload) => {
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
    for (let attempt = 0; ; attempt += 1) {
      try {
        await deps.handleBatch(busBatch, context);
        break;
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
      if (context.isStopping()) return;
      await deps.stop.wait(backoffDelay(attempt, deps.backoff));
      if (context.isStopping()) return;
      // Throws while the group rebalances: KafkaJS rejoins, and the batch (never resolved) is
      // fetched again by whoever owns the partition then.
      await payload.heartbeat();
    }
    const last = batch.lastOffset();
    payload.resolveOffset(last);
    await deps.committer.handled(payload, batch.topic, batch.partition, nextOffset(last));
  };
}
