import { Writable } from 'node:stream';

import { createLogger, type Logger } from '@onlinetime/logging';
import { describe, expect, it, vi } from 'vitest';

import type { KafkaClient } from './client.js';
import { resolveKafkaBusOptions } from './options.js';
import { createConsumer, startSubscription } from './subscriber.js';

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

interface FakeMember {
  readonly events: { GROUP_JOIN: string; CRASH: string };
  on(name: string, listener: (event: { payload: unknown }) => void): () => void;
  emit(name: string, payload: unknown): void;
  readonly connect: ReturnType<typeof vi.fn>;
  readonly subscribe: ReturnType<typeof vi.fn>;
  readonly run: ReturnType<typeof vi.fn>;
  readonly disconnect: ReturnType<typeof vi.fn>;
  readonly commitOffsets: ReturnType<typeof vi.fn>;
}

/** A KafkaJS client whose consumers are fakes that the test makes join and crash. */
function fakeKafka(): { kafka: KafkaClient; members: FakeMember[] } {
  const members: FakeMember[] = [];
  const kafka = {
    consumer: () => {
      const listeners = new Map<string, (event: { payload: unknown }) => void>();
      const member: FakeMember = {
        events: { GROUP_JOIN: 'consumer.group_join', CRASH: 'consumer.crash' },
        on: (name, listener) => {
          listeners.set(name, listener);
          return () => listeners.delete(name);
        },
        emit: (name, payload) => listeners.get(name)?.({ payload }),
        connect: vi.fn(() => Promise.resolve()),
        subscribe: vi.fn(() => Promise.resolve()),
        run: vi.fn(() => Promise.resolve()),
        disconnect: vi.fn(() => Promise.resolve()),
        commitOffsets: vi.fn(() => Promise.resolve()),
      };
      members.push(member);
      return member;
    },
  } as unknown as KafkaClient;
  return { kafka, members };
}

function sinkLogger(): { logger: Logger; messages: string[] } {
  const messages: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      messages.push((JSON.parse(chunk.toString('utf8')) as { msg: string }).msg);
      done();
    },
  });
  return { logger: createLogger({ name: 'test', level: 'info', destination }), messages };
}

const quickOptions = resolveKafkaBusOptions({
  brokers: ['127.0.0.1:9092'],
  clientId: 'test',
  logger: createLogger({ name: 'test', level: 'silent' }),
  consumer: { redeliveryBackoff: { initialMs: 1, maxMs: 1 } },
});

const JOIN = { memberId: 'm', memberAssignment: { t: [0] } };

/** A KafkaJS eachBatch payload of one message at offset 5 of t/0. */
function fakeBatchPayload(): unknown {
  return {
    batch: {
      topic: 't',
      partition: 0,
      messages: [{ offset: '5', key: null, value: Buffer.from('x'), timestamp: '0', headers: {} }],
      firstOffset: () => '5',
      lastOffset: () => '5',
    },
    resolveOffset: () => undefined,
    heartbeat: () => Promise.resolve(),
    isRunning: () => true,
    isStale: () => false,
    commitOffsetsIfNecessary: () => Promise.resolve(),
  };
}

describe('startSubscription', () => {
  const start = async (options: { join: boolean }) => {
    const { kafka, members } = fakeKafka();
    const { logger, messages } = sinkLogger();
    const assignments: unknown[] = [];
    const subscription = await startSubscription({
      kafka,
      options: quickOptions,
      logger,
      subscribe: {
        groupId: 'g',
        topics: ['t'],
        handleBatch: () => Promise.resolve(),
        onAssignment: (assignment) => assignments.push(assignment),
      },
    });
    const first = members[0] as FakeMember;
    if (options.join) {
      first.emit(first.events.GROUP_JOIN, JOIN);
      await subscription.ready;
    }
    return { members, messages, subscription, first, assignments };
  };

  it('when KafkaJS gives up on a member that had joined, then a new member joins the same group, and stop leaves with it', async () => {
    const { members, messages, subscription, first } = await start({ join: true });

    first.emit(first.events.CRASH, { error: new Error('not retriable'), restart: false });
    await vi.waitFor(() => expect(members[1]?.run).toHaveBeenCalledTimes(1));
    const second = members[1] as FakeMember;
    expect(second.subscribe).toHaveBeenCalledWith({ topics: ['t'], fromBeginning: true });
    expect(first.disconnect).toHaveBeenCalled();
    expect(messages).toContain('KafkaJS will not restart the consumer; starting a new member');

    await subscription.stop();
    expect(second.disconnect).toHaveBeenCalledTimes(1);
    expect(members).toHaveLength(2);
  });

  it('when KafkaJS restarts the crashed member itself, then no new member is started', async () => {
    const { members, messages, subscription, first } = await start({ join: true });

    first.emit(first.events.CRASH, { error: new Error('retriable'), restart: true });
    await subscription.stop();

    expect(messages).toContain('consumer crashed');
    expect(messages).not.toContain('KafkaJS will not restart the consumer; starting a new member');
    expect(members).toHaveLength(1);
  });

  it('when a member that had joined crashes, then it reports holding nothing until it rejoins', async () => {
    const { subscription, first, assignments } = await start({ join: true });

    first.emit(first.events.CRASH, { error: new Error('broker unreachable'), restart: true });
    first.emit(first.events.GROUP_JOIN, { memberId: 'm2', memberAssignment: { t: [1, 0] } });
    await subscription.stop();

    expect(assignments).toEqual([
      [{ topic: 't', partitions: [0] }],
      [],
      [{ topic: 't', partitions: [0, 1] }],
    ]);
  });

  it('when the join in flight at stop() fails and KafkaJS schedules a restart, then the member is disconnected again and never reports an assignment', async () => {
    const { subscription, first, assignments, messages } = await start({ join: false });

    await subscription.stop();
    expect(first.disconnect).toHaveBeenCalledTimes(1);
    first.emit(first.events.CRASH, { error: new Error('write after end'), restart: true });
    await vi.waitFor(() => expect(first.disconnect).toHaveBeenCalledTimes(2));
    first.emit(first.events.GROUP_JOIN, JOIN);
    expect(first.disconnect).toHaveBeenCalledTimes(3);

    expect(assignments).toEqual([]);
    expect(messages).toContain('consumer crashed while stopping; cancelling its restart');
    expect(messages).not.toContain('joined consumer group');
  });

  it('when the group rebalances while a stop drains the batch in hand, then the member stays to commit it', async () => {
    const { kafka, members } = fakeKafka();
    let finishBatch: () => void = () => undefined;
    const subscription = await startSubscription({
      kafka,
      options: quickOptions,
      logger: sinkLogger().logger,
      subscribe: {
        groupId: 'g',
        topics: ['t'],
        // The offsets wait for the stop, which commits them as a member of the group.
        commitIntervalMs: 60_000,
        handleBatch: () => new Promise<void>((resolve) => (finishBatch = resolve)),
      },
    });
    const member = members[0] as FakeMember;
    member.emit(member.events.GROUP_JOIN, JOIN);
    const eachBatch = (member.run.mock.calls[0]?.[0] as { eachBatch: (p: unknown) => Promise<void> })
      .eachBatch;
    const batch = eachBatch(fakeBatchPayload());
    const stopping = subscription.stop();
    member.emit(member.events.GROUP_JOIN, JOIN); // a rebalance during the drain

    expect(member.disconnect).not.toHaveBeenCalled();
    finishBatch();
    await Promise.all([batch, stopping]);
    expect(member.commitOffsets).toHaveBeenCalledWith([{ topic: 't', partition: 0, offset: '6' }]);
    expect(member.disconnect).toHaveBeenCalledTimes(1);
  });

  it('when a member crashes for good before it ever joined, then ready fails and nothing is restarted', async () => {
    const { members, messages, subscription, first, assignments } = await start({ join: false });

    first.emit(first.events.CRASH, { error: new Error('not retriable'), restart: false });

    await expect(subscription.ready).rejects.toMatchObject({ code: 'BUS_CONSUMER_CRASHED' });
    expect(messages).not.toContain('KafkaJS will not restart the consumer; starting a new member');
    await subscription.stop();
    expect(members).toHaveLength(1);
    expect(assignments).toEqual([]);
  });
});
