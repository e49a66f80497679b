/**
 * The SQLite store: `openSqliteStore(path, options)`.
 * @module
 */
export { SqliteStore, type SqliteStoreConfig } from './adapter.js';
export { openSqliteStore, DEFAULT_DB_PATH, type SqliteStoreOptions } from './open.js';
export { migrate, MIGRATIONS, type Migration, type MigrationResult } from './migrations.js';
export type { GroupCommitStats } from './group-commit.js';
