/**
 * Applies pending migrations in version order, recording each in schema_migrations. Idempotent; a
 * named lock (GET_LOCK, per database) keeps two processes migrating at once from colliding.
 */
import { createHash } from 'node:crypto';

import { OnlinetimeError } from '@onlinetime/errors';
import type { Logger } from '@onlinetime/logging';
import { createConnection, type Connection, type RowDataPacket } from 'mysql2/promise';

import { toStoreError } from './errors.js';
import { readMigrations, type MigrationFile } from './migration-files.js';
import { parseMysqlUrl } from './url.js';

export interface MigrateOptions {
  readonly url: string;
  readonly logger?: Logger;
  /** Defaults to the package's migrations/ directory. */
  readonly migrationsDir?: string;
  /** How long to wait for another process's migration (default 60 s). */
  readonly lockTimeoutSeconds?: number;
}

export interface MigrateResult {
  /** Files applied by this call, in order (empty when the schema was current). */
  readonly applied: string[];
  /** Highest version now applied (0 when none). */
  readonly version: number;
}

const SCHEMA_MIGRATIONS = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version INT NOT NULL,
  name VARCHAR(255) NOT NULL,
  checksum CHAR(64) NOT NULL,
  applied_at BIGINT NOT NULL,
  PRIMARY KEY (version)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`;

async function step<T>(operation: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    throw toStoreError(err, operation);
  }
}

async function apply(conn: Connection, m: MigrationFile): Promise<void> {
  // DDL commits implicitly on both servers; the transaction still makes data-only migrations atomic,
  // and every CREATE uses IF NOT EXISTS so an interrupted file can run again.
  await step('migrate', () => conn.query('START TRANSACTION'));
  for (const [index, statement] of m.statements.entries()) {
    try {
      await conn.query(statement);
    } catch (err) {
      await conn.query('ROLLBACK').catch(() => undefined);
      const cause = toStoreError(err, 'migrate');
      throw new OnlinetimeError(
        'MIGRATION_FAILED',
        `migration ${m.file} failed at statement ${index + 1}: ${cause.message}`,
        {
          retriable: cause.retriable,
          context: { file: m.file, statement: index + 1 },
          cause: err,
        },
      );
    }
  }
  await step('migrate', () =>
    conn.execute('INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (?, ?, ?, ?)', [
      m.version,
      m.file,
      m.checksum,
      Date.now(),
    ]),
  );
  await step('migrate', () => conn.query('COMMIT'));
}

async function migrateLocked(
  conn: Connection,
  files: MigrationFile[],
  logger?: Logger,
): Promise<MigrateResult> {
  await step('migrate', () => conn.query(SCHEMA_MIGRATIONS));
  const [rows] = await step('migrate', () =>
    conn.query<RowDataPacket[]>('SELECT version, name, checksum FROM schema_migrations ORDER BY version'),
  );
  const done = new Map(
    rows.map((r) => [Number(r['version']), { name: String(r['name']), checksum: String(r['checksum']) }]),
  );
  for (const m of files) {
    const recorded = done.get(m.version);
    if (recorded && (recorded.checksum !== m.checksum || recorded.name !== m.file)) {
      throw new OnlinetimeError(
        'MIGRATION_CHECKSUM_MISMATCH',
        `migration ${m.file} differs from the applied ${recorded.name} (checksum ${m.checksum}, recorded ${recorded.checksum}): never edit an applied migration, add a new one`,
        { context: { file: m.file, version: m.version } },
      );
    }
  }
  for (const version of done.keys()) {
    if (!files.some((m) => m.version === version)) {
      logger?.warn(
        { version, name: done.get(version)?.name },
        'database has a migration this code does not know',
      );
    }
  }
  const applied: string[] = [];
  for (const m of files) {
    if (done.has(m.version)) continue;
    await apply(conn, m);
    applied.push(m.file);
    logger?.info({ migration: m.file }, 'migration applied');
  }
  const version = Math.max(
    0,
    ...done.keys(),
    ...files.filter((m) => applied.includes(m.file)).map((m) => m.version),
  );
  return { applied, version };
}

export async function migrate(options: MigrateOptions): Promise<MigrateResult> {
  const settings = parseMysqlUrl(options.url);
  const files = await readMigrations(options.migrationsDir);
  const lockName = `onlinetime_migrate_${createHash('sha256').update(settings.database).digest('hex').slice(0, 32)}`;
  const conn = await step('migrate.connect', () =>
    createConnection({ ...settings, charset: 'UTF8MB4_UNICODE_CI' }),
  );
  try {
    const [got] = await step('migrate.lock', () =>
      conn.execute<RowDataPacket[]>('SELECT GET_LOCK(?, ?) AS got', [
        lockName,
        options.lockTimeoutSeconds ?? 60,
      ]),
    );
    if (Number(got[0]?.['got']) !== 1) {
      throw new OnlinetimeError('MIGRATION_LOCK_TIMEOUT', 'another process is migrating this database', {
        retriable: true,
        context: { database: settings.database },
      });
    }
    try {
      return await migrateLocked(conn, files, options.logger);
    } finally {
      await conn.execute('SELECT RELEASE_LOCK(?)', [lockName]).catch(() => undefined);
    }
  } finally {
    await conn.end().catch(() => undefined);
  }
}
