/**
 * The PostgreSQL store: `openPostgresStore(url, options)`.
 * @module
 */
export { PostgresStore, type PostgresStoreConfig } from './adapter.js';
export { openPostgresStore, isPostgresUrl, redactUrl, DEFAULT_SCHEMA, type PostgresStoreOptions } from './open.js';
export { migrate, MIGRATIONS, type Migration, type MigrationResult } from './migrations.js';
