/** MYSQL_URL parsing: mysql://user:password@host:port/database[?socketPath=/path]. */
import { OnlinetimeError } from '@onlinetime/errors';

export interface ConnectionSettings {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly database: string;
  readonly socketPath?: string;
}

const DATABASE_NAME = /^[A-Za-z0-9_]{1,64}$/;

function urlError(problem: string): OnlinetimeError {
  // The URL itself may hold a password: it is never part of the message.
  return new OnlinetimeError('MYSQL_URL_INVALID', `invalid MySQL URL: ${problem}`);
}

export function parseMysqlUrl(url: string): ConnectionSettings {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw urlError('not a URL (expected mysql://user:password@host:port/database)');
  }
  if (parsed.protocol !== 'mysql:' && parsed.protocol !== 'mariadb:') {
    throw urlError(`scheme must be mysql: or mariadb:, not ${parsed.protocol}`);
  }
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  if (database === '') throw urlError('no database name in the path');
  const port = parsed.port === '' ? 3306 : Number(parsed.port);
  const unknown = [...parsed.searchParams.keys()].filter((k) => k !== 'socketPath');
  if (unknown.length > 0) throw urlError(`unsupported parameters: ${unknown.join(', ')} (only socketPath)`);
  const socketPath = parsed.searchParams.get('socketPath');
  const host = parsed.hostname.startsWith('[') ? parsed.hostname.slice(1, -1) : parsed.hostname;
  return {
    host: host === '' ? 'localhost' : decodeURIComponent(host),
    port,
    user: decodeURIComponent(parsed.username),
    password: decodeURIComponent(parsed.password),
    database,
    ...(socketPath === null ? {} : { socketPath }),
  };
}

/**
 * A database name cannot be a placeholder, so CREATE/DROP DATABASE accept only names matching
 * [A-Za-z0-9_]{1,64}, quoted with backticks on top.
 */
export function checkDatabaseName(name: string): string {
  if (!DATABASE_NAME.test(name)) throw urlError(`database name must match ${DATABASE_NAME.source}`);
  return name;
}
