import type { KafkaMessage } from 'kafkajs';

import type { BusMessage } from '../types.js';

/**
 * A fetched KafkaJS message as a BusMessage. The key and the timestamp are decoded when first read:
 * the consumers of the hot paths (sessions worker, audit replay, responder) read only the value and
 * the offset, and decoding a key for each of millions of replayed records is measurable.
 */
class FetchedMessage implements BusMessage {
  private decodedKey: string | null | undefined = undefined;

  constructor(
    readonly topic: string,
    readonly partition: number,
    private readonly message: KafkaMessage,
  ) {}

  get offset(): string {
    return this.message.offset;
  }

  get value(): Buffer | null {
    return this.message.value;
  }

  get key(): string | null {
    if (this.decodedKey === undefined) {
      const { key } = this.message;
      this.decodedKey = key === null || key === undefined ? null : key.toString('utf8');
    }
    return this.decodedKey;
  }

  get timestamp(): number {
    return Number(this.message.timestamp);
  }

  /** What a log line or a test sees: the plain fields, decoded. */
  toJSON(): BusMessage {
    const { topic, partition, offset, key, value, timestamp } = this;
    return { topic, partition, offset, key, value, timestamp };
  }
}

export function toBusMessage(topic: string, partition: number, message: KafkaMessage): BusMessage {
  return new FetchedMessage(topic, partition, message);
}

/** The offset after `offset`: what a group commits once `offset` was handled. */
export function nextOffset(offset: string): string {
  return (BigInt(offset) + 1n).toString();
}
