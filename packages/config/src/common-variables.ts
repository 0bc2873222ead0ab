import { hostname } from 'node:os';

import { LOG_LEVELS } from './log-levels.js';
import * as p from './parsers.js';
import type { VariableSpec } from './read-config.js';

/** Variables shared across services (names fixed by the architecture). */
export const COMMON_VARIABLES = {
  kafkaBrokers: {
    name: 'KAFKA_BROKERS',
    description: 'Kafka bootstrap servers, host:port[,host:port…]; unset in dev mode = embedded bus',
    parse: p.brokers,
  } satisfies VariableSpec<string[]>,
  mysqlUrl: {
    name: 'MYSQL_URL',
    description: 'mysql://user:password@host:port/database; unset in dev mode = in-memory store',
    parse: p.mysqlUrl,
  } satisfies VariableSpec<string>,
  metricsPort: {
    name: 'METRICS_PORT',
    description: 'HTTP port of /metrics, /healthz, /readyz (0 = any free port)',
    default: '9100',
    parse: p.port,
  } satisfies VariableSpec<number>,
  logLevel: {
    name: 'LOG_LEVEL',
    description: `log level: ${LOG_LEVELS.join('|')}`,
    default: 'info',
    parse: p.oneOf(LOG_LEVELS),
  } satisfies VariableSpec<(typeof LOG_LEVELS)[number]>,
  stopTimeoutMs: {
    name: 'STOP_TIMEOUT_MS',
    description:
      'bound of the whole stop after SIGTERM/SIGINT (ms); past it the process logs that it gave up and exits 1 (what was not committed is redelivered)',
    default: '60000',
    parse: p.integer(1, 3_600_000),
  } satisfies VariableSpec<number>,
  edgeId: {
    name: 'EDGE_ID',
    description: 'unique id of this edge in the cluster (names its reply topic xmpp.edge.<id>)',
    default:
      hostname()
        .replace(/[^A-Za-z0-9._-]/g, '-')
        .slice(0, 64) || 'edge',
    parse: p.identifier,
  } satisfies VariableSpec<string>,
} as const;
