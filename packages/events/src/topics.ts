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
