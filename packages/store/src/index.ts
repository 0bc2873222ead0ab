export type * from './types.js';
export { createMysqlStore, type MysqlStoreOptions } from './mysql/mysql-store.js';
export { createMemoryStore } from './memory/memory-store.js';
export { migrate, type MigrateOptions, type MigrateResult } from './mysql/migrate.js';
export { DEFAULT_MIGRATIONS_DIR } from './mysql/migration-files.js';
export { createDatabaseIfMissing, dropDatabase } from './mysql/database.js';
export { LIMITS as STORE_LIMITS } from './validate-values.js';
export * from './rebuild/index.js';
export * from './ejabberd/index.js';
