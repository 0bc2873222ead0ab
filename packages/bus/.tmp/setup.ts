import type { TestProject } from 'vitest/node';
export default function setup(project: TestProject): void {
  project.provide('kafkaBrokers', process.env['KAFKA_BROKERS'] ?? '127.0.0.1:19092');
  project.provide('mysqlUrl', '');
}
