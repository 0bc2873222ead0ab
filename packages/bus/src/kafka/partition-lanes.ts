import { createDeferred } from '../deferred.js';

/**
 * One serial lane per partition for a pipelined subscription: a batch taken from the fetcher runs
 * after the partition's previous one, in order, while the fetcher goes on to the next fetch. A lane
 * holds at most one batch at a time, and at most `maxRunning` lanes run at once (the subscription's
 * concurrency, as without pipelining): taking a batch waits for both. Memory stays bounded by one
 * batch per running lane plus the fetch in hand.
 */
export interface PartitionLanes {
  /**
   * Waits until the lane of (topic, partition) is free and a slot is open, or `gaveUp()` says to
   * stop waiting (checked every `pollMs`, after `onPoll`, which may throw to abort). Resolves false
   * if it gave up.
   */
  waitForRoom(
    topic: string,
    partition: number,
    pollMs: number,
    onPoll: () => Promise<void>,
    gaveUp: () => boolean,
  ): Promise<boolean>;
  /** Starts `work` in the lane, which must have room. Never rejects: `work` reports its own failures. */
  run(topic: string, partition: number, work: () => Promise<void>): void;
  /** Resolves when no lane runs. */
  idle(): Promise<void>;
}

/** Resolves when `event` settles or after `ms`, whichever comes first, leaving no timer behind. */
function settledOrAfter(event: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const elapsed = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  return Promise.race([event, elapsed]).finally(() => clearTimeout(timer));
}

export function createPartitionLanes(maxRunning: number): PartitionLanes {
  /** The running work per lane key. */
  const running = new Map<string, Promise<void>>();
  const keyOf = (topic: string, partition: number): string => `${partition}\u0000${topic}`;
  let finished = createDeferred<void>();
  const hasRoom = (key: string): boolean => !running.has(key) && running.size < maxRunning;

  return {
    async waitForRoom(topic, partition, pollMs, onPoll, gaveUp) {
      const key = keyOf(topic, partition);
      while (!hasRoom(key)) {
        await settledOrAfter(finished.promise, pollMs);
        if (gaveUp()) return false;
        if (!hasRoom(key)) await onPoll();
      }
      return !gaveUp();
    },
    run(topic, partition, work) {
      const key = keyOf(topic, partition);
      if (!hasRoom(key)) throw new Error(`no room to run a batch of ${topic}/${partition}`);
      running.set(
        key,
        (async () => {
          try {
            await work();
          } catch {
            // work reports its own failures; a lane never stops on one.
          } finally {
            running.delete(key);
            finished.resolve();
            finished = createDeferred<void>();
          }
        })(),
      );
    },
    async idle() {
      while (running.size > 0) await Promise.all(running.values());
    },
  };
}
