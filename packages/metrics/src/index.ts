export {
  createMetrics,
  type Metrics,
  type Counter,
  type Gauge,
  type Histogram,
  type Labels,
} from './metrics.js';
export {
  createHealthServer,
  type HealthServer,
  type HealthServerOptions,
  type ReadinessCheck,
} from './health-server.js';
