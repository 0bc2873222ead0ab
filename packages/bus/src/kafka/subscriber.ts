import type { Logger } from '@onlinetime/logging';
import type { Consumer, EachBatchPayload } from 'kafkajs';

import { backoffDelay, createStopSignal } from '../backoff.js';
import { createDeferred } from '../deferred.js';
import { busError } from '../errors.js';
import type { SubscribeOptions, Subscription } from '../types.js';
import { createBatchHandler } from './batch-handler.js';
import type { KafkaClient } from './client.js';
import { toBusError } from './errors.js';
import { createOffsetCommitter } from './offset-committer.js';
import type { ResolvedKafkaBusOptions } from './options.js';

type Assignment = Array<{ topic: string; partitions: number[] }>;

function toAssignment(memberAssignment: Record<string, number[]>): Assignment {
  return Object.entries(memberAssignment)
    .map(([topic, partitions]) => ({ topic, partitions: [...partitions].sort((a, b) => a - b) }))
    .sort((a, b) => a.topic.localeCompare(b.topic));
}

/** Bytes a fetch waits for, within its batch window, before it returns early. */
const BATCH_WINDOW_MIN_BYTES = 1_048_576;

/** The per-subscription fetch tuning (see SubscribeOptions). */
export type FetchTuning = Pick<SubscribeOptions, 'batchWindowMs' | 'maxBytesPerFetch'>;

export function createConsumer(
  kafka: KafkaClient,
  groupId: string,
  options: ResolvedKafkaBusOptions,
  { batchWindowMs, maxBytesPerFetch }: FetchTuning,
): Consumer {
  const c = options.consumer;
  return kafka.consumer({
    groupId,
    ...(batchWindowMs === undefined ? {} : { minBytes: BATCH_WINDOW_MIN_BYTES }),
    sessionTimeout: c.sessionTimeoutMs,
    heartbeatInterval: c.heartbeatIntervalMs,
    rebalanceTimeout: c.rebalanceTimeoutMs,
    maxWaitTimeInMs: batchWindowMs ?? c.maxWaitTimeInMs,
    maxBytesPerPartition: c.maxBytesPerPartition,
    maxBytes: maxBytesPerFetch ?? c.maxBytes,
    allowAutoTopicCreation: false,
    retry: options.retry,
  });
}

/**
 * One consumer-group member: a KafkaJS consumer running a batch handler; see batch-handler.ts.
 * KafkaJS restarts its consumer after a retriable crash but gives up after one whose cause it deems
 * non-retriable; a member that has joined once then starts a new KafkaJS consumer in the same group,
 * with backoff, rather than sit idle while its service reports ready.
 */
export async function startSubscription(deps: {
  readonly kafka: KafkaClient;
  readonly options: ResolvedKafkaBusOptions;
  readonly logger: Logger;
  readonly subscribe: SubscribeOptions;
}): Promise<Subscription> {
  const { subscribe, options } = deps;
  const { groupId } = subscribe;
  const logger = deps.logger.child({ groupId });
  const ready = createDeferred<void>();
  const stop = createStopSignal();
  const inFlight = new Set<Promise<void>>();
  const committer = createOffsetCommitter(subscribe.commitIntervalMs ?? 0);
  const handle = createBatchHandler({
    handleBatch: subscribe.handleBatch,
    groupId,
    stop,
    backoff: options.consumer.redeliveryBackoff,
    logger,
    committer,
  });
  const tracked = (payload: EachBatchPayload): Promise<void> => {
    const work = handle(payload);
    const settled = work.then(
      () => undefined,
      () => undefined,
    );
    inFlight.add(settled);
    void settled.then(() => inFlight.delete(settled));
    return work;
  };
  let joined = false;
  /** Set once stop() disconnects: a join after that is a KafkaJS restart that must not stay. */
  let left = false;
  let replacing: Promise<void> | null = null;
  const report = (assignment: Assignment): void => {
    try {
      subscribe.onAssignment?.(assignment);
    } catch (err) {
      logger.error({ err }, 'onAssignment callback failed');
    }
  };

  const startMember = async (): Promise<Consumer> => {
    const member = createConsumer(deps.kafka, groupId, options, subscribe);
    // A stop() while KafkaJS is still joining resolves at once, and the join in flight then fails on
    // the closed connection: KafkaJS calls that a crash and schedules a restart, which would join the
    // group again in a process that is shutting down. So a member that crashes while stopping, or
    // joins after it left, is disconnected again.
    const leaveAgain = (): void => {
      void member.disconnect().catch(() => undefined);
    };
    member.on(member.events.GROUP_JOIN, ({ payload }) => {
      if (left) {
        leaveAgain();
        return;
      }
      const assignment = toAssignment(payload.memberAssignment);
      committer.retain(assignment);
      logger.info({ memberId: payload.memberId, assignment }, 'joined consumer group');
      report(assignment);
      joined = true;
      ready.resolve();
    });
    member.on(member.events.CRASH, ({ payload }) => {
      if (stop.fired) {
        logger.info({ restart: payload.restart }, 'consumer crashed while stopping; cancelling its restart');
        // KafkaJS sets its restart timer right after this event; disconnecting clears it.
        setImmediate(leaveAgain);
        return;
      }
      const err = toBusError('BUS_CONSUMER_CRASHED', `consumer of group ${groupId} crashed`, payload.error, {
        groupId,
      });
      logger.error({ err, restart: payload.restart }, 'consumer crashed');
      // Until it rejoins the member reads nothing, and the group may hand its partitions to another.
      if (joined) report([]);
      if (payload.restart) return;
      if (!joined) ready.reject(err);
      else replacing ??= replaceMember().finally(() => (replacing = null));
    });
    try {
      await member.connect();
      await member.subscribe({
        topics: [...subscribe.topics],
        fromBeginning: subscribe.fromBeginning ?? true,
      });
    } catch (err) {
      await member.disconnect().catch(() => undefined);
      throw toBusError('BUS_SUBSCRIBE_FAILED', `cannot subscribe group ${groupId}`, err, {
        groupId,
        topics: subscribe.topics,
      });
    }
    // run() resolves once the member joined (or crashed); `ready` reports which.
    member
      .run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently:
          subscribe.concurrency ?? options.consumer.partitionsConsumedConcurrently,
        eachBatch: tracked,
      })
      .catch((err: unknown) =>
        ready.reject(toBusError('BUS_SUBSCRIBE_FAILED', `group ${groupId} did not start`, err)),
      );
    return member;
  };

  let consumer = await startMember();

  async function replaceMember(): Promise<void> {
    for (let attempt = 0; !stop.fired; attempt += 1) {
      const delayMs = backoffDelay(attempt, options.consumer.redeliveryBackoff);
      logger.warn({ delayMs, attempt }, 'KafkaJS will not restart the consumer; starting a new member');
      await stop.wait(delayMs);
      if (stop.fired) return;
      await consumer.disconnect().catch(() => undefined);
      try {
        consumer = await startMember();
        return;
      } catch (err) {
        logger.error({ err, attempt }, 'starting a new member failed');
      }
    }
  }

  let stopping: Promise<void> | null = null;
  return {
    ready: ready.promise,
    stop() {
      stopping ??= (async () => {
        stop.fire();
        ready.reject(busError('BUS_STOPPED', `subscription of group ${groupId} stopped before joining`));
        // A member being replaced is in place (or given up) before this one leaves.
        await replacing;
        // The batch in hand finishes (and commits) first; then the member leaves the group.
        await Promise.all(inFlight);
        const pending = committer.drain();
        if (pending.length > 0) {
          // Still a member here: the offsets of batches handled since the last commit.
          await consumer.commitOffsets(pending).catch((err: unknown) => {
            logger.warn({ err, partitions: pending.length }, 'committing the last offsets failed');
          });
        }
        left = true;
        try {
          await consumer.disconnect();
          logger.info('left consumer group');
        } catch (err) {
          // The coordinator drops the member after sessionTimeout anyway.
          logger.warn({ err }, 'leaving the consumer group failed');
        }
      })();
      return stopping;
    },
  };
}
