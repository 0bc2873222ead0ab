import type { Counter, Gauge, Histogram, Metrics } from '@onlinetime/metrics';

/** The edge's instruments, created once per edge from the injected registry. */
export interface EdgeMetrics {
  readonly connections: Gauge;
  readonly connectionsRejected: Counter;
  readonly logins: Counter;
  readonly authFailures: Counter;
  readonly sessions: Gauge;
  readonly stanzasIn: Counter;
  readonly stanzasOut: Counter;
  readonly streamErrors: Counter;
  readonly iqLatency: Histogram;
  readonly iqTimeouts: Counter;
  readonly outboxDepth: Gauge;
}

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export function createEdgeMetrics(metrics: Metrics): EdgeMetrics {
  return {
    connections: metrics.gauge('edge_connections', 'open client connections'),
    connectionsRejected: metrics.counter('edge_connections_rejected_total', 'connections refused', [
      'reason',
    ]),
    logins: metrics.counter('edge_logins_total', 'successful SASL logins', ['mechanism']),
    authFailures: metrics.counter('edge_auth_failures_total', 'failed SASL attempts', ['condition']),
    sessions: metrics.gauge('edge_sessions', 'bound sessions'),
    stanzasIn: metrics.counter('edge_stanzas_in_total', 'top-level elements received', ['kind']),
    stanzasOut: metrics.counter('edge_stanzas_out_total', 'top-level elements sent', ['kind']),
    streamErrors: metrics.counter('edge_stream_errors_total', 'stream errors sent', ['condition']),
    iqLatency: metrics.histogram(
      'edge_iq_round_trip_seconds',
      'responder IQ round trip seen by the edge',
      LATENCY_BUCKETS,
      ['outcome'],
    ),
    iqTimeouts: metrics.counter('edge_iq_timeouts_total', 'responder IQs answered with a timeout error'),
    outboxDepth: metrics.gauge('edge_event_buffer_depth', 'events waiting to be published'),
  };
}

/** Label for stanza counters: iq/message/presence or `other`. */
export function stanzaKind(name: string): string {
  return name === 'iq' || name === 'message' || name === 'presence' ? name : 'other';
}
