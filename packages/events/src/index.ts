export { TOPICS, TOPIC_DEFAULTS, edgeTopic, isEdgeTopic, type TopicName } from './topics.js';
export { bareJid, sessionsKey, iqKey, edgesKey, replyKey } from './keys.js';
export {
  EVENT_VERSION,
  SESSION_STOP_REASONS,
  type SessionStopReason,
  type Envelope,
  type SessionStarted,
  type SessionStopped,
  type BalanceOpened,
  type EdgeStarted,
  type EdgeHeartbeat,
  type EdgeStopped,
  type IqRequest,
  type IqReply,
  type OnlinetimeEvent,
  type EventType,
  type PayloadOf,
  type SessionsEvent,
  type EdgesEvent,
} from './schemas.js';
export { createEvent, type CreateEventOptions } from './create-event.js';
export { EVENT_CATALOGUE, renderEventCatalogue } from './catalogue.js';
export { encodeEvent, decodeEvent, decodeEventOfTypes } from './codec.js';
export { parseCanonicalSessionEvent } from './canonical-json.js';
