import type { Logger } from '@onlinetime/logging';

import { backoffDelay, type BackoffSettings } from '../backoff.js';
import { createDeferred } from '../deferred.js';
import { busError } from '../errors.js';
import type { BatchContext, SubscribeOptions, Subscription } from '../types.js';
import type { Assignment, EmbeddedGroup, GroupMember } from './group.js';
import type { EmbeddedLog } from './log.js';

export interface EmbeddedMember extends GroupMember, Subscription {
  /** Starts the delivery loop (after the member joined its group). */
  start(): void;
}

interface Work {
  readonly topic: string;
  readonly partition: number;
  readonly from: number;
  readonly to: number;
}

/**
 * One member of an embedded consumer group: a loop that picks a partition it owns with messages
 * past the committed offset, hands them to handleBatch, and commits after it resolved. A failed
 * batch is retried from the same offset after a backoff; timers end with stop().
 */
export function createEmbeddedMember(deps: {
  readonly id: string;
  readonly log: EmbeddedLog;
  readonly group: EmbeddedGroup;
  readonly subscribe: SubscribeOptions;
  readonly maxBatchMessages: number;
  readonly backoff: BackoffSettings;
  readonly logger: Logger | undefined;
}): EmbeddedMember {
  const { id, log, group, subscribe } = deps;
  const ready = createDeferred<void>();
  const retries = new Map<string, { attempt: number; at: number }>();
  const timers = new Set<NodeJS.Timeout>();
  let assignment: Assignment = [];
  let stopped = false;
  let woken = false;
  let sleeper: (() => void) | null = null;
  let cursor = 0;
  /** Set by pick(): how long until the earliest retry it skipped is due. */
  let retryDueInMs: number | undefined;

  const wake = (): void => {
    woken = true;
    sleeper?.();
  };
  const sleep = (): Promise<void> => {
    if (woken) return Promise.resolve();
    return new Promise<void>((resolve) => (sleeper = resolve));
  };
  const wakeAt = (delayMs: number): void => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      wake();
    }, delayMs);
    timers.add(timer);
  };

  function pick(): Work | undefined {
    const owned = assignment.flatMap(({ topic, partitions }) =>
      partitions.map((partition) => ({ topic, partition })),
    );
    const now = Date.now();
    retryDueInMs = undefined;
    for (let i = 0; i < owned.length; i += 1) {
      const { topic, partition } = owned[(cursor + i) % owned.length]!;
      if (group.owner(topic, partition) !== id) continue;
      const retry = retries.get(`${topic}/${partition}`);
      if (retry !== undefined && retry.at > now) {
        retryDueInMs = Math.min(retryDueInMs ?? Infinity, retry.at - now);
        continue;
      }
      const from = group.committed(topic, partition) ?? 0;
      const end = log.topic(topic).partitions[partition]!.length;
      if (from >= end || !group.lease(topic, partition)) continue;
      cursor = (cursor + i + 1) % owned.length;
      return { topic, partition, from, to: Math.min(end, from + deps.maxBatchMessages) };
    }
    return undefined;
  }

  async function deliver({ topic, partition, from, to }: Work): Promise<void> {
    const key = `${topic}/${partition}`;
    const messages = log.topic(topic).partitions[partition]!.slice(from, to);
    const context: BatchContext = {
      heartbeat: () => Promise.resolve(),
      isStopping: () => stopped || group.owner(topic, partition) !== id,
    };
    try {
      await subscribe.handleBatch({ topic, partition, messages }, context);
      // Still leased by us, so nobody else read past `from`: committing is safe even if revoked.
      group.commit(topic, partition, to);
      retries.delete(key);
    } catch (err) {
      const attempt = (retries.get(key)?.attempt ?? -1) + 1;
      const delayMs = backoffDelay(attempt, deps.backoff);
      retries.set(key, { attempt, at: Date.now() + delayMs });
      wakeAt(delayMs);
      deps.logger?.warn(
        { err, groupId: subscribe.groupId, topic, partition, offset: from, attempt },
        'batch handler failed; the batch will be delivered again',
      );
    } finally {
      group.release(topic, partition);
    }
  }

  async function run(): Promise<void> {
    while (!stopped) {
      woken = false;
      const work = pick();
      if (work !== undefined) await deliver(work);
      else {
        // A backoff timer may fire a little before Date.now() reaches its retry time (timers run
        // on another clock): a retry still ahead gets a wake-up of its own, or it would wait forever.
        if (retryDueInMs !== undefined) wakeAt(retryDueInMs);
        await sleep();
      }
    }
  }

  let loop: Promise<void> = Promise.resolve();
  let stopping: Promise<void> | null = null;
  const member: EmbeddedMember = {
    id,
    topics: subscribe.topics,
    ready: ready.promise,
    wake,
    start() {
      loop = run();
    },
    assigned(next) {
      assignment = next;
      if (subscribe.fromBeginning === false) {
        // Like auto.offset.reset=latest: a group without offsets starts at the end of the log.
        for (const { topic, partitions } of next) {
          for (const p of partitions) {
            if (group.committed(topic, p) === undefined)
              group.commit(topic, p, log.topic(topic).partitions[p]!.length);
          }
        }
      }
      queueMicrotask(() => {
        try {
          subscribe.onAssignment?.(
            next.map(({ topic, partitions }) => ({ topic, partitions: [...partitions] })),
          );
        } catch (err) {
          deps.logger?.error({ err, groupId: subscribe.groupId }, 'onAssignment callback failed');
        }
        ready.resolve();
      });
      wake();
    },
    stop() {
      stopping ??= (async () => {
        stopped = true;
        ready.reject(
          busError('BUS_STOPPED', `subscription of group ${subscribe.groupId} stopped before joining`),
        );
        wake();
        await loop;
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        group.leave(member);
      })();
      return stopping;
    },
  };
  return member;
}
