import type { Bus } from '@onlinetime/bus';
import type { Logger } from '@onlinetime/logging';
import type { Metrics } from '@onlinetime/metrics';
import type { Store } from '@onlinetime/store';

import { createReaper, type Reaper } from './reaper/reaper.js';
import { createSessionsWorker, type SessionsWorker } from './worker.js';

export interface SessionsServiceConfig {
  readonly heartbeatTimeoutMs: number;
  readonly reaperSweepIntervalMs: number;
  /** Default `onlinetime-sessions`. */
  readonly groupId?: string;
}

export interface SessionsServiceOptions {
  readonly bus: Bus;
  readonly store: Pick<Store, 'accounting' | 'edges'>;
  readonly logger: Logger;
  readonly metrics?: Metrics;
  readonly config: SessionsServiceConfig;
  readonly clock?: () => number;
}

export interface SessionsService {
  readonly worker: SessionsWorker;
  readonly reaper: Reaper;
  start(): Promise<void>;
  /** Readiness: the worker holds its first assignment. */
  isReady(): boolean;
  /** Reaper first (no new stops), then the worker: finishes its batch, commits, leaves the group. */
  stop(): Promise<void>;
}

/** The sessions service: the accounting worker and the reaper, in one process. */
export function createSessionsService(options: SessionsServiceOptions): SessionsService {
  const { bus, store, config } = options;
  const logger = options.logger;
  const worker = createSessionsWorker({
    bus,
    store: store.accounting,
    logger: logger.child({ component: 'sessions-worker' }),
    ...(options.metrics === undefined ? {} : { metrics: options.metrics }),
    ...(config.groupId === undefined ? {} : { groupId: config.groupId }),
  });
  const reaper = createReaper({
    bus,
    store,
    logger: logger.child({ component: 'reaper' }),
    heartbeatTimeoutMs: config.heartbeatTimeoutMs,
    sweepIntervalMs: config.reaperSweepIntervalMs,
    ...(options.metrics === undefined ? {} : { metrics: options.metrics }),
    ...(options.clock === undefined ? {} : { clock: options.clock }),
  });
  let ready = false;
  let started = false;
  return {
    worker,
    reaper,
    isReady: () => ready,
    async start() {
      if (started) return;
      started = true;
      await worker.start();
      await reaper.start();
      void worker.ready().then(
        () => {
          ready = true;
        },
        () => undefined,
      );
      logger.info(
        { heartbeatTimeoutMs: config.heartbeatTimeoutMs, sweepIntervalMs: config.reaperSweepIntervalMs },
        'sessions service started',
      );
    },
    async stop() {
      if (!started) return;
      started = false;
      ready = false;
      const results = await Promise.allSettled([reaper.stop(), worker.stop()]);
      for (const r of results)
        if (r.status === 'rejected') logger.error({ err: r.reason }, 'sessions service stop failed');
      logger.info('sessions service stopped');
    },
  };
}
