/**
 * The responder: consumes iq.request events in batches (consumer group), answers each IQ and
 * publishes every reply to the reply topic of the edge holding the requester's session.
 */
import type { Batch, Bus, Subscription } from '@onlinetime/bus';
import { createEvent, edgeTopic, encodeEvent, replyKey, TOPIC_DEFAULTS, TOPICS } from '@onlinetime/events';
import type { Logger } from '@onlinetime/logging';
import type { Metrics } from '@onlinetime/metrics';
import type { OnlineTimeRepository, VcardsRepository } from '@onlinetime/store';

import { answerBatch, type OutgoingReply } from './answer-batch.js';
import { createBatchCombiner } from './batch-combiner.js';
import { DEFAULT_VCARD_MAX_BYTES } from './config.js';
import { createHandlers } from './handlers/index.js';
import { createResponderMetrics } from './responder-metrics.js';
import { createReplyTopics } from './reply-topics.js';
import { createRouter } from './router.js';

export const RESPONDER_GROUP_ID = 'onlinetime-responder';
/** Room for the `<iq/>` wrapper and escaping around the largest vCard. */
const STANZA_OVERHEAD_BYTES = 64 * 1024;
const MAX_STANZA_DEPTH = 32;
/** Partition batches of one fetch taken at once (and combined): at least xmpp.iq's partition count. */
const FETCH_CONCURRENCY = 128;
/**
 * IQs are answered at least once: after a crash or a rebalance up to this much may be answered
 * again, and the edge drops a reply to an IQ it no longer waits for.
 */
const COMMIT_INTERVAL_MS = 1_000;

export interface ResponderConfig {
  /** Served domains: local users and the server's own last activity. */
  readonly domains: readonly string[];
  /** Default 64 KiB. */
  readonly vcardMaxBytes?: number;
  /** Default 'onlinetime-responder'; tests pass unique ones. */
  readonly groupId?: string;
  /** Default TOPICS.iq; tests pass unique ones. */
  readonly iqTopic?: string;
  /** Envelope `source` of replies. Default 'responder'. */
  readonly source?: string;
  /**
   * Where a group without committed offsets starts: true (default) answers IQs published before the
   * group existed (first deployment); false starts at the end (tests sharing the IQ topic).
   */
  readonly fromBeginning?: boolean;
}

export interface ResponderStore {
  readonly vcards: Pick<VcardsRepository, 'getMany' | 'getManyWithTotals' | 'put'>;
  readonly onlineTime: Pick<OnlineTimeRepository, 'getMany'>;
}

export interface ResponderDeps {
  readonly bus: Bus;
  readonly store: ResponderStore;
  readonly logger: Logger;
  readonly metrics?: Metrics;
  /** Epoch ms. Default Date.now. */
  readonly clock?: () => number;
  readonly config: ResponderConfig;
}

export interface Responder {
  /** Ensures the IQ topic exists and joins the group. */
  start(): Promise<void>;
  /** Resolves once the group assigned partitions to this member (after start). */
  ready(): Promise<void>;
  /** Finishes the batch in hand and leaves the group; the bus itself is left to its owner. */
  stop(): Promise<void>;
}

export function createResponder(deps: ResponderDeps): Responder {
  const { bus, store, config } = deps;
  const logger = deps.logger.child({ component: 'responder' });
  const clock = deps.clock ?? Date.now;
  const metrics = createResponderMetrics(deps.metrics);
  const vcardMaxBytes = config.vcardMaxBytes ?? DEFAULT_VCARD_MAX_BYTES;
  const iqTopic = config.iqTopic ?? TOPICS.iq;
  const source = config.source ?? 'responder';
  const router = createRouter({
    handlers: createHandlers({ vcardMaxBytes }),
    domains: config.domains,
    logger,
  });
  const stanzaLimits = { maxBytes: vcardMaxBytes + STANZA_OVERHEAD_BYTES, maxDepth: MAX_STANZA_DEPTH };
  const replyTopics = createReplyTopics(bus);
  let startedAt = clock();
  let subscription: Subscription | undefined;

  const publish = async (replies: readonly OutgoingReply[], at: number): Promise<void> => {
    const byTopic = new Map<string, Array<{ key: string; value: Buffer }>>();
    for (const { edgeId, sessionId, stanza } of replies) {
      const topic = edgeTopic(edgeId);
      const event = createEvent('iq.reply', { sessionId, stanza }, { source, at });
      const records = byTopic.get(topic) ?? [];
      records.push({ key: replyKey(sessionId), value: encodeEvent(event) });
      byTopic.set(topic, records);
    }
    const existing = await replyTopics.existing([...byTopic.keys()]);
    for (const [topic, records] of byTopic) {
      if (existing.has(topic)) continue;
      logger.warn({ topic, replies: records.length }, 'replies dropped: edge reply topic does not exist');
      metrics.dropped(records.length);
      byTopic.delete(topic);
    }
    try {
      await Promise.all([...byTopic].map(([topic, records]) => bus.publish(topic, records)));
    } catch (err) {
      replyTopics.forget(byTopic.keys());
      throw err;
    }
  };

  const handleBatches = async (batches: readonly Batch[]): Promise<void> => {
    const began = performance.now();
    const now = clock();
    const messages = batches.length === 1 ? batches[0]!.messages : batches.flatMap((b) => b.messages);
    const replies = await answerBatch(messages, {
      router,
      store,
      logger,
      metrics,
      now,
      startedAt,
      stanzaLimits,
    });
    await publish(replies, now);
    metrics.batch((performance.now() - began) / 1000, messages.length);
  };
  const handleBatch = createBatchCombiner(handleBatches);

  return {
    async start() {
      if (subscription !== undefined) return;
      startedAt = clock();
      await bus.ensureTopics([{ topic: iqTopic, ...TOPIC_DEFAULTS.iq }]);
      subscription = await bus.subscribe({
        groupId: config.groupId ?? RESPONDER_GROUP_ID,
        topics: [iqTopic],
        fromBeginning: config.fromBeginning ?? true,
        concurrency: FETCH_CONCURRENCY,
        commitIntervalMs: COMMIT_INTERVAL_MS,
        handleBatch,
      });
      logger.info({ topic: iqTopic, domains: config.domains }, 'responder started');
    },
    async ready() {
      if (subscription === undefined) throw new Error('responder not started');
      await subscription.ready;
    },
    async stop() {
      const current = subscription;
      subscription = undefined;
      if (current === undefined) return;
      await current.stop();
      logger.info({ topic: iqTopic }, 'responder stopped');
    },
  };
}
