/**
 * Which edge reply topics exist. Each edge creates its topic at start, so a reply to a topic that
 * does not exist can never be delivered: it is dropped instead of failing the batch for ever (a
 * poison message would otherwise stop the partition). Existing topics are remembered.
 */
import type { Bus } from '@onlinetime/bus';
import { isOnlinetimeError } from '@onlinetime/errors';

export interface ReplyTopics {
  /** The subset of `topics` that exist. Throws on any failure other than "topic missing". */
  existing(topics: readonly string[]): Promise<Set<string>>;
  /** Forgets topics (after a failed publish), so they are checked again. */
  forget(topics: Iterable<string>): void;
}

export function createReplyTopics(bus: Pick<Bus, 'describeTopics'>): ReplyTopics {
  const known = new Set<string>();
  const exists = async (topic: string): Promise<boolean> => {
    try {
      await bus.describeTopics([topic]);
      return true;
    } catch (err) {
      // A topic name the bus refuses (an edge id no edge could have) cannot exist either.
      if (isOnlinetimeError(err) && (err.code === 'BUS_TOPIC_MISSING' || err.code === 'BUS_INVALID_ARGUMENT'))
        return false;
      throw err;
    }
  };
  return {
    async existing(topics) {
      const unknown = topics.filter((t) => !known.has(t));
      const found = await Promise.all(unknown.map(async (t) => [t, await exists(t)] as const));
      for (const [topic, ok] of found) if (ok) known.add(topic);
      return new Set(topics.filter((t) => known.has(t)));
    },
    forget(topics) {
      for (const topic of topics) known.delete(topic);
    },
  };
}
