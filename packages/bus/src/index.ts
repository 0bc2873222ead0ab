export type * from './types.js';
export type { BusErrorCode } from './errors.js';
export type { BackoffSettings } from './backoff.js';
export { createKafkaBus, type KafkaBus } from './kafka/kafka-bus.js';
export type { KafkaBusOptions, PublishBatchStats } from './kafka/options.js';
export { createEmbeddedBus, type EmbeddedBus, type EmbeddedBusOptions } from './embedded/embedded-bus.js';
