import type { Logger } from '@onlinetime/logging';
import type { Message, Producer } from 'kafkajs';

import { stoppedError } from '../errors.js';
import type { OutgoingRecord } from '../types.js';
import { toBusError } from './errors.js';
import type { PublishBatchStats, ResolvedKafkaBusOptions } from './options.js';

/** One publish() call; it resolves when every part of it was acknowledged. */
interface Ticket {
  unacked: number;
  settled: boolean;
  resolve(): void;
  reject(err: unknown): void;
}

/** Records of one call, or the part of it not yet taken into a produce request. */
interface Chunk {
  readonly topic: string;
  records: readonly OutgoingRecord[];
  readonly ticket: Ticket;
}

export interface Publisher {
  publish(topic: string, records: readonly OutgoingRecord[]): Promise<void>;
  /** Sends everything queued, then refuses new records. */
  close(): Promise<void>;
}

/** Rough wire size of a record: key + value + record/batch overhead. */
const recordBytes = (r: OutgoingRecord): number => Buffer.byteLength(r.key) + r.value.length + 32;

/**
 * Micro-batching in front of one KafkaJS producer. KafkaJS sends one produce request per send(),
 * so concurrent publish() calls are queued and sent together by one sendBatch per flush.
 *
 * Ordering: exactly one sendBatch is in flight at a time, and the producer runs with
 * maxInFlightRequests: 1 and is NOT idempotent. A record is therefore sent (and retried by KafkaJS)
 * only after every earlier record was acknowledged or failed, so records of one key stay in publish
 * order on their partition. We chose this over `idempotent: true` because KafkaJS documents its
 * idempotent producer as experimental, and after a request that exhausted its retries its sequence
 * numbers can get out of step (OUT_OF_ORDER_SEQUENCE_NUMBER) until the producer is recreated. The
 * price is possible duplicates when a retried request had in fact been written; every consumer of
 * this product is idempotent (session ids start and stop at most once; offsets are stored with
 * the results).
 */
export function createPublisher(deps: {
  readonly producer: Pick<Producer, 'sendBatch'>;
  readonly connect: () => Promise<void>;
  readonly options: ResolvedKafkaBusOptions;
  readonly logger: Logger;
}): Publisher {
  const { producer, options, logger } = deps;
  const settings = options.producer;
  const queue: Chunk[] = [];
  let flushing: Promise<void> | null = null;
  let cancelScheduled: (() => void) | null = null;
  let closed = false;

  function take(): Chunk[] {
    const taken: Chunk[] = [];
    let records = 0;
    let bytes = 0;
    while (queue.length > 0) {
      const chunk = queue[0]!;
      if (chunk.ticket.settled) {
        queue.shift();
        continue;
      }
      let count = 0;
      while (count < chunk.records.length) {
        const size = recordBytes(chunk.records[count]!);
        const full = records + count >= settings.maxBatchRecords || bytes + size > settings.maxBatchBytes;
        if (full && records + count > 0) break;
        bytes += size;
        count += 1;
      }
      if (count === 0) break;
      records += count;
      if (count === chunk.records.length) {
        queue.shift();
        taken.push(chunk);
      } else {
        taken.push({ topic: chunk.topic, records: chunk.records.slice(0, count), ticket: chunk.ticket });
        chunk.records = chunk.records.slice(count);
        break;
      }
    }
    return taken;
  }

  async function send(chunks: Chunk[]): Promise<void> {
    const byTopic = new Map<string, Message[]>();
    let records = 0;
    let bytes = 0;
    for (const chunk of chunks) {
      let messages = byTopic.get(chunk.topic);
      if (messages === undefined) byTopic.set(chunk.topic, (messages = []));
      for (const r of chunk.records) {
        messages.push({ key: r.key, value: r.value });
        bytes += recordBytes(r);
      }
      records += chunk.records.length;
    }
    const started = Date.now();
    const report = (ok: boolean): void => {
      const stats: PublishBatchStats = {
        calls: chunks.length,
        records,
        bytes,
        durationMs: Date.now() - started,
        ok,
      };
      options.onPublishBatch?.(stats);
    };
    try {
      await deps.connect();
      await producer.sendBatch({
        topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
        acks: -1,
        timeout: settings.ackTimeoutMs,
      });
    } catch (err) {
      report(false);
      const error = toBusError('BUS_PUBLISH_FAILED', 'publish failed', err, {
        topics: [...byTopic.keys()],
        records,
      });
      logger.warn({ err: error, topics: [...byTopic.keys()], records }, 'publish failed');
      for (const { ticket } of chunks) {
        if (ticket.settled) continue;
        ticket.settled = true;
        ticket.reject(error);
      }
      return;
    }
    report(true);
    for (const chunk of chunks) {
      const { ticket } = chunk;
      ticket.unacked -= chunk.records.length;
      if (!ticket.settled && ticket.unacked === 0) {
        ticket.settled = true;
        ticket.resolve();
      }
    }
  }

  async function drain(): Promise<void> {
    for (let chunks = take(); chunks.length > 0; chunks = take()) await send(chunks);
  }

  function startDrain(): void {
    cancelScheduled?.();
    cancelScheduled = null;
    flushing = drain().finally(() => {
      flushing = null;
      if (queue.length > 0) schedule();
    });
  }

  function schedule(): void {
    if (flushing !== null || cancelScheduled !== null) return;
    if (settings.lingerMs > 0) {
      const timer = setTimeout(startDrain, settings.lingerMs);
      cancelScheduled = () => clearTimeout(timer);
    } else {
      const immediate = setImmediate(startDrain);
      cancelScheduled = () => clearImmediate(immediate);
    }
  }

  return {
    publish(topic, records) {
      if (closed) return Promise.reject(stoppedError('publish'));
      if (records.length === 0) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        queue.push({
          topic,
          records: records.slice(),
          ticket: { unacked: records.length, settled: false, resolve, reject },
        });
        schedule();
      });
    },
    async close() {
      closed = true;
      while (flushing !== null || queue.length > 0) {
        if (flushing === null) startDrain();
        await flushing;
      }
      cancelScheduled?.();
      cancelScheduled = null;
    },
  };
}
