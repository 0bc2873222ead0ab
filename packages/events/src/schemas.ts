/** The typed, versioned events of architecture.md. Decoding is in codec.ts. */

export const EVENT_VERSION = 1;

export const SESSION_STOP_REASONS = [
  'closed',
  'timeout',
  'error',
  'conflict',
  'shutdown',
  'edge-lost',
] as const;
export type SessionStopReason = (typeof SESSION_STOP_REASONS)[number];

export interface Envelope<T extends string, P> {
  /** Unique per event. */
  readonly id: string;
  readonly type: T;
  readonly version: number;
  /** Epoch milliseconds on the producer's clock; the time the fact happened. */
  readonly at: number;
  /** Edge id or service name of the producer. */
  readonly source: string;
  readonly payload: P;
}

export type SessionStarted = Envelope<
  'session.started',
  { sessionId: string; jid: string; edgeId: string; bootId: string; ip?: string }
>;
export type SessionStopped = Envelope<
  'session.stopped',
  { sessionId: string; jid: string; edgeId: string; bootId: string; reason: SessionStopReason }
>;
export type BalanceOpened = Envelope<'balance.opened', { jid: string; ms: number; origin: string }>;

interface EdgeState {
  edgeId: string;
  bootId: string;
  /** Sessions open on the edge at the time of the event. */
  sessions: number;
}
export type EdgeStarted = Envelope<'edge.started', EdgeState>;
export type EdgeHeartbeat = Envelope<'edge.heartbeat', EdgeState>;
export type EdgeStopped = Envelope<'edge.stopped', EdgeState>;

export type IqRequest = Envelope<
  'iq.request',
  {
    edgeId: string;
    sessionId: string;
    /** The requester's full JID, stamped by the edge. */
    from: string;
    to?: string;
    id: string;
    type: 'get' | 'set';
    /** The whole `<iq/>` as XML text, `from` already stamped. */
    stanza: string;
  }
>;
export type IqReply = Envelope<'iq.reply', { sessionId: string; stanza: string }>;

export type OnlinetimeEvent =
  | SessionStarted
  | SessionStopped
  | BalanceOpened
  | EdgeStarted
  | EdgeHeartbeat
  | EdgeStopped
  | IqRequest
  | IqReply;

export type EventType = OnlinetimeEvent['type'];
export type PayloadOf<T extends EventType> = Extract<OnlinetimeEvent, { type: T }>['payload'];
export type SessionsEvent = SessionStarted | SessionStopped | BalanceOpened;
export type EdgesEvent = EdgeStarted | EdgeHeartbeat | EdgeStopped;
