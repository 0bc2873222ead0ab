/** The responder's metrics; no-ops when the service runs without a registry. */
import type { Metrics } from '@onlinetime/metrics';

import type { IqOutcome } from './router.js';

export interface ResponderMetrics {
  iq(route: string, type: string, outcome: IqOutcome): void;
  invalid(kind: 'event' | 'stanza'): void;
  batch(seconds: number, messages: number): void;
  /** Replies to an edge whose reply topic does not exist. */
  dropped(replies: number): void;
}

const NOOP: ResponderMetrics = { iq() {}, invalid() {}, batch() {}, dropped() {} };

export function createResponderMetrics(metrics: Metrics | undefined): ResponderMetrics {
  if (metrics === undefined) return NOOP;
  const iqs = metrics.counter('responder_iq_total', 'IQs answered, by handler route, type and outcome', [
    'route',
    'type',
    'outcome',
  ]);
  const invalid = metrics.counter('responder_invalid_total', 'Messages skipped (event) or refused (stanza)', [
    'kind',
  ]);
  const seconds = metrics.histogram(
    'responder_batch_seconds',
    'Time to answer one batch, lookups and publishing included',
    [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5],
  );
  const messages = metrics.counter('responder_messages_total', 'Messages consumed from the IQ topic');
  const dropped = metrics.counter(
    'responder_replies_dropped_total',
    'Replies to edges whose reply topic does not exist',
  );
  return {
    iq: (route, type, outcome) => iqs.inc({ route, type, outcome }),
    invalid: (kind) => invalid.inc({ kind }),
    batch: (s, n) => {
      seconds.observe({}, s);
      messages.inc({}, n);
    },
    dropped: (n) => dropped.inc({}, n),
  };
}
