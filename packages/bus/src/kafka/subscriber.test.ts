import { createLogger } from '@onlinetime/logging';
import { describe, expect, it } from 'vitest';

import type { KafkaClient } from './client.js';
import { resolveKafkaBusOptions } from './options.js';
import { createConsumer } from './subscriber.js';

function recordingClient(): { kafka: KafkaClient; configs: Array<Record<string, unknown>> } {
  const configs: Array<Record<string, unknown>> = [];
  const kafka = {
    consumer: (config: Record<string, unknown>) => {
      configs.push(config);
      return {};
    },
  } as unknown as KafkaClient;
  return { kafka, configs };
}

const options = resolveKafkaBusOptions({
  brokers: ['127.0.0.1:9092'],
  clientId: 'test',
  logger: createLogger({ name: 'test', level: 'silent' }),
  consumer: { maxWaitTimeInMs: 250 },
});

describe('createConsumer', () => {
  it('when no batch window is asked for, then a fetch returns as soon as anything is there', () => {
    const { kafka, configs } = recordingClient();
    createConsumer(kafka, 'g', options, {});
    expect(configs[0]).toMatchObject({ groupId: 'g', maxWaitTimeInMs: 250 });
    expect(configs[0]).not.toHaveProperty('minBytes');
  });

  it('when a batch window is asked for, then a fetch waits up to it for a MiB of records', () => {
    const { kafka, configs } = recordingClient();
    createConsumer(kafka, 'g', options, { batchWindowMs: 80 });
    expect(configs[0]).toMatchObject({ groupId: 'g', maxWaitTimeInMs: 80, minBytes: 1_048_576 });
  });

  it('when a fetch size is asked for, then it bounds the whole fetch instead of the bus default', () => {
    const { kafka, configs } = recordingClient();
    createConsumer(kafka, 'g', options, {});
    createConsumer(kafka, 'g', options, { maxBytesPerFetch: 33_554_432 });
    expect(configs[0]).toMatchObject({ maxBytes: options.consumer.maxBytes });
    expect(configs[1]).toMatchObject({ maxBytes: 33_554_432 });
  });
});
