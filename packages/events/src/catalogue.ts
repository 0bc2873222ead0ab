import { TOPICS } from './topics.js';
import type { EventType, PayloadOf } from './schemas.js';

interface CatalogueEntry<T extends EventType> {
  readonly topic: string;
  readonly key: string;
  readonly meaning: string;
  /** Field → meaning; `?` marks optional fields. */
  readonly fields: Readonly<Record<string, string>>;
  readonly example: PayloadOf<T>;
}

/** The event catalogue: docs/events.md is rendered from it and checked against it by a test. */
export const EVENT_CATALOGUE: { readonly [T in EventType]: CatalogueEntry<T> } = {
  'session.started': {
    topic: TOPICS.sessions,
    key: 'bare JID of the user',
    meaning: 'a client bound a resource on an edge; the session is open from the envelope `at`',
    fields: {
      sessionId: 'unique id of the session (never reused)',
      jid: 'full JID user@domain/resource',
      edgeId: 'edge holding the session',
      bootId: 'boot of that edge (new at every edge start)',
      'ip?': 'client address',
    },
    example: {
      sessionId: 's-1',
      jid: 'alice@example.com/phone',
      edgeId: 'edge1',
      bootId: 'b-1',
      ip: '192.0.2.7',
    },
  },
  'session.stopped': {
    topic: TOPICS.sessions,
    key: 'bare JID of the user',
    meaning: 'the session ended at the envelope `at` (for `edge-lost`: the last heartbeat of its edge boot)',
    fields: {
      sessionId: 'the id of session.started',
      jid: 'full JID',
      edgeId: 'edge that held it',
      bootId: 'boot of that edge',
      reason: 'closed | timeout | error | conflict | shutdown | edge-lost',
    },
    example: {
      sessionId: 's-1',
      jid: 'alice@example.com/phone',
      edgeId: 'edge1',
      bootId: 'b-1',
      reason: 'closed',
    },
  },
  'balance.opened': {
    topic: TOPICS.sessions,
    key: 'bare JID of the user',
    meaning: 'online time carried over from a previous system (import); applied once per user',
    fields: {
      jid: 'bare JID',
      ms: 'milliseconds to add to the total',
      origin: 'where it came from, e.g. ejabberd',
    },
    example: { jid: 'alice@example.com', ms: 120_000, origin: 'ejabberd' },
  },
  'edge.started': {
    topic: TOPICS.edges,
    key: 'edge id',
    meaning: 'an edge booted; a new boot id means every session of its older boots is lost',
    fields: { edgeId: 'edge id', bootId: 'new boot id', sessions: 'open sessions (0)' },
    example: { edgeId: 'edge1', bootId: 'b-2', sessions: 0 },
  },
  'edge.heartbeat': {
    topic: TOPICS.edges,
    key: 'edge id',
    meaning: 'the edge is alive at the envelope `at`; the reaper closes sessions of boots that stop beating',
    fields: { edgeId: 'edge id', bootId: 'current boot id', sessions: 'open sessions' },
    example: { edgeId: 'edge1', bootId: 'b-2', sessions: 42 },
  },
  'edge.stopped': {
    topic: TOPICS.edges,
    key: 'edge id',
    meaning: 'graceful shutdown finished: every session.stopped of the boot was published before it',
    fields: { edgeId: 'edge id', bootId: 'boot id', sessions: 'open sessions (0)' },
    example: { edgeId: 'edge1', bootId: 'b-2', sessions: 0 },
  },
  'iq.request': {
    topic: TOPICS.iq,
    key: 'bare JID of the sender',
    meaning: 'an IQ the responder answers (vCard, online time, last activity)',
    fields: {
      edgeId: 'edge to reply to (topic xmpp.edge.<edgeId>)',
      sessionId: 'session of the requester',
      from: 'full JID of the requester, stamped by the edge',
      'to?': 'addressee as sent (absent: the requester itself)',
      id: 'IQ id',
      type: 'get | set',
      stanza: 'the whole <iq/> as XML text, from stamped',
    },
    example: {
      edgeId: 'edge1',
      sessionId: 's-1',
      from: 'alice@example.com/phone',
      to: 'bob@example.com',
      id: 'v1',
      type: 'get',
      stanza:
        '<iq type="get" id="v1" to="bob@example.com" from="alice@example.com/phone"><vCard xmlns="vcard-temp"/></iq>',
    },
  },
  'iq.reply': {
    topic: 'xmpp.edge.<edgeId>',
    key: 'session id',
    meaning: 'the reply stanza for one pending IQ of a session on that edge',
    fields: { sessionId: 'session to deliver to', stanza: 'the reply <iq/> as XML text' },
    example: {
      sessionId: 's-1',
      stanza: '<iq type="result" id="v1" from="bob@example.com" to="alice@example.com/phone"/>',
    },
  },
};

/** docs/events.md, rendered from the catalogue. */
export function renderEventCatalogue(): string {
  const parts = [
    '# Event catalogue',
    '',
    '<!-- Rendered from packages/events/src/catalogue.ts; a unit test fails when this file is stale. -->',
    '',
    'Every message value is a JSON envelope: `id` (unique), `type`, `version` (integer, now 1), `at` (epoch ms',
    "on the producer's clock: when the fact happened), `source` (edge id or service), `payload`. Decoding",
    'validates every field; an invalid message is logged with topic/partition/offset and skipped.',
    '',
  ];
  for (const [type, entry] of Object.entries(EVENT_CATALOGUE)) {
    parts.push(
      `## \`${type}\``,
      '',
      `${entry.meaning}.`,
      '',
      `Topic \`${entry.topic}\`, key: ${entry.key}.`,
      '',
    );
    parts.push('| field | meaning |', '|---|---|');
    for (const [field, meaning] of Object.entries(entry.fields)) parts.push(`| \`${field}\` | ${meaning} |`);
    parts.push('', '```json', JSON.stringify(entry.example), '```', '');
  }
  return parts.join('\n');
}
