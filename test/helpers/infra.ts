import { randomBytes } from 'node:crypto';

import { inject } from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    kafkaBrokers: string;
    mysqlUrl: string;
  }
}

/** host:port list of the real broker the global setup started (or KAFKA_BROKERS). */
export function kafkaBrokers(): string[] {
  const value = inject('kafkaBrokers');
  if (!value) throw new Error('no Kafka broker: test/global-setup.ts did not provide one');
  return value.split(',');
}

/** URL of this run's fresh MySQL/MariaDB database (migrations already applied). */
export function mysqlUrl(): string {
  const value = inject('mysqlUrl');
  if (!value) throw new Error('no MySQL database: test/global-setup.ts did not provide one');
  return value;
}

/** Unique suffix for topics, groups and JIDs of one test. */
export function uniqueId(prefix = 't'): string {
  return `${prefix}${randomBytes(5).toString('hex')}`;
}
