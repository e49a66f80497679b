/**
 * Versioned schema migrations. Each migration has a number (1, 2, 3 … in order) and is applied once,
 * in its own IMMEDIATE transaction together with its row in `schema_migrations`; `PRAGMA user_version`
 * mirrors the latest number for tools. A process that opens the database while another migrates waits
 * on the write lock (busy_timeout) and then finds the migration recorded. A database migrated by a newer
 * Stepwise (a number this one does not know) is refused rather than misread.
 *
 * Adding a migration: append `{ version: n + 1, name, up }`, never edit an applied one. Records are kept
 * whole as JSON text, so a new record field needs no migration; a new column a query needs is an
 * `ALTER TABLE … ADD COLUMN` (backfilled from the JSON, e.g. `UPDATE executions SET x = record ->> '$.x'`),
 * and a new table or index is a `CREATE`.
 * @module
 */
import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';

export interface Migration {
  version: number;
  name: string;
  up(db: Database.Database): void;
}

/**
 * Migration 1: the initial schema.
 * - Catalog records (state machines and their versions, aliases, activities) as JSON with the columns
 *   their lists need; `id` keeps creation order (an explicit INTEGER PRIMARY KEY survives VACUUM).
 * - Executions: the record as JSON plus the columns queries filter and sort on, and the interpreter's
 *   state (ExecState) as JSON. History events as JSON, one row each.
 * - Durable work: timers (by due time) and open tasks (activity claims, tokens), deleted with their
 *   execution.
 */
const SCHEMA_1 = `
CREATE TABLE state_machines (
  id             INTEGER PRIMARY KEY,
  arn            TEXT NOT NULL UNIQUE,
  name           TEXT NOT NULL,
  version_of     TEXT,
  version_number INTEGER,
  record         TEXT NOT NULL
);
CREATE INDEX state_machines_versions ON state_machines (version_of, version_number);

CREATE TABLE aliases (
  id                INTEGER PRIMARY KEY,
  arn               TEXT NOT NULL UNIQUE,
  state_machine_arn TEXT NOT NULL,
  record            TEXT NOT NULL
);
CREATE INDEX aliases_state_machine ON aliases (state_machine_arn);

CREATE TABLE activities (
  id     INTEGER PRIMARY KEY,
  arn    TEXT NOT NULL UNIQUE,
  name   TEXT NOT NULL,
  record TEXT NOT NULL
);

CREATE TABLE tags (
  id           INTEGER PRIMARY KEY,
  resource_arn TEXT NOT NULL,
  key          TEXT NOT NULL,
  value        TEXT NOT NULL,
  UNIQUE (resource_arn, key)
);

CREATE TABLE executions (
  id                INTEGER PRIMARY KEY,
  arn               TEXT NOT NULL UNIQUE,
  state_machine_arn TEXT NOT NULL,
  name              TEXT NOT NULL,
  type              TEXT NOT NULL,
  status            TEXT NOT NULL,
  start_date        INTEGER NOT NULL,
  stop_date         INTEGER,
  redrive_count     INTEGER NOT NULL,
  version_arn       TEXT,
  alias_arn         TEXT,
  record            TEXT NOT NULL,
  state             TEXT NOT NULL
);
CREATE INDEX executions_machine_start ON executions (state_machine_arn, start_date);
CREATE INDEX executions_machine_status_start ON executions (state_machine_arn, status, start_date);
CREATE INDEX executions_start ON executions (start_date);
CREATE INDEX executions_running ON executions (type) WHERE status = 'RUNNING';
CREATE INDEX executions_closed ON executions (stop_date) WHERE stop_date IS NOT NULL;

CREATE TABLE history (
  execution_arn TEXT NOT NULL REFERENCES executions (arn) ON DELETE CASCADE,
  id            INTEGER NOT NULL,
  event         TEXT NOT NULL,
  PRIMARY KEY (execution_arn, id)
);

CREATE TABLE timers (
  execution_arn TEXT NOT NULL REFERENCES executions (arn) ON DELETE CASCADE,
  seq           INTEGER NOT NULL,
  kind          TEXT NOT NULL,
  due_at        INTEGER NOT NULL,
  PRIMARY KEY (execution_arn, seq, kind)
) WITHOUT ROWID;
CREATE INDEX timers_due ON timers (due_at, seq);

CREATE TABLE tasks (
  id            INTEGER PRIMARY KEY,
  execution_arn TEXT NOT NULL REFERENCES executions (arn) ON DELETE CASCADE,
  seq           INTEGER NOT NULL,
  command       TEXT NOT NULL,
  activity_arn  TEXT,
  token         TEXT,
  status        TEXT NOT NULL,
  worker_name   TEXT,
  created_at    INTEGER NOT NULL,
  UNIQUE (execution_arn, seq)
);
CREATE INDEX tasks_claim ON tasks (activity_arn, status, created_at);
CREATE INDEX tasks_token ON tasks (token) WHERE token IS NOT NULL;
`;

/**
 * Migration 2: cheaper steps and smaller rows.
 * - History: one row per committed step (its events as a JSON array, with the first and last id), so a
 *   step costs one insert however many events it has; `executions.last_event_id` lets the step's state
 *   update also refuse events already recorded.
 * - Definitions: kept once each (by SHA-256), referenced by the executions that run them, instead of a
 *   copy in every execution's record.
 */
function migration2(db: Database.Database): void {
  db.exec(`
CREATE TABLE definitions (
  id   INTEGER PRIMARY KEY,
  hash TEXT NOT NULL UNIQUE,
  text TEXT NOT NULL
);
ALTER TABLE executions ADD COLUMN definition_id INTEGER REFERENCES definitions (id);
ALTER TABLE executions ADD COLUMN last_event_id INTEGER NOT NULL DEFAULT 0;

CREATE TABLE history_steps (
  execution_arn TEXT NOT NULL REFERENCES executions (arn) ON DELETE CASCADE,
  first_id      INTEGER NOT NULL,
  last_id       INTEGER NOT NULL,
  events        TEXT NOT NULL,
  PRIMARY KEY (execution_arn, first_id)
);
INSERT INTO history_steps (execution_arn, first_id, last_id, events)
  SELECT execution_arn, id, id, '[' || event || ']' FROM history;
UPDATE executions SET last_event_id = coalesce((SELECT max(id) FROM history WHERE execution_arn = executions.arn), 0);
DROP TABLE history;
`);
  const select = db.prepare<[], { id: number; record: string }>('SELECT id, record FROM executions');
  const findDef = db.prepare<[string], number>('SELECT id FROM definitions WHERE hash = ?').pluck();
  const insertDef = db.prepare<[string, string]>('INSERT INTO definitions (hash, text) VALUES (?, ?)');
  const update = db.prepare<[string, number, number]>('UPDATE executions SET record = ?, definition_id = ? WHERE id = ?');
  for (const row of select.all()) {
    const rec = JSON.parse(row.record) as { definition?: string };
    if (typeof rec.definition !== 'string') continue;
    const hash = definitionHash(rec.definition);
    const id = findDef.get(hash) ?? Number(insertDef.run(hash, rec.definition).lastInsertRowid);
    delete rec.definition;
    update.run(JSON.stringify(rec), id, row.id);
  }
}

/**
 * Migration 3: Map Runs (Distributed Map), one row each: the record as JSON, with the execution that
 * runs it (they go with it) and the start date ListMapRuns orders by.
 */
const SCHEMA_3 = `
CREATE TABLE map_runs (
  id            INTEGER PRIMARY KEY,
  arn           TEXT NOT NULL UNIQUE,
  execution_arn TEXT NOT NULL REFERENCES executions (arn) ON DELETE CASCADE,
  start_date    INTEGER NOT NULL,
  record        TEXT NOT NULL
);
CREATE INDEX map_runs_execution ON map_runs (execution_arn, start_date);
`;

/** The key a definition is kept under. */
export function definitionHash(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'initial schema', up: (db) => db.exec(SCHEMA_1) },
  { version: 2, name: 'history by step, definitions kept once', up: migration2 },
  { version: 3, name: 'map runs', up: (db) => db.exec(SCHEMA_3) },
];

export interface MigrationResult {
  /** Schema version before and after. */
  from: number;
  to: number;
  applied: number[];
}

/** Brings the database to the latest schema version of `migrations`. */
export function migrate(db: Database.Database, migrations: readonly Migration[] = MIGRATIONS): MigrationResult {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`Migration ${m.name}: numbered ${m.version}, expected ${i + 1}`);
  });
  const latest = migrations.length;
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
  const current = db.prepare<[], number | null>('SELECT max(version) FROM schema_migrations').pluck();
  const isApplied = db.prepare<[number], number>('SELECT 1 FROM schema_migrations WHERE version = ?').pluck();
  const record = db.prepare<[number, string, number]>('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  const from = current.get() ?? 0;
  if (from > latest) {
    throw new Error(`The database schema is at version ${from}, newer than this Stepwise knows (${latest}): upgrade Stepwise to open it`);
  }
  const applied: number[] = [];
  for (const m of migrations) {
    if (m.version <= from) continue;
    db.transaction(() => {
      if (isApplied.get(m.version)) return; // another process was first
      m.up(db);
      record.run(m.version, m.name, Date.now());
      db.pragma(`user_version = ${m.version}`);
      applied.push(m.version);
    }).immediate();
  }
  return { from, to: current.get() ?? 0, applied };
}
