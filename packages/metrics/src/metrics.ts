import {
  Counter as PromCounter,
  Gauge as PromGauge,
  Histogram as PromHistogram,
  Registry,
  collectDefaultMetrics,
} from 'prom-client';

export type Labels = Readonly<Record<string, string>>;

export interface Counter {
  inc(labels?: Labels, value?: number): void;
}
export interface Gauge {
  set(value: number, labels?: Labels): void;
  inc(labels?: Labels, value?: number): void;
  dec(labels?: Labels, value?: number): void;
}
export interface Histogram {
  observe(labels: Labels, value: number): void;
}

/** One registry per service; metric names are prefixed `onlinetime_`. */
export interface Metrics {
  counter(name: string, help: string, labelNames?: readonly string[]): Counter;
  gauge(name: string, help: string, labelNames?: readonly string[]): Gauge;
  histogram(
    name: string,
    help: string,
    buckets: readonly number[],
    labelNames?: readonly string[],
  ): Histogram;
  /** Prometheus text exposition. */
  render(): Promise<string>;
  readonly contentType: string;
}

export function createMetrics(options: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry, prefix: 'onlinetime_' });
  // Asking twice for the same metric returns the same one, so factories can be created more than once.
  const known = new Map<string, unknown>();
  const once = <T>(name: string, make: () => T): T => {
    const existing = known.get(name);
    if (existing !== undefined) return existing as T;
    const created = make();
    known.set(name, created);
    return created;
  };
  const full = (name: string): string => `onlinetime_${name}`;
  return {
    contentType: registry.contentType,
    render: () => registry.metrics(),
    counter(name, help, labelNames = []) {
      return once(name, () => {
        const c = new PromCounter({
          name: full(name),
          help,
          labelNames: [...labelNames],
          registers: [registry],
        });
        return { inc: (labels = {}, value = 1) => c.inc(labels, value) };
      });
    },
    gauge(name, help, labelNames = []) {
      return once(name, () => {
        const g = new PromGauge({
          name: full(name),
          help,
          labelNames: [...labelNames],
          registers: [registry],
        });
        return {
          set: (value, labels = {}) => g.set(labels, value),
          inc: (labels = {}, value = 1) => g.inc(labels, value),
          dec: (labels = {}, value = 1) => g.dec(labels, value),
        };
      });
    },
    histogram(name, help, buckets, labelNames = []) {
      return once(name, () => {
        const h = new PromHistogram({
          name: full(name),
          help,
          buckets: [...buckets],
          labelNames: [...labelNames],
          registers: [registry],
        });
        return { observe: (labels, value) => h.observe(labels, value) };
      });
    },
  };
}
