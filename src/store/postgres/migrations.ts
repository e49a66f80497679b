/**
 * Versioned schema migrations for PostgreSQL. Each migration has a number (1, 2, 3 … in order) and is
 * applied once, in its own transaction together with its row in `schema_migrations`. Every transaction
 * that migrates first takes a transaction-level advisory lock (`pg_advisory_xact_lock`) keyed by the
 * schema, so when several processes open the same database at once, one migrates and the others wait,
 * then find the migration recorded and skip it. A database migrated by a newer Stepwise (a number this
 * one does not know) is refused rather than misread.
 *
 * Adding a migration: append `{ version: n + 1, name, sql }`, never edit an applied one. Records are kept
 * whole as JSON text, so a new record field needs no migration; a new column a query needs is an
 * `ALTER TABLE … ADD COLUMN` (backfilled from the JSON, e.g. `UPDATE executions SET x = record::json ->> 'x'`).
 * @module
 */
import { createHash } from 'node:crypto';
import type pg from 'pg';

export interface Migration {
  version: number;
  name: string;
  /** Run inside the migration's transaction, with the search path set to the store's schema. */
  up(client: pg.ClientBase): Promise<void>;
}

/**
 * Migration 1: the schema.
 * - Catalog records (state machines and their versions, aliases, activities) as JSON text with the
 *   columns their lists need; `id` keeps creation order.
 * - Executions: the record as JSON text (without its definition, kept once in `definitions`) plus the
 *   columns queries filter and sort on, the interpreter's state (ExecState) as JSON text, and the id of
 *   the last event recorded (a step whose first event is not newer is refused).
 * - History: one row per committed step (its events as a JSON array), keyed by the execution's numeric
 *   id; deleted in bulk by the purge (no foreign key: no per-row check on the hottest insert).
 * - Durable work: timers (by due time) and open tasks (activity claims, tokens), deleted with their
 *   execution.
 *
 * JSON is kept as TEXT, not JSONB: JSONB reorders object keys, and refuses strings JSON allows
 * (`"\ud800"`, a lone surrogate), while the store must give back exactly what it was given.
 */
const SCHEMA_1 = `
CREATE TABLE state_machines (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  arn            text NOT NULL UNIQUE,
  name           text NOT NULL,
  version_of     text,
  version_number integer,
  record         text NOT NULL
);
CREATE INDEX state_machines_versions ON state_machines (version_of, version_number);

CREATE TABLE aliases (
  id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  arn               text NOT NULL UNIQUE,
  state_machine_arn text NOT NULL,
  record            text NOT NULL
);
CREATE INDEX aliases_state_machine ON aliases (state_machine_arn);

CREATE TABLE activities (
  id     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  arn    text NOT NULL UNIQUE,
  name   text NOT NULL,
  record text NOT NULL
);

CREATE TABLE tags (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  resource_arn text NOT NULL,
  key          text NOT NULL,
  value        text NOT NULL,
  UNIQUE (resource_arn, key)
);

CREATE TABLE definitions (
  id   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  hash text NOT NULL UNIQUE,
  text text NOT NULL
);

CREATE TABLE executions (
  id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  arn               text NOT NULL UNIQUE,
  state_machine_arn text NOT NULL,
  name              text NOT NULL,
  type              text NOT NULL,
  status            text NOT NULL,
  start_date        bigint NOT NULL,
  stop_date         bigint,
  redrive_count     integer NOT NULL,
  version_arn       text,
  alias_arn         text,
  record            text NOT NULL,
  state             text NOT NULL,
  definition_id     bigint REFERENCES definitions (id),
  last_event_id     bigint NOT NULL DEFAULT 0
);
CREATE INDEX executions_machine_start ON executions (state_machine_arn, start_date, id);
CREATE INDEX executions_machine_status_start ON executions (state_machine_arn, status, start_date, id);
CREATE INDEX executions_start ON executions (start_date, id);
CREATE INDEX executions_running ON executions (type) WHERE status = 'RUNNING';
CREATE INDEX executions_closed ON executions (stop_date) WHERE stop_date IS NOT NULL;

CREATE TABLE history_steps (
  execution_id bigint NOT NULL,
  first_id     bigint NOT NULL,
  last_id      bigint NOT NULL,
  events       text NOT NULL,
  PRIMARY KEY (execution_id, first_id)
);

CREATE TABLE timers (
  execution_arn text NOT NULL REFERENCES executions (arn) ON DELETE CASCADE,
  seq           integer NOT NULL,
  kind          text NOT NULL,
  due_at        bigint NOT NULL,
  PRIMARY KEY (execution_arn, seq, kind)
);
CREATE INDEX timers_due ON timers (due_at, seq);

CREATE TABLE tasks (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  execution_arn text NOT NULL REFERENCES executions (arn) ON DELETE CASCADE,
  seq           integer NOT NULL,
  command       text NOT NULL,
  activity_arn  text,
  token         text,
  status        text NOT NULL,
  worker_name   text,
  created_at    bigint NOT NULL,
  UNIQUE (execution_arn, seq)
);
CREATE INDEX tasks_claim ON tasks (activity_arn, status, created_at, id);
CREATE INDEX tasks_token ON tasks (token) WHERE token IS NOT NULL;
`;

/**
 * Migration 2: Map Runs (Distributed Map), one row each: the record as JSON, with the execution that runs
 * it (they go with it) and the start date ListMapRuns orders by.
 */
const SCHEMA_2 = `
CREATE TABLE map_runs (
  id            bigserial,
  arn           text PRIMARY KEY,
  execution_arn text NOT NULL REFERENCES executions (arn) ON DELETE CASCADE,
  start_date    bigint NOT NULL,
  record        text NOT NULL
);
CREATE INDEX map_runs_execution ON map_runs (execution_arn, start_date);
`;

export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'initial schema', up: async (c) => void (await c.query(SCHEMA_1)) },
  { version: 2, name: 'map runs', up: async (c) => void (await c.query(SCHEMA_2)) },
];

/** The key a definition is kept under. */
export function definitionHash(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The advisory lock's first key: "Stepwise migrations" (the second is the schema's hash). */
const LOCK_CLASS = 0x5374_6570; // 'Step'

export interface MigrationResult {
  /** Schema version before and after. */
  from: number;
  to: number;
  applied: number[];
}

/** A schema name as an SQL identifier. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * Brings `schema` (created if absent) to the latest version of `migrations`, on `client` (a connection
 * of its own: the search path is set on it for the migrations).
 */
export async function migrate(client: pg.ClientBase, schema: string, migrations: readonly Migration[] = MIGRATIONS): Promise<MigrationResult> {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`Migration ${m.name}: numbered ${m.version}, expected ${i + 1}`);
  });
  const latest = migrations.length;
  const s = quoteIdent(schema);
  /** Runs `body` in a transaction that holds the schema's migration lock. */
  const locked = async <R>(body: () => Promise<R>): Promise<R> => {
    await client.query('BEGIN');
    try {
      await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [LOCK_CLASS, schema]);
      const r = await body();
      await client.query('COMMIT');
      return r;
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw e;
    }
  };
  const current = async () => Number((await client.query<{ v: string | null }>(`SELECT max(version) AS v FROM ${s}.schema_migrations`)).rows[0]?.v ?? 0);
  const from = await locked(async () => {
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
    await client.query(`CREATE TABLE IF NOT EXISTS ${s}.schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at bigint NOT NULL)`);
    return current();
  });
  if (from > latest) {
    throw new Error(`The database schema "${schema}" is at version ${from}, newer than this Stepwise knows (${latest}): upgrade Stepwise to open it`);
  }
  const applied: number[] = [];
  for (const m of migrations) {
    if (m.version <= from) continue;
    await locked(async () => {
      const found = await client.query(`SELECT 1 FROM ${s}.schema_migrations WHERE version = $1`, [m.version]);
      if (found.rowCount) return; // another process was first
      // SET LOCAL: the search path is the schema's for this transaction only.
      await client.query(`SET LOCAL search_path TO ${s}`);
      await m.up(client);
      await client.query(`INSERT INTO ${s}.schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`, [m.version, m.name, Date.now()]);
      applied.push(m.version);
    });
  }
  return { from, to: await current(), applied };
}
