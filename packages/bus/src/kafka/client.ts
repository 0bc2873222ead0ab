import type { Logger } from '@onlinetime/logging';
import kafkajs, { type LogEntry, type logCreator as LogCreator } from 'kafkajs';

import type { ResolvedKafkaBusOptions } from './options.js';
import { createNoDelaySocketFactory } from './socket-factory.js';

const { Kafka, logLevel } = kafkajs;

export type KafkaClient = InstanceType<typeof Kafka>;

const LEVELS = {
  error: logLevel.ERROR,
  warn: logLevel.WARN,
  info: logLevel.INFO,
  debug: logLevel.DEBUG,
} as const;

function pinoLevel(level: number): 'error' | 'warn' | 'info' | 'debug' {
  if (level <= logLevel.ERROR) return 'error';
  if (level <= logLevel.WARN) return 'warn';
  if (level <= logLevel.INFO) return 'info';
  return 'debug';
}

/**
 * KafkaJS logs every error response at error level where it reads it, although its callers handle
 * them (a heartbeat answered "rebalancing", a topic that already exists); the outcome is logged
 * by whoever handles it (here: publish failed, consumer crashed). Those lines and routine rejoins
 * are demoted so that error means an operator should look.
 */
function demoted(entry: LogEntry, message: string): boolean {
  if (entry.namespace === 'Connection' && message.startsWith('Response ')) return true;
  return entry.namespace === 'Runner' && message.startsWith('The group is rebalancing');
}

/** Routes KafkaJS's own log lines into our pino logger (its console logger is never used). */
export function kafkaLogCreator(logger: Logger): LogCreator {
  const kafkaLogger = logger.child({ component: 'kafkajs' });
  return () => (entry: LogEntry) => {
    const { message, timestamp: _timestamp, ...extra } = entry.log as Record<string, unknown>;
    const text = String(message);
    const level = demoted(entry, text) ? 'debug' : pinoLevel(entry.level);
    kafkaLogger[level]({ namespace: entry.namespace, kafka: extra }, text);
  };
}

export function createKafkaClient(options: ResolvedKafkaBusOptions): KafkaClient {
  return new Kafka({
    brokers: options.brokers,
    clientId: options.clientId,
    connectionTimeout: options.connectionTimeoutMs,
    requestTimeout: options.requestTimeoutMs,
    retry: options.retry,
    logLevel: LEVELS[options.kafkaLogLevel],
    logCreator: kafkaLogCreator(options.logger),
    socketFactory: createNoDelaySocketFactory(),
  });
}
