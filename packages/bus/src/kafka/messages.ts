import type { KafkaMessage } from 'kafkajs';

import type { BusMessage } from '../types.js';

export function toBusMessage(topic: string, partition: number, message: KafkaMessage): BusMessage {
  return {
    topic,
    partition,
    offset: message.offset,
    key: message.key === null ? null : message.key.toString('utf8'),
    value: message.value,
    timestamp: Number(message.timestamp),
  };
}

/** The offset after `offset`: what a group commits once `offset` was handled. */
export function nextOffset(offset: string): string {
  return (BigInt(offset) + 1n).toString();
}
