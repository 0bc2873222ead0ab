import { COMMON_VARIABLES, parsers as p, type ConfigOf, type VariableSpec } from '@onlinetime/config';
import type { ConfigProblem } from '@onlinetime/errors';
import { normalizeDomain } from '@onlinetime/stanza';

const ms = (min: number, max: number): ((raw: string) => number) => p.integer(min, max);
const HOUR = 3_600_000;

function domains(raw: string): string[] {
  return p.list(raw).map((d) => normalizeDomain(d));
}

/** Every environment variable of the edge (MYSQL_URL is read by the CLI, which owns the store). */
export const EDGE_VARIABLES = {
  kafkaBrokers: COMMON_VARIABLES.kafkaBrokers,
  edgeId: COMMON_VARIABLES.edgeId,
  metricsPort: COMMON_VARIABLES.metricsPort,
  logLevel: COMMON_VARIABLES.logLevel,
  stopTimeoutMs: COMMON_VARIABLES.stopTimeoutMs,
  host: {
    name: 'XMPP_HOST',
    description: 'address the XMPP listener binds',
    default: '0.0.0.0',
    parse: p.string,
  },
  port: {
    name: 'XMPP_PORT',
    description: 'XMPP client port (0 = any free port)',
    default: '5222',
    parse: p.port,
  },
  domains: {
    name: 'XMPP_DOMAINS',
    description: 'served XMPP domains, comma-separated; the first is the default for streams without "to"',
    default: 'localhost',
    parse: domains,
  } satisfies VariableSpec<string[]>,
  tlsCert: {
    name: 'XMPP_TLS_CERT',
    description: 'PEM certificate file (unset: self-signed at startup)',
    parse: p.file,
  },
  tlsKey: { name: 'XMPP_TLS_KEY', description: 'PEM private key file of XMPP_TLS_CERT', parse: p.file },
  allowPlaintext: {
    name: 'XMPP_ALLOW_PLAINTEXT',
    description: 'allow SASL (SCRAM only) without TLS; for loopback development and tests only',
    default: 'false',
    parse: p.boolean,
  },
  starttls: {
    name: 'XMPP_STARTTLS',
    description: 'offer STARTTLS; false needs XMPP_ALLOW_PLAINTEXT=true',
    default: 'true',
    parse: p.boolean,
  },
  iqTimeoutMs: {
    name: 'IQ_TIMEOUT_MS',
    description: 'wait for a responder reply',
    default: '30000',
    parse: ms(100, HOUR),
  },
  heartbeatIntervalMs: {
    name: 'HEARTBEAT_INTERVAL_MS',
    description: 'edge.heartbeat period',
    default: '5000',
    parse: ms(100, HOUR),
  },
  maxStanzaBytes: {
    name: 'MAX_STANZA_BYTES',
    description: 'largest stanza after authentication',
    default: String(256 * 1024),
    parse: p.integer(1024, 64 * 1024 * 1024),
  },
  maxStanzaBytesPreauth: {
    name: 'MAX_STANZA_BYTES_PREAUTH',
    description: 'largest stanza (and stream header) before authentication',
    default: String(16 * 1024),
    parse: p.integer(1024, 64 * 1024 * 1024),
  },
  maxDepth: {
    name: 'MAX_XML_DEPTH',
    description: 'deepest element nesting',
    default: '32',
    parse: p.integer(3, 1000),
  },
  maxConnections: {
    name: 'MAX_CONNECTIONS',
    description: 'open client connections per edge',
    default: '10000',
    parse: p.integer(1, 10_000_000),
  },
  authTimeoutMs: {
    name: 'AUTH_TIMEOUT_MS',
    description: 'time to authenticate and bind after connecting',
    default: '30000',
    parse: ms(100, HOUR),
  },
  idleTimeoutMs: {
    name: 'IDLE_TIMEOUT_MS',
    description: 'close a stream that sent nothing for this long',
    default: '300000',
    parse: ms(100, 24 * HOUR),
  },
  keepaliveIntervalMs: {
    name: 'KEEPALIVE_INTERVAL_MS',
    description: 'send a whitespace keepalive after this long without output',
    default: '60000',
    parse: ms(100, 24 * HOUR),
  },
  maxBytesPerSecond: {
    name: 'MAX_BYTES_PER_SECOND',
    description: 'read rate per connection (reading pauses above it)',
    default: String(256 * 1024),
    parse: p.integer(1024, 1024 * 1024 * 1024),
  },
  maxWriteBufferBytes: {
    name: 'MAX_WRITE_BUFFER_BYTES',
    description: 'close a connection whose unsent output exceeds this (slow reader)',
    default: String(4 * 1024 * 1024),
    parse: p.integer(1024, 1024 * 1024 * 1024),
  },
  maxPendingIqs: {
    name: 'MAX_PENDING_IQS',
    description: 'IQs awaiting a responder reply per session',
    default: '64',
    parse: p.integer(1, 100_000),
  },
  authFailuresBeforeDelay: {
    name: 'AUTH_FAILURES_BEFORE_DELAY',
    description: 'failed logins per IP or account before answers are slowed',
    default: '3',
    parse: p.integer(0, 1_000_000),
  },
  authFailureDelayMs: {
    name: 'AUTH_FAILURE_DELAY_MS',
    description: 'added delay per failure beyond the threshold (capped at 10x)',
    default: '1000',
    parse: ms(0, 60_000),
  },
  authFailuresBeforeBlock: {
    name: 'AUTH_FAILURES_BEFORE_BLOCK',
    description: 'failed logins per IP or account within the window before logins are refused',
    default: '10',
    parse: p.integer(1, 1_000_000),
  },
  authFailureWindowMs: {
    name: 'AUTH_FAILURE_WINDOW_MS',
    description: 'failures older than this are forgotten',
    default: '600000',
    parse: ms(1000, 24 * HOUR),
  },
  authBlockMs: {
    name: 'AUTH_BLOCK_MS',
    description: 'how long logins stay refused after too many failures',
    default: '300000',
    parse: ms(1000, 24 * HOUR),
  },
  outboxCapacity: {
    name: 'EVENT_BUFFER_CAPACITY',
    description: 'events waiting for Kafka before new logins are refused',
    default: '10000',
    parse: p.integer(1, 10_000_000),
  },
  shutdownTimeoutMs: {
    name: 'SHUTDOWN_TIMEOUT_MS',
    description: 'longest wait to flush events on graceful stop',
    default: '15000',
    parse: ms(0, HOUR),
  },
} as const;

export type EdgeConfig = ConfigOf<typeof EDGE_VARIABLES>;

/** Settings that are each valid alone but not together. */
export function edgeConfigProblems(config: EdgeConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  if (!config.starttls && !config.allowPlaintext)
    problems.push({ variable: 'XMPP_STARTTLS', message: 'false needs XMPP_ALLOW_PLAINTEXT=true' });
  // The flush of the last events is part of the stop: a longer flush would be cut off by the bound.
  if (config.shutdownTimeoutMs >= config.stopTimeoutMs)
    problems.push({
      variable: 'SHUTDOWN_TIMEOUT_MS',
      message: `must be below STOP_TIMEOUT_MS (${config.stopTimeoutMs}), which bounds the whole stop`,
    });
  return problems;
}
