/** Every topic name of the product lives here; no other file spells one out. */
export const TOPICS = {
  sessions: 'xmpp.sessions',
  edges: 'xmpp.edges',
  iq: 'xmpp.iq',
} as const;

export type TopicName = (typeof TOPICS)[keyof typeof TOPICS] | `xmpp.edge.${string}`;

const EDGE_PREFIX = 'xmpp.edge.';

/** The reply topic owned by one edge: `xmpp.edge.<edgeId>`. */
export function edgeTopic(edgeId: string): `xmpp.edge.${string}` {
  return `${EDGE_PREFIX}${edgeId}`;
}

export function isEdgeTopic(topic: string): boolean {
  return topic.startsWith(EDGE_PREFIX);
}

/** Default partitions and retention per topic; `onlinetime topics ensure` and the edge use them. */
export const TOPIC_DEFAULTS = {
  /** Unlimited: audits and rebuilds replay it from the beginning. */
  sessions: { partitions: 12, retentionMs: -1 },
  /** One partition: one active reaper sees every edge in order. */
  edges: { partitions: 1, retentionMs: 7 * 24 * 3600_000 },
  iq: { partitions: 12, retentionMs: 3600_000 },
  /** Replies are useless after the IQ timeout. */
  edge: { partitions: 1, retentionMs: 3600_000 },
} as const;
