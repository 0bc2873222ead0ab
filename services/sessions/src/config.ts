import { COMMON_VARIABLES, parsers, type ConfigOf, type VariableSpec } from '@onlinetime/config';

/** Environment of the sessions service (worker + reaper); `readConfig(SESSIONS_VARIABLES, process.env)`. */
export const SESSIONS_VARIABLES = {
  kafkaBrokers: { ...COMMON_VARIABLES.kafkaBrokers, required: true as const },
  mysqlUrl: { ...COMMON_VARIABLES.mysqlUrl, required: true as const },
  metricsPort: COMMON_VARIABLES.metricsPort,
  logLevel: COMMON_VARIABLES.logLevel,
  stopTimeoutMs: COMMON_VARIABLES.stopTimeoutMs,
  heartbeatTimeoutMs: {
    name: 'HEARTBEAT_TIMEOUT_MS',
    description: 'an edge whose last heartbeat is older than this is dead: the reaper closes its sessions',
    default: '15000',
    parse: parsers.integer(1_000, 3_600_000),
  } satisfies VariableSpec<number>,
  reaperSweepIntervalMs: {
    name: 'REAPER_SWEEP_INTERVAL_MS',
    description: 'how often the reaper looks for dead edge boots with open sessions',
    default: '5000',
    parse: parsers.integer(100, 3_600_000),
  } satisfies VariableSpec<number>,
} as const;

export type SessionsConfig = ConfigOf<typeof SESSIONS_VARIABLES>;
