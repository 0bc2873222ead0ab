/** mysql2 errors turned into OnlinetimeError, marking those a retry can cure. */
import { OnlinetimeError, isOnlinetimeError } from '@onlinetime/errors';

interface DriverError {
  readonly code?: unknown;
  readonly errno?: unknown;
  readonly fatal?: unknown;
  readonly sqlMessage?: unknown;
  readonly message?: unknown;
}

/** Driver or server condition -> our code; every one here is retriable. */
const RETRIABLE: Readonly<Record<string, string>> = {
  ER_LOCK_DEADLOCK: 'STORE_DEADLOCK',
  ER_LOCK_WAIT_TIMEOUT: 'STORE_LOCK_WAIT_TIMEOUT',
  PROTOCOL_CONNECTION_LOST: 'STORE_CONNECTION_LOST',
  PROTOCOL_SEQUENCE_TIMEOUT: 'STORE_CONNECTION_LOST',
  ECONNRESET: 'STORE_CONNECTION_LOST',
  EPIPE: 'STORE_CONNECTION_LOST',
  ER_SERVER_SHUTDOWN: 'STORE_CONNECTION_LOST',
  ER_CONNECTION_KILLED: 'STORE_CONNECTION_LOST',
  ER_QUERY_INTERRUPTED: 'STORE_CONNECTION_LOST',
  ER_CLIENT_INTERACTION_TIMEOUT: 'STORE_CONNECTION_LOST',
  ECONNREFUSED: 'STORE_UNAVAILABLE',
  ETIMEDOUT: 'STORE_UNAVAILABLE',
  EHOSTUNREACH: 'STORE_UNAVAILABLE',
  ENOTFOUND: 'STORE_UNAVAILABLE',
  EAI_AGAIN: 'STORE_UNAVAILABLE',
  ER_CON_COUNT_ERROR: 'STORE_UNAVAILABLE',
  ER_TOO_MANY_USER_CONNECTIONS: 'STORE_UNAVAILABLE',
};

/** Server error numbers, for servers whose code name mysql2 does not know (MariaDB-only numbers). */
const RETRIABLE_ERRNO: Readonly<Record<number, string>> = {
  1213: 'STORE_DEADLOCK',
  1205: 'STORE_LOCK_WAIT_TIMEOUT',
  1053: 'STORE_CONNECTION_LOST',
  1927: 'STORE_CONNECTION_LOST',
  2006: 'STORE_CONNECTION_LOST',
  2013: 'STORE_CONNECTION_LOST',
  4031: 'STORE_CONNECTION_LOST',
  1040: 'STORE_UNAVAILABLE',
};

export function isDuplicateKey(err: unknown): boolean {
  const e = err as DriverError | null;
  return e?.code === 'ER_DUP_ENTRY' || e?.errno === 1062;
}

/** Wraps a driver error (cause kept); OnlinetimeErrors pass through unchanged. */
export function toStoreError(err: unknown, operation: string): OnlinetimeError {
  if (isOnlinetimeError(err)) return err;
  const e = (typeof err === 'object' && err !== null ? err : {}) as DriverError;
  const driverCode = typeof e.code === 'string' ? e.code : undefined;
  const errno = typeof e.errno === 'number' ? e.errno : undefined;
  const detail =
    typeof e.sqlMessage === 'string' ? e.sqlMessage : typeof e.message === 'string' ? e.message : String(err);
  const context = { operation, driverCode, errno };
  const known =
    (driverCode === undefined ? undefined : RETRIABLE[driverCode]) ??
    (errno === undefined ? undefined : RETRIABLE_ERRNO[errno]);
  if (known)
    return new OnlinetimeError(known, `${operation}: ${detail}`, { retriable: true, context, cause: err });
  // A fatal driver error means the connection is gone, whatever the code.
  if (e.fatal === true) {
    return new OnlinetimeError('STORE_CONNECTION_LOST', `${operation}: ${detail}`, {
      retriable: true,
      context,
      cause: err,
    });
  }
  return new OnlinetimeError('STORE_QUERY_FAILED', `${operation}: ${detail}`, { context, cause: err });
}

/** True when the driver reported the connection unusable: it must be destroyed, not pooled again. */
export function isFatal(err: unknown): boolean {
  const cause = isOnlinetimeError(err) ? err.cause : err;
  return (cause as DriverError | null)?.fatal === true;
}
