import type { EventEmitter } from 'node:events';
import type { SecureContext } from 'node:tls';

import type { Bus } from '@onlinetime/bus';
import type { SessionStopReason } from '@onlinetime/events';
import type { Logger } from '@onlinetime/logging';
import type { UsersRepository } from '@onlinetime/store';

import type { AuthThrottle } from './auth-throttle.js';
import type { EdgeConfig } from './config.js';
import type { EdgeMetrics } from './metrics.js';
import type { NegotiationPolicy } from './negotiation.js';
import type { Outbox } from './outbox.js';
import type { PendingIqs } from './pending-iqs.js';
import type { EdgeIdentity } from './session-events.js';
import type { SessionRegistry } from './session-registry.js';

/** What the edge tells observers (tests, the CLI) about. */
export interface EdgeEvents {
  'session.started': [session: { sessionId: string; jid: string }];
  'session.stopped': [session: { sessionId: string; jid: string; reason: SessionStopReason }];
  /** An IQ was published to the responder. */
  'iq.published': [iq: { sessionId: string; id: string; from: string }];
  /** A responder reply (or a timeout error) was written to a client. */
  'iq.answered': [iq: { sessionId: string; id: string; outcome: 'result' | 'error' | 'timeout' }];
}

/** Everything the per-connection handlers share, built once per edge. */
export interface EdgeContext {
  readonly config: EdgeConfig;
  readonly logger: Logger;
  readonly metrics: EdgeMetrics;
  readonly bus: Bus;
  readonly users: Pick<UsersRepository, 'getCredentials'>;
  readonly registry: SessionRegistry;
  readonly pending: PendingIqs;
  readonly outbox: Outbox;
  readonly throttle: AuthThrottle;
  readonly policy: NegotiationPolicy;
  readonly events: EventEmitter<EdgeEvents>;
  readonly now: () => number;
  /** Changes at every start. */
  identity: EdgeIdentity;
  tls: SecureContext | null;
}
