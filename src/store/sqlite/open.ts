/**
 * Opening a SQLite store: the file (and its folder), the connection's pragmas, the schema migrations.
 * @module
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteStore, type SqliteStoreConfig } from './adapter.js';
import { startCheckpointer } from './checkpointer.js';
import { migrate } from './migrations.js';

/** Where `stepwise serve` keeps its database unless told otherwise (`--db PATH`). */
export const DEFAULT_DB_PATH = './.stepwise/stepwise.db';

export interface SqliteStoreOptions extends SqliteStoreConfig {
  /**
   * FULL (default): a commit is on disk when its promise resolves (the WAL is fsynced at every commit).
   * NORMAL: commits survive a crash of the process but the last ones may be lost on power loss
   * (the WAL is fsynced only at checkpoints); much faster on slow disks.
   */
  synchronous?: 'FULL' | 'NORMAL';
  /** How long a write waits for another connection's lock before failing (default 5000 ms). */
  busyTimeoutMs?: number;
  /**
   * Checkpoint the WAL from a worker thread (default true for files) rather than inside commits, where
   * SQLite's automatic checkpoints would stall the engine for tens of milliseconds now and then.
   */
  checkpointer?: boolean;
  /** How often the checkpointer runs (default 200 ms: small checkpoints, short fsyncs). */
  checkpointIntervalMs?: number;
}

/**
 * Opens (creating it and its folder if needed) the database at `path`, or an in-memory one for
 * ':memory:', sets WAL mode, synchronous, busy_timeout and foreign keys, and migrates the schema.
 */
export async function openSqliteStore(path: string = DEFAULT_DB_PATH, options: SqliteStoreOptions = {}): Promise<SqliteStore> {
  const synchronous = options.synchronous ?? 'FULL';
  if (synchronous !== 'FULL' && synchronous !== 'NORMAL') throw new Error(`synchronous must be FULL or NORMAL, got ${String(synchronous)}`);
  const busyTimeoutMs = options.busyTimeoutMs ?? 5000;
  if (!Number.isInteger(busyTimeoutMs) || busyTimeoutMs < 0) throw new Error(`busyTimeoutMs must be a non-negative integer, got ${busyTimeoutMs}`);
  const inMemory = path === ':memory:' || path === '';
  if (!inMemory) mkdirSync(dirname(resolve(path)), { recursive: true });
  const db = new Database(path, { timeout: busyTimeoutMs });
  try {
    db.pragma(`busy_timeout = ${busyTimeoutMs}`);
    if (!inMemory) {
      const mode = db.pragma('journal_mode = WAL', { simple: true });
      if (mode !== 'wal') throw new Error(`${path}: could not switch to WAL mode (journal_mode is ${String(mode)})`);
    }
    db.pragma(`synchronous = ${synchronous}`);
    db.pragma('foreign_keys = ON');
    migrate(db);
    // Checkpoints run in a worker thread (never in the middle of the engine's commits), unless told not to.
    let checkpointer: { stop(): Promise<void> } | undefined;
    if (!inMemory && (options.checkpointer ?? true)) {
      db.pragma('wal_autocheckpoint = 0');
      checkpointer = startCheckpointer({ path: resolve(path), intervalMs: options.checkpointIntervalMs ?? 200, synchronous, busyTimeoutMs, restartFrames: 16384 });
    }
    return new SqliteStore(db, { ...options, onClose: () => checkpointer?.stop() });
  } catch (e) {
    db.close();
    throw e;
  }
}
