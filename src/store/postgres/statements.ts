/**
 * Every query of the PostgreSQL adapter, as SQL text with numbered parameters. Tables are unqualified:
 * each connection's search path is the store's schema. Each statement has a name, so the server
 * prepares it once per connection (node-postgres named prepared statements).
 * @module
 */
import type { ExecutionQuery } from '../store.js';
import { EXEC_COLS, mirroredColumns, TASK_COLS, type ExecColValues, type TaskColumns, type TimerColumns } from '../rows.js';

export { mirroredColumns, type ExecColValues, type TaskColumns, type TimerColumns };

export interface Sql {
  name: string;
  text: string;
}

const sql = (name: string, text: string): Sql => ({ name: `stepwise_${name}`, text });


export interface RecordColumns {
  record: string;
  definition_id: number | null;
}


const T_TASK_COLS = TASK_COLS.replace(/(\w+)/g, 't.$1');

export const Q = {
  // ---- catalog ----
  putMachine: sql(
    'put_machine',
    `INSERT INTO state_machines (arn, name, version_of, version_number, record) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (arn) DO UPDATE SET name = excluded.name, version_of = excluded.version_of,
       version_number = excluded.version_number, record = excluded.record`,
  ),
  getMachine: sql('get_machine', 'SELECT record FROM state_machines WHERE arn = $1'),
  getMapRun: sql('get_map_run', 'SELECT record FROM map_runs WHERE arn = $1'),
  listMapRuns: sql('list_map_runs', 'SELECT record FROM map_runs WHERE execution_arn = $1 ORDER BY start_date DESC, id DESC'),
  listMachines: sql('list_machines', 'SELECT record FROM state_machines WHERE version_of IS NULL ORDER BY id'),
  listVersions: sql('list_versions', 'SELECT record FROM state_machines WHERE version_of = $1 ORDER BY version_number, id'),
  deleteMachine: sql('delete_machine', 'DELETE FROM state_machines WHERE arn = $1'),

  putAlias: sql(
    'put_alias',
    `INSERT INTO aliases (arn, state_machine_arn, record) VALUES ($1, $2, $3)
     ON CONFLICT (arn) DO UPDATE SET state_machine_arn = excluded.state_machine_arn, record = excluded.record`,
  ),
  getAlias: sql('get_alias', 'SELECT record FROM aliases WHERE arn = $1'),
  listAliases: sql('list_aliases', 'SELECT record FROM aliases WHERE state_machine_arn = $1 ORDER BY id'),
  deleteAlias: sql('delete_alias', 'DELETE FROM aliases WHERE arn = $1'),

  putActivity: sql('put_activity', 'INSERT INTO activities (arn, name, record) VALUES ($1, $2, $3) ON CONFLICT (arn) DO UPDATE SET name = excluded.name, record = excluded.record'),
  getActivity: sql('get_activity', 'SELECT record FROM activities WHERE arn = $1'),
  listActivities: sql('list_activities', 'SELECT record FROM activities ORDER BY id'),
  deleteActivity: sql('delete_activity', 'DELETE FROM activities WHERE arn = $1'),

  getTags: sql('get_tags', 'SELECT key, value FROM tags WHERE resource_arn = $1 ORDER BY id'),
  deleteTags: sql('delete_tags', 'DELETE FROM tags WHERE resource_arn = $1'),
  /** The tags of a resource, in the order given (keys and values as two arrays). */
  insertTags: sql('insert_tags', 'INSERT INTO tags (resource_arn, key, value) SELECT $1, k, v FROM unnest($2::text[], $3::text[]) WITH ORDINALITY AS u (k, v, o) ORDER BY o'),

  // ---- executions ----
  getRecord: sql('get_record', 'SELECT record, definition_id FROM executions WHERE arn = $1'),
  getState: sql('get_state', 'SELECT state FROM executions WHERE arn = $1'),
  countExecutions: sql('count_executions', 'SELECT status, count(*)::integer AS n FROM executions WHERE state_machine_arn = $1 GROUP BY status'),
  running: sql('running', "SELECT arn FROM executions WHERE status = 'RUNNING' AND type = 'STANDARD' ORDER BY id"),
  /**
   * Deletes the executions closed before the cutoff and, in the same statement, their history (by the
   * history's primary key); timers and tasks go by cascade (closed executions have none). Returns how many.
   */
  purge: sql(
    'purge',
    `WITH gone AS (DELETE FROM executions WHERE stop_date IS NOT NULL AND stop_date < $1 AND status <> 'RUNNING' RETURNING id),
       history AS (DELETE FROM history_steps WHERE execution_id IN (SELECT id FROM gone))
     SELECT count(*)::integer AS n FROM gone`,
  ),

  /** Several steps' history rows in one insert (the group commit's batch). */
  insertSteps: sql(
    'insert_steps',
    'INSERT INTO history_steps (execution_id, first_id, last_id, events) SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::text[])',
  ),
  /** The steps with events after an id, oldest first (read until enough events). */
  historyForward: sql(
    'history_forward',
    'SELECT h.events FROM history_steps h JOIN executions e ON e.id = h.execution_id WHERE e.arn = $1 AND h.last_id > $2 ORDER BY h.first_id LIMIT $3',
  ),
  /** The steps with events before an id, newest first. */
  historyBackward: sql(
    'history_backward',
    'SELECT h.events FROM history_steps h JOIN executions e ON e.id = h.execution_id WHERE e.arn = $1 AND h.first_id < $2 ORDER BY h.first_id DESC LIMIT $3',
  ),

  // ---- definitions ----
  /** The id of a definition, inserted if new. */
  definitionId: sql(
    'definition_id',
    `WITH ins AS (INSERT INTO definitions (hash, text) VALUES ($1, $2) ON CONFLICT (hash) DO NOTHING RETURNING id)
     SELECT id FROM ins UNION ALL SELECT id FROM definitions WHERE hash = $1 LIMIT 1`,
  ),
  findDefinition: sql('find_definition', 'SELECT id FROM definitions WHERE hash = $1'),
  getDefinition: sql('get_definition', 'SELECT text FROM definitions WHERE id = $1'),

  // ---- timers ----
  /**
   * Claims due timers: locks them (skipping rows another transaction holds), moves them to the lease,
   * returns them as they were. The caller sorts (RETURNING has no order).
   */
  claimTimers: sql(
    'claim_timers',
    `UPDATE timers t SET due_at = $3
     FROM (SELECT execution_arn, seq, kind, due_at FROM timers WHERE due_at <= $1 ORDER BY due_at, seq, execution_arn, kind LIMIT $2 FOR UPDATE SKIP LOCKED) c
     WHERE t.execution_arn = c.execution_arn AND t.seq = c.seq AND t.kind = c.kind
     RETURNING c.execution_arn, c.seq, c.kind, c.due_at`,
  ),
  nextDue: sql('next_due', 'SELECT min(due_at) AS due FROM timers'),
  moveTimer: sql('move_timer', 'UPDATE timers SET due_at = $1 WHERE execution_arn = $2 AND seq = $3 AND kind = $4'),

  // ---- tasks ----
  openTasks: sql('open_tasks', `SELECT ${TASK_COLS} FROM tasks WHERE execution_arn = $1 ORDER BY seq`),
  invocableTasks: sql(
    'invocable_tasks',
    `SELECT ${T_TASK_COLS} FROM tasks t JOIN executions e ON e.arn = t.execution_arn
     WHERE t.activity_arn IS NULL AND e.status = 'RUNNING' ORDER BY t.id`,
  ),
  tokenTasks: sql(
    'token_tasks',
    `SELECT ${T_TASK_COLS} FROM tasks t JOIN executions e ON e.arn = t.execution_arn
     WHERE t.token IS NOT NULL AND e.status = 'RUNNING' ORDER BY t.created_at, t.execution_arn, t.seq LIMIT $1`,
  ),
  claimTask: sql(
    'claim_task',
    `UPDATE tasks SET status = 'started', worker_name = coalesce($1, worker_name)
     WHERE id = (SELECT id FROM tasks WHERE activity_arn = $2 AND status = 'scheduled' ORDER BY created_at, id LIMIT 1 FOR UPDATE SKIP LOCKED)
     RETURNING ${TASK_COLS}`,
  ),
  taskByToken: sql('task_by_token', `SELECT ${TASK_COLS} FROM tasks WHERE token = $1 ORDER BY id DESC LIMIT 1`),
} as const;


const FILTERS = [
  ['stateMachineArn', 'state_machine_arn = $'],
  ['status', 'status = $'],
  ['stateMachineVersionArn', 'version_arn = $'],
  ['stateMachineAliasArn', 'alias_arn = $'],
  ['startedFrom', 'start_date >= $'],
  ['startedTo', 'start_date <= $'],
] as const;

/** ListExecutions: newest first (start date, then creation order), with the query's filters and paging. */
export function listExecutionsQuery(q: ExecutionQuery): { name: string; text: string; values: unknown[] } {
  const where: string[] = [];
  const values: unknown[] = [];
  let key = '';
  FILTERS.forEach(([field, cond], i) => {
    const v = q[field];
    if (v === undefined) return;
    values.push(v);
    where.push(`${cond}${values.length}`);
    key += i;
  });
  if (q.name !== undefined && q.name !== '') {
    // strpos() is a case-sensitive substring test (LIKE would treat % and _ as wildcards).
    values.push(q.name);
    where.push(`strpos(name, $${values.length}) > 0`);
    key += 'S';
  }
  if (q.redriven !== undefined) {
    where.push(q.redriven ? 'redrive_count > 0' : 'redrive_count = 0');
    key += q.redriven ? 'R' : 'N';
  }
  values.push(q.limit ?? null, q.offset ?? 0);
  const text = `SELECT record, definition_id FROM executions ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
    ORDER BY start_date DESC, id DESC LIMIT $${values.length - 1} OFFSET $${values.length}`;
  return { name: `stepwise_list_executions_${key}`, text, values };
}

// ---- set-based writes of many executions at once (a group commit's round, see rows.ts) ----------

export const QM = {
  /** New executions (column arrays); returns the ARN and id of each inserted (none for an ARN that exists). */
  insertExecutions: sql(
    'insert_executions',
    `INSERT INTO executions (arn, ${EXEC_COLS}, record, state, definition_id, last_event_id)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::bigint[], $8::integer[], $9::text[], $10::text[],
       $11::text[], $12::text[], $13::bigint[], $14::bigint[])
     ON CONFLICT (arn) DO NOTHING RETURNING arn, id`,
  ),
  /**
   * Steps (one per execution): the new state and, for a step with events, the id of its last event if its
   * first is newer than every recorded one. Returns the id, status and (when asked) record of each updated.
   */
  updateSteps: sql(
    'update_steps',
    `UPDATE executions e SET state = u.state, last_event_id = coalesce(u.last, e.last_event_id)
     FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[], $5::boolean[]) AS u (arn, state, last, first, need)
     WHERE e.arn = u.arn AND (u.first IS NULL OR e.last_event_id < u.first)
     RETURNING e.arn, e.id, e.status, CASE WHEN u.need THEN e.record END AS record`,
  ),
  existing: sql('existing', 'SELECT arn FROM executions WHERE arn = ANY($1::text[])'),
  recordsById: sql('records_by_id', 'SELECT id, record FROM executions WHERE id = ANY($1::bigint[])'),
  updateRecords: sql(
    'update_records',
    `UPDATE executions e SET (${EXEC_COLS}, record) = ROW(u.c1, u.c2, u.c3, u.c4, u.c5, u.c6, u.c7, u.c8, u.c9, u.record)
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::bigint[], $7::integer[], $8::text[], $9::text[], $10::text[], $11::bigint[])
       AS u (c1, c2, c3, c4, c5, c6, c7, c8, c9, record, id)
     WHERE e.id = u.id`,
  ),
  /** Closed executions keep no work. */
  deleteWorkOf: sql('delete_work_of_many', 'WITH t AS (DELETE FROM timers WHERE execution_arn = ANY($1::text[])) DELETE FROM tasks WHERE execution_arn = ANY($1::text[])'),
  /** Timers to delete: (arn, seq, kind), a null kind meaning every kind of the seq. */
  deleteTimers: sql(
    'delete_timers_many',
    `DELETE FROM timers t USING unnest($1::text[], $2::integer[], $3::text[]) AS u (arn, seq, kind)
     WHERE t.execution_arn = u.arn AND t.seq = u.seq AND (u.kind IS NULL OR t.kind = u.kind)`,
  ),
  putTimers: sql(
    'put_timers_many',
    `INSERT INTO timers (execution_arn, seq, kind, due_at) SELECT * FROM unnest($1::text[], $2::integer[], $3::text[], $4::bigint[])
     ON CONFLICT (execution_arn, seq, kind) DO UPDATE SET due_at = excluded.due_at`,
  ),
  deleteTasks: sql('delete_tasks_many', 'DELETE FROM tasks t USING unnest($1::text[], $2::integer[]) AS u (arn, seq) WHERE t.execution_arn = u.arn AND t.seq = u.seq'),
  /** New rows, in the order given (a new id each: a replaced task counts as added now). */
  insertTasks: sql(
    'insert_tasks_many',
    `INSERT INTO tasks (${TASK_COLS})
     SELECT arn, seq, command, activity_arn, token, status, worker_name, created_at
     FROM unnest($1::text[], $2::integer[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::bigint[]) WITH ORDINALITY
       AS u (arn, seq, command, activity_arn, token, status, worker_name, created_at, o)
     ORDER BY o`,
  ),
  /** Map Runs (ARN, execution ARN, start date, record), each replacing the record of its ARN. */
  putMapRuns: sql(
    'put_map_runs_many',
    `INSERT INTO map_runs (arn, execution_arn, start_date, record) SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[])
     ON CONFLICT (arn) DO UPDATE SET start_date = excluded.start_date, record = excluded.record`,
  ),
  startTasks: sql(
    'start_tasks_many',
    `UPDATE tasks t SET status = 'started', worker_name = coalesce(u.worker, t.worker_name)
     FROM unnest($1::text[], $2::integer[], $3::text[]) AS u (arn, seq, worker) WHERE t.execution_arn = u.arn AND t.seq = u.seq`,
  ),
} as const;
