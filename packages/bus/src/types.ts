/** The bus port: what every service needs of Kafka, implemented by kafka-bus.ts and embedded-bus.ts. */

export interface OutgoingRecord {
  readonly key: string;
  readonly value: Buffer;
}

export interface BusMessage {
  readonly topic: string;
  readonly partition: number;
  /** Kafka offsets are int64: kept as decimal strings; compare with BigInt. */
  readonly offset: string;
  readonly key: string | null;
  readonly value: Buffer | null;
  /** Broker/producer timestamp, epoch ms. */
  readonly timestamp: number;
}

export interface Batch {
  readonly topic: string;
  readonly partition: number;
  /** In offset order. */
  readonly messages: readonly BusMessage[];
}

export interface BatchContext {
  /** Keeps the group membership alive during a long batch. */
  heartbeat(): Promise<void>;
  /** True once the consumer is stopping or the partition was revoked: finish quickly. */
  isStopping(): boolean;
}

export interface SubscribeOptions {
  readonly groupId: string;
  readonly topics: readonly string[];
  /** Where a group without committed offsets starts. Default true (the log is the truth). */
  readonly fromBeginning?: boolean;
  /**
   * Called once per fetched partition batch. Offsets are committed to Kafka only after it resolves.
   * If it throws, the same messages are delivered again (after a backoff): nothing is acknowledged
   * that was not handled.
   */
  readonly handleBatch: (batch: Batch, context: BatchContext) => Promise<void>;
  /**
   * Partition batches of one fetch handled at once by this member. Default: the bus's setting. A
   * handler that gathers the batches of a fetch (the responder) wants at least the partition count.
   */
  readonly concurrency?: number;
  /**
   * Commit offsets to the broker at most this often (ms) instead of after every batch; 0 (default)
   * commits after every batch. Offsets are still committed only for handled batches, and the last
   * ones when the subscription stops; a crash or a rebalance may deliver up to this much again.
   * For consumers whose truth is elsewhere (MySQL offsets) or whose messages are idempotent.
   */
  readonly commitIntervalMs?: number;
  /**
   * Let batches gather for up to this long (ms) while less than ~1 MiB is waiting: fewer, larger
   * batches for handlers whose cost is per batch (a MySQL transaction), at the price of that much
   * latency when traffic is light. Default: none (a fetch returns as soon as anything is there).
   * Kafka bus only; the embedded bus hands over what it has.
   */
  readonly batchWindowMs?: number;
  /**
   * Upper bound (bytes) of one fetch over all partitions; default the bus's consumer.maxBytes. A
   * handler that holds a transaction per partition batch and runs `concurrency` of them at once wants
   * room for that many full partition batches: otherwise a backlog comes one or two partitions per
   * fetch, the largest batch runs alone at the end of each round, and a core idles meanwhile.
   * Kafka bus only; the embedded bus hands over what it has.
   */
  readonly maxBytesPerFetch?: number;
  /**
   * Called with the partitions this member holds after each (re)balance, and with none when its
   * consumer crashed after joining: it reads nothing until it rejoins (Kafka bus only).
   */
  readonly onAssignment?: (assignment: ReadonlyArray<{ topic: string; partitions: number[] }>) => void;
}

export interface Subscription {
  /** Finishes the batch in hand, commits, leaves the group. */
  stop(): Promise<void>;
  /** Resolves once the member has been assigned partitions for the first time. */
  readonly ready: Promise<void>;
}

export interface TopicSpec {
  readonly topic: string;
  readonly partitions: number;
  /** Milliseconds; -1 keeps messages forever. */
  readonly retentionMs: number;
}

export interface TopicDescription {
  readonly topic: string;
  readonly partitions: ReadonlyArray<{ partition: number; low: string; high: string }>;
  readonly retentionMs: number | null;
}

export interface ReadLogOptions {
  readonly topic: string;
  /** Only these partitions (default: all); Kafka bus only, for readers working in parallel. */
  readonly partitions?: readonly number[];
  /** Stop when every partition reached the high watermark it had when reading began. */
  readonly handleBatch: (batch: Batch) => Promise<void>;
}

export interface Bus {
  /**
   * Publishes records to one topic. Concurrent calls are coalesced into one produce request per
   * micro-batch; the promise resolves when the broker acknowledged every record of the call.
   */
  publish(topic: string, records: readonly OutgoingRecord[]): Promise<void>;
  subscribe(options: SubscribeOptions): Promise<Subscription>;
  /** Creates missing topics; existing ones are left as they are. */
  ensureTopics(specs: readonly TopicSpec[]): Promise<void>;
  describeTopics(topics: readonly string[]): Promise<TopicDescription[]>;
  /**
   * Reads a whole topic from the beginning to the end it had when called, outside every consumer
   * group (audits and rebuilds). Each partition is read in offset order; batches of different
   * partitions may interleave (one key's messages are on one partition, so they stay in order).
   */
  readLog(options: ReadLogOptions): Promise<{ messages: number }>;
  /** Sum of messages (high - low) per topic: progress totals for readers of the log. */
  countMessages(topic: string): Promise<number>;
  /** Flushes pending publishes, stops every subscription, disconnects. */
  stop(): Promise<void>;
}
