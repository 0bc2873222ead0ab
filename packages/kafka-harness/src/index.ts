export { startKafkaBroker, type KafkaBroker, type KafkaBrokerOptions } from './broker.js';
export { DEFAULT_CACHE_DIR, ensureKafkaClasspath, KAFKA_VERSION } from './classpath.js';
