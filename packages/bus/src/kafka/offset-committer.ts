import type { EachBatchPayload } from 'kafkajs';

interface PendingOffset {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}

type Assignment = ReadonlyArray<{ readonly topic: string; readonly partitions: readonly number[] }>;

/**
 * When a subscription commits its offsets to the broker. With an interval of 0, after every handled
 * batch (one commit request per batch). With an interval, the offsets of handled batches wait and
 * go in one request at most every interval: on a busy IQ path a commit per batch is a broker round
 * trip that the next fetch waits for. Only offsets of handled batches are ever committed, so a
 * crash or a rebalance delivers at most one interval again and never skips anything.
 */
export interface OffsetCommitter {
  /** A batch was handled: its next offset is committed now or at the next due commit. */
  handled(payload: EachBatchPayload, topic: string, partition: number, nextOffset: string): Promise<void>;
  /** After a rebalance: forget offsets of partitions this member no longer holds. */
  retain(assignment: Assignment): void;
  /** What is still pending (the subscription is stopping): commit it with `commit`. */
  drain(): PendingOffset[];
}

export function createOffsetCommitter(intervalMs: number, now: () => number = Date.now): OffsetCommitter {
  const pending = new Map<string, PendingOffset>();
  let lastCommitAt = now();
  const keyOf = (topic: string, partition: number): string => `${partition}\u0000${topic}`;

  const take = (): PendingOffset[] => {
    const offsets = [...pending.values()];
    pending.clear();
    return offsets;
  };

  return {
    async handled(payload, topic, partition, nextOffset) {
      pending.set(keyOf(topic, partition), { topic, partition, offset: nextOffset });
      const at = now();
      if (intervalMs > 0 && at - lastCommitAt < intervalMs) return;
      lastCommitAt = at;
      const byTopic = new Map<string, Array<{ partition: number; offset: string }>>();
      for (const o of take()) {
        const list = byTopic.get(o.topic) ?? [];
        list.push({ partition: o.partition, offset: o.offset });
        byTopic.set(o.topic, list);
      }
      await payload.commitOffsetsIfNecessary({
        topics: [...byTopic].map(([t, partitions]) => ({ topic: t, partitions })),
      });
    },
    retain(assignment) {
      const held = new Set(assignment.flatMap((a) => a.partitions.map((p) => keyOf(a.topic, p))));
      for (const key of [...pending.keys()]) if (!held.has(key)) pending.delete(key);
    },
    drain: take,
  };
}
