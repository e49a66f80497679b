/**
 * Every query of the SQLite adapter, prepared once per connection. ListExecutions has one statement per
 * combination of filters, prepared the first time it is used and kept.
 * @module
 */
import type Database from 'better-sqlite3';
import type { ExecutionQuery } from '../store.js';
import { EXEC_COLS, mirroredColumns, TASK_COLS, type ExecColValues, type TaskColumns, type TimerColumns } from '../rows.js';

export { mirroredColumns, type TaskColumns, type TimerColumns };

type Db = Database.Database;
/** The part of a prepared statement the adapter uses. */
export interface Stmt<P extends unknown[], R = unknown> {
  run(...params: P): Database.RunResult;
  get(...params: P): R | undefined;
  all(...params: P): R[];
  iterate(...params: P): IterableIterator<R>;
}


export interface RecordColumns {
  record: string;
  definition_id: number | null;
}



export function prepareStatements(db: Db) {
  const p = <P extends unknown[], R = unknown>(sql: string): Stmt<P, R> => db.prepare<P, R>(sql);
  /** A statement whose rows are the value of their one column. */
  const v = <P extends unknown[], R>(sql: string): Stmt<P, R> => db.prepare<P, R>(sql).pluck();
  return {
    // ---- catalog ----
    putMachine: p<[string, string, string | null, number | null, string]>(
      `INSERT INTO state_machines (arn, name, version_of, version_number, record) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (arn) DO UPDATE SET name = excluded.name, version_of = excluded.version_of,
         version_number = excluded.version_number, record = excluded.record`,
    ),
    getMachine: v<[string], string>('SELECT record FROM state_machines WHERE arn = ?'),
    listMachines: v<[], string>('SELECT record FROM state_machines WHERE version_of IS NULL ORDER BY id'),
    listVersions: v<[string], string>('SELECT record FROM state_machines WHERE version_of = ? ORDER BY version_number, id'),
    deleteMachine: p<[string]>('DELETE FROM state_machines WHERE arn = ?'),

    putAlias: p<[string, string, string]>(
      `INSERT INTO aliases (arn, state_machine_arn, record) VALUES (?, ?, ?)
       ON CONFLICT (arn) DO UPDATE SET state_machine_arn = excluded.state_machine_arn, record = excluded.record`,
    ),
    getAlias: v<[string], string>('SELECT record FROM aliases WHERE arn = ?'),
    listAliases: v<[string], string>('SELECT record FROM aliases WHERE state_machine_arn = ? ORDER BY id'),
    deleteAlias: p<[string]>('DELETE FROM aliases WHERE arn = ?'),

    putActivity: p<[string, string, string]>(
      'INSERT INTO activities (arn, name, record) VALUES (?, ?, ?) ON CONFLICT (arn) DO UPDATE SET name = excluded.name, record = excluded.record',
    ),
    getActivity: v<[string], string>('SELECT record FROM activities WHERE arn = ?'),
    listActivities: v<[], string>('SELECT record FROM activities ORDER BY id'),
    deleteActivity: p<[string]>('DELETE FROM activities WHERE arn = ?'),

    getTags: p<[string], { key: string; value: string }>('SELECT key, value FROM tags WHERE resource_arn = ? ORDER BY id'),
    deleteTags: p<[string]>('DELETE FROM tags WHERE resource_arn = ?'),
    insertTag: p<[string, string, string]>('INSERT INTO tags (resource_arn, key, value) VALUES (?, ?, ?)'),

    // ---- executions ----
    insertExecution: p<[string, ...ExecColValues, string, string, number, number]>(
      `INSERT INTO executions (arn, ${EXEC_COLS}, record, state, definition_id, last_event_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (arn) DO NOTHING`,
    ),
    /** The step's state; returns the status, or nothing for an unknown ARN (one column: RETURNING is not free). */
    updateState: v<[string, string], string>('UPDATE executions SET state = ? WHERE arn = ? RETURNING status'),
    /**
     * The step's state and the id of its last event, if its first event is newer than every recorded one;
     * returns the status, or nothing (an unknown ARN, or events already recorded).
     */
    updateStateEvents: v<[string, number, string, number], string>('UPDATE executions SET state = ?, last_event_id = ? WHERE arn = ? AND last_event_id < ? RETURNING status'),
    exists: v<[string], number>('SELECT 1 FROM executions WHERE arn = ?'),
    getRecord: p<[string], RecordColumns>('SELECT record, definition_id FROM executions WHERE arn = ?'),
    getRecordOnly: v<[string], string>('SELECT record FROM executions WHERE arn = ?'),
    updateRecord: p<[...ExecColValues, string, string]>(`UPDATE executions SET (${EXEC_COLS}, record) = (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) WHERE arn = ?`),
    getState: v<[string], string>('SELECT state FROM executions WHERE arn = ?'),
    countExecutions: p<[string], { status: string; n: number }>('SELECT status, count(*) AS n FROM executions WHERE state_machine_arn = ? GROUP BY status'),
    running: v<[], string>("SELECT arn FROM executions WHERE status = 'RUNNING' AND type = 'STANDARD' ORDER BY id"),
    purge: p<[number]>("DELETE FROM executions WHERE stop_date IS NOT NULL AND stop_date < ? AND status <> 'RUNNING'"),

    insertStep: p<[string, number, number, string]>('INSERT INTO history_steps (execution_arn, first_id, last_id, events) VALUES (?, ?, ?, ?)'),
    /** The steps with events after an id, oldest first (read until enough events). */
    historyForward: v<[string, number], string>('SELECT events FROM history_steps WHERE execution_arn = ? AND last_id > ? ORDER BY first_id'),
    /** The steps with events before an id, newest first. */
    historyBackward: v<[string, number], string>('SELECT events FROM history_steps WHERE execution_arn = ? AND first_id < ? ORDER BY first_id DESC'),

    // ---- map runs ----
    putMapRun: p<[string, string, number, string]>(
      `INSERT INTO map_runs (arn, execution_arn, start_date, record) VALUES (?, ?, ?, ?)
       ON CONFLICT (arn) DO UPDATE SET start_date = excluded.start_date, record = excluded.record`,
    ),
    getMapRun: v<[string], string>('SELECT record FROM map_runs WHERE arn = ?'),
    listMapRuns: v<[string], string>('SELECT record FROM map_runs WHERE execution_arn = ? ORDER BY start_date DESC, id DESC'),

    // ---- definitions ----
    findDefinition: v<[string], number>('SELECT id FROM definitions WHERE hash = ?'),
    insertDefinition: p<[string, string]>('INSERT INTO definitions (hash, text) VALUES (?, ?)'),
    getDefinition: v<[number], string>('SELECT text FROM definitions WHERE id = ?'),

    // ---- timers ----
    putTimer: p<[string, number, string, number]>(
      'INSERT INTO timers (execution_arn, seq, kind, due_at) VALUES (?, ?, ?, ?) ON CONFLICT (execution_arn, seq, kind) DO UPDATE SET due_at = excluded.due_at',
    ),
    deleteTimer: p<[string, number, string]>('DELETE FROM timers WHERE execution_arn = ? AND seq = ? AND kind = ?'),
    deleteTimersOfSeq: p<[string, number]>('DELETE FROM timers WHERE execution_arn = ? AND seq = ?'),
    deleteTimersOf: p<[string]>('DELETE FROM timers WHERE execution_arn = ?'),
    dueTimers: p<[number, number], TimerColumns>('SELECT execution_arn, seq, kind, due_at FROM timers WHERE due_at <= ? ORDER BY due_at, seq LIMIT ?'),
    nextDue: v<[], number | null>('SELECT min(due_at) FROM timers'),
    moveTimer: p<[number, string, number, string]>('UPDATE timers SET due_at = ? WHERE execution_arn = ? AND seq = ? AND kind = ?'),

    // ---- tasks ----
    /** A new row (a new id: a replaced task counts as added now). */
    putTask: p<[string, number, string, string | null, string | null, string, string | null, number]>(
      `INSERT OR REPLACE INTO tasks (${TASK_COLS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    deleteTask: p<[string, number]>('DELETE FROM tasks WHERE execution_arn = ? AND seq = ?'),
    deleteTasksOf: p<[string]>('DELETE FROM tasks WHERE execution_arn = ?'),
    startTask: p<[string | null, string, number]>("UPDATE tasks SET status = 'started', worker_name = coalesce(?, worker_name) WHERE execution_arn = ? AND seq = ?"),
    openTasks: p<[string], TaskColumns>(`SELECT ${TASK_COLS} FROM tasks WHERE execution_arn = ? ORDER BY seq`),
    invocableTasks: p<[], TaskColumns>(
      `SELECT ${TASK_COLS.replace(/(\w+)/g, 't.$1')} FROM tasks t JOIN executions e ON e.arn = t.execution_arn
       WHERE t.activity_arn IS NULL AND e.status = 'RUNNING' ORDER BY t.id`,
    ),
    tokenTasks: p<[number], TaskColumns>(
      `SELECT ${TASK_COLS.replace(/(\w+)/g, 't.$1')} FROM tasks t JOIN executions e ON e.arn = t.execution_arn
       WHERE t.token IS NOT NULL AND e.status = 'RUNNING' ORDER BY t.created_at, t.execution_arn, t.seq LIMIT ?`,
    ),
    claimTask: p<[string | null, string], TaskColumns>(
      `UPDATE tasks SET status = 'started', worker_name = coalesce(?, worker_name)
       WHERE id = (SELECT id FROM tasks WHERE activity_arn = ? AND status = 'scheduled' ORDER BY created_at, id LIMIT 1)
       RETURNING ${TASK_COLS}`,
    ),
    taskByToken: p<[string], TaskColumns>(`SELECT ${TASK_COLS} FROM tasks WHERE token = ? ORDER BY id DESC LIMIT 1`),

    listExecutions: listExecutionsStatements(db),
  };
}

export type Statements = ReturnType<typeof prepareStatements>;


const FILTERS = [
  ['stateMachineArn', 'state_machine_arn = ?'],
  ['status', 'status = ?'],
  ['stateMachineVersionArn', 'version_arn = ?'],
  ['stateMachineAliasArn', 'alias_arn = ?'],
  ['startedFrom', 'start_date >= ?'],
  ['startedTo', 'start_date <= ?'],
] as const;

/** ListExecutions: newest first (start date, then creation order), with the query's filters and paging. */
function listExecutionsStatements(db: Db) {
  const cache = new Map<string, Stmt<unknown[], RecordColumns>>();
  return (q: ExecutionQuery): RecordColumns[] => {
    const where: string[] = [];
    const params: unknown[] = [];
    let key = '';
    FILTERS.forEach(([field, cond], i) => {
      const v = q[field];
      if (v === undefined) return;
      where.push(cond);
      params.push(v);
      key += i;
    });
    if (q.name !== undefined && q.name !== '') {
      // instr() is a case-sensitive substring test (LIKE would be case-insensitive and treat % and _).
      where.push('instr(name, ?) > 0');
      params.push(q.name);
      key += 'S';
    }
    if (q.redriven !== undefined) {
      where.push(q.redriven ? 'redrive_count > 0' : 'redrive_count = 0');
      key += q.redriven ? 'R' : 'N';
    }
    params.push(q.limit ?? -1, q.offset ?? 0);
    let stmt = cache.get(key);
    if (!stmt) {
      const sql = `SELECT record, definition_id FROM executions ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY start_date DESC, id DESC LIMIT ? OFFSET ?`;
      stmt = db.prepare<unknown[], RecordColumns>(sql);
      cache.set(key, stmt);
    }
    return stmt.all(...params);
  };
}
