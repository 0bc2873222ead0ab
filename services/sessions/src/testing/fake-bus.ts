/** A scripted Bus for unit tests: the test decides what each batch holds and when it arrives. */
import type {
  Batch,
  Bus,
  BusMessage,
  OutgoingRecord,
  SubscribeOptions,
  TopicDescription,
} from '@onlinetime/bus';

export interface FakeBus extends Bus {
  readonly logs: Map<string, BusMessage[]>;
  readonly subscriptions: SubscribeOptions[];
  /** Appends values to a partition log and returns the messages (with their offsets). */
  append(topic: string, values: ReadonlyArray<Buffer | null>, partition?: number): BusMessage[];
  /** Hands these messages to every subscriber of their topic as one batch; rejects as the handler does. */
  deliver(messages: readonly BusMessage[]): Promise<void>;
  assign(topic: string, partitions: number[]): void;
}

export function createFakeBus(): FakeBus {
  const logs = new Map<string, BusMessage[]>();
  const subscriptions: SubscribeOptions[] = [];
  const logOf = (topic: string, partition: number): BusMessage[] => {
    const id = `${topic}#${partition}`;
    let log = logs.get(id);
    if (log === undefined) {
      log = [];
      logs.set(id, log);
    }
    return log;
  };
  const append = (topic: string, values: ReadonlyArray<Buffer | null>, partition = 0): BusMessage[] => {
    const log = logOf(topic, partition);
    return values.map((value) => {
      const message: BusMessage = {
        topic,
        partition,
        offset: String(log.length),
        key: null,
        value,
        timestamp: Date.now(),
      };
      log.push(message);
      return message;
    });
  };
  return {
    logs,
    subscriptions,
    append,
    async deliver(messages) {
      const first = messages[0];
      if (first === undefined) return;
      const batch: Batch = { topic: first.topic, partition: first.partition, messages };
      for (const s of subscriptions.filter((s) => s.topics.includes(first.topic))) {
        await s.handleBatch(batch, { heartbeat: async () => undefined, isStopping: () => false });
      }
    },
    assign(topic, partitions) {
      for (const s of subscriptions.filter((s) => s.topics.includes(topic)))
        s.onAssignment?.([{ topic, partitions }]);
    },
    async publish(topic: string, records: readonly OutgoingRecord[]) {
      append(
        topic,
        records.map((r) => r.value),
      );
    },
    async subscribe(options) {
      subscriptions.push(options);
      return {
        ready: Promise.resolve(),
        stop: async () => {
          subscriptions.splice(subscriptions.indexOf(options), 1);
        },
      };
    },
    async ensureTopics() {},
    async describeTopics(topics): Promise<TopicDescription[]> {
      return topics.map((topic) => ({
        topic,
        retentionMs: -1,
        partitions: [{ partition: 0, low: '0', high: String(logOf(topic, 0).length) }],
      }));
    },
    async readLog() {
      return { messages: 0 };
    },
    async countMessages(topic) {
      return logOf(topic, 0).length;
    },
    async stop() {},
  };
}
