import type { Counter, Gauge, Histogram, Metrics } from '@onlinetime/metrics';

const noopCounter: Counter = { inc: () => undefined };
const noopGauge: Gauge = { set: () => undefined, inc: () => undefined, dec: () => undefined };
const noopHistogram: Histogram = { observe: () => undefined };

/** Metrics that record nothing, for callers that pass none. */
export const NOOP_METRICS: Metrics = {
  counter: () => noopCounter,
  gauge: () => noopGauge,
  histogram: () => noopHistogram,
  render: () => Promise.resolve(''),
  contentType: 'text/plain',
};

export interface WorkerMetrics {
  readonly consumed: Counter;
  readonly invalid: Counter;
  readonly skipped: Counter;
  readonly batchSize: Histogram;
  readonly batchSeconds: Histogram;
  readonly storeFailures: Counter;
}

export function workerMetrics(metrics: Metrics): WorkerMetrics {
  return {
    consumed: metrics.counter('sessions_events_consumed_total', 'session events applied, by type', ['type']),
    invalid: metrics.counter(
      'sessions_events_invalid_total',
      'messages of xmpp.sessions that failed validation',
    ),
    skipped: metrics.counter(
      'sessions_events_skipped_total',
      'messages below the stored offset (redelivered)',
    ),
    batchSize: metrics.histogram(
      'sessions_batch_size',
      'messages per partition batch',
      [1, 10, 100, 500, 1_000, 2_000, 5_000, 10_000, 50_000],
    ),
    batchSeconds: metrics.histogram(
      'sessions_batch_apply_seconds',
      'time to apply one partition batch in one transaction',
      [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    ),
    storeFailures: metrics.counter(
      'sessions_store_failures_total',
      'batches that failed to commit and will be redelivered',
    ),
  };
}

export interface ReaperMetrics {
  readonly reaped: Counter;
  readonly sweeps: Counter;
  readonly edgeEvents: Counter;
}

export function reaperMetrics(metrics: Metrics): ReaperMetrics {
  return {
    reaped: metrics.counter('reaper_sessions_reaped_total', 'session.stopped edge-lost events published', [
      'cause',
    ]),
    sweeps: metrics.counter('reaper_sweeps_total', 'reaper sweeps run, by outcome', ['outcome']),
    edgeEvents: metrics.counter('reaper_edge_events_total', 'edge events consumed, by type', ['type']),
  };
}
