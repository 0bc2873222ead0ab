import type { Bus, OutgoingRecord } from '@onlinetime/bus';
import type { Logger } from '@onlinetime/logging';

export interface OutboxRecord extends OutgoingRecord {
  readonly topic: string;
}

export interface OutboxOptions {
  readonly bus: Pick<Bus, 'publish'>;
  readonly logger: Logger;
  /** At this depth the outbox reports full (new logins are refused); it still accepts records. */
  readonly capacity: number;
  /** Records per publish call. Default 500. */
  readonly batchSize?: number;
  /** Retry backoff, doubling from initialMs to maxMs. Default 100 ms .. 5 s. */
  readonly backoff?: { readonly initialMs: number; readonly maxMs: number };
  /** Called whenever the depth changes. */
  readonly onDepth?: (depth: number) => void;
  /** Called when the outbox becomes full or stops being full. */
  readonly onFullChange?: (full: boolean) => void;
}

/**
 * The edge's ordered, bounded buffer in front of the bus. Records are published in enqueue order
 * (a failed batch is retried, with backoff, forever, before anything behind it), so session events
 * are never lost while Kafka is briefly away. Records are never refused: callers that can wait (new
 * logins) must check `isFull()` first; what still arrives while full is bounded by the open sessions.
 */
export interface Outbox {
  enqueue(record: OutboxRecord): void;
  depth(): number;
  isFull(): boolean;
  /** Resolves true once everything enqueued so far is published, false after `timeoutMs`. */
  flush(timeoutMs: number): Promise<boolean>;
  /** Stops retrying; what is left is reported in the log. */
  stop(): void;
}

export function createOutbox(options: OutboxOptions): Outbox {
  const { bus, logger, capacity } = options;
  const batchSize = options.batchSize ?? 500;
  const backoff = options.backoff ?? { initialMs: 100, maxMs: 5_000 };
  const queue: OutboxRecord[] = [];
  const drained = new Set<() => void>();
  let pumping = false;
  let stopped = false;
  let full = false;
  let wake: (() => void) | null = null;

  const changed = (): void => {
    options.onDepth?.(queue.length);
    const nowFull = queue.length >= capacity;
    if (nowFull !== full) {
      full = nowFull;
      if (full) logger.warn({ depth: queue.length, capacity }, 'event buffer full: refusing new logins');
      else logger.info({ depth: queue.length }, 'event buffer below capacity: accepting logins again');
      options.onFullChange?.(full);
    }
    if (queue.length === 0) for (const resolve of drained) resolve();
  };

  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        wake = null;
        resolve();
      }
      wake = done;
    });

  async function pump(): Promise<void> {
    if (pumping) return;
    pumping = true;
    let failures = 0;
    try {
      while (queue.length > 0 && !stopped) {
        const topic = (queue[0] as OutboxRecord).topic;
        let n = 1;
        while (n < queue.length && n < batchSize && (queue[n] as OutboxRecord).topic === topic) n++;
        const batch = queue.slice(0, n).map(({ key, value }) => ({ key, value }));
        try {
          await bus.publish(topic, batch);
          queue.splice(0, n);
          if (failures > 0) logger.info({ topic, failures }, 'event publishing recovered');
          failures = 0;
          changed();
        } catch (err) {
          failures++;
          const delay = Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.min(failures - 1, 20));
          if (failures === 1 || failures % 10 === 0) {
            logger.warn(
              { err, topic, depth: queue.length, failures, retryInMs: delay },
              'event publishing failed; retrying',
            );
          }
          await sleep(delay);
        }
      }
    } finally {
      pumping = false;
    }
  }

  return {
    enqueue(record) {
      if (stopped) {
        logger.error({ topic: record.topic, key: record.key }, 'event dropped: the event buffer is stopped');
        return;
      }
      queue.push(record);
      changed();
      void pump();
    },
    depth: () => queue.length,
    isFull: () => queue.length >= capacity,
    flush(timeoutMs) {
      if (queue.length === 0) return Promise.resolve(true);
      return new Promise((resolve) => {
        const finish = (ok: boolean): void => {
          clearTimeout(timer);
          drained.delete(onDrained);
          resolve(ok);
        };
        const onDrained = (): void => finish(true);
        const timer = setTimeout(() => finish(false), timeoutMs);
        drained.add(onDrained);
        wake?.(); // retry now rather than after the current backoff
      });
    },
    stop() {
      stopped = true;
      wake?.();
      if (queue.length > 0) {
        logger.error({ depth: queue.length }, 'event buffer stopped with unpublished events (they are lost)');
      }
    },
  };
}
