/**
 * What the SQL stores (sqlite/, postgres/) share: the columns an execution's record is mirrored in,
 * the rows of timers and tasks as the tables hold them, and how a step's record changes and events are
 * serialized. Each driver keeps only its SQL.
 * @module
 */
import type { HistoryEvent } from '../interpreter/history.js';
import type { ExecutionRecord, TaskRow, TimerKind, TimerRow } from './store.js';

export interface TaskColumns {
  execution_arn: string;
  seq: number;
  command: string;
  activity_arn: string | null;
  token: string | null;
  status: string;
  worker_name: string | null;
  created_at: number;
}

export interface TimerColumns {
  execution_arn: string;
  seq: number;
  kind: string;
  due_at: number;
}

export const TASK_COLS = 'execution_arn, seq, command, activity_arn, token, status, worker_name, created_at';
/** Columns of `executions` that mirror record fields, in `mirroredColumns` order. */
export const EXEC_COLS = 'state_machine_arn, name, type, status, start_date, stop_date, redrive_count, version_arn, alias_arn';
export type ExecColValues = [string, string, string, string, number, number | null, number, string | null, string | null];

/** The record fields mirrored in columns, with their column values. */
export function mirroredColumns(r: {
  stateMachineArn: string;
  name: string;
  type: string;
  status: string;
  startDate: number;
  stopDate?: number;
  redriveCount: number;
  stateMachineVersionArn?: string;
  stateMachineAliasArn?: string;
}): ExecColValues {
  return [
    r.stateMachineArn,
    r.name,
    r.type,
    r.status,
    r.startDate,
    r.stopDate ?? null,
    r.redriveCount,
    r.stateMachineVersionArn ?? null,
    r.stateMachineAliasArn ?? null,
  ];
}

export function taskRow(r: TaskColumns): TaskRow {
  const t: TaskRow = {
    executionArn: r.execution_arn,
    seq: r.seq,
    command: JSON.parse(r.command) as TaskRow['command'],
    status: r.status as TaskRow['status'],
    createdAt: r.created_at,
  };
  if (r.activity_arn !== null) t.activityArn = r.activity_arn;
  if (r.token !== null) t.token = r.token;
  if (r.worker_name !== null) t.workerName = r.worker_name;
  return t;
}

export function timerRow(r: TimerColumns): TimerRow {
  return { executionArn: r.execution_arn, seq: r.seq, kind: r.kind as TimerKind, dueAt: r.due_at };
}

/**
 * Whether record changes would change the stored record. Steps of a running execution send only
 * `{ status: 'RUNNING' }`: then the record JSON is left alone (a step rewrites just the state column).
 */
export function changes(status: string, patch: Record<string, unknown>): boolean {
  for (const k in patch) if (k !== 'status' || patch[k] !== status) return true;
  return false;
}

/** A copy of record changes that keeps `undefined` (it clears the field). */
export function copyPatch(record: Partial<ExecutionRecord>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(record)) out[k] = typeof v === 'object' && v !== null ? structuredClone(v) : v;
  return out;
}

/** A step's events as one history row. */
export interface EventsRow {
  first: number;
  last: number;
  text: string;
}

/** A step's events as one history row: ascending ids, each once (else the commit is refused). */
export function serializeEvents(events: HistoryEvent[]): EventsRow | undefined {
  if (events.length === 0) return undefined;
  let sorted = events;
  for (let i = 1; i < events.length; i++) {
    if (events[i]!.id <= events[i - 1]!.id) {
      sorted = [...events].sort((a, b) => a.id - b.id);
      break;
    }
  }
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]!.id === sorted[i - 1]!.id) throw new Error(`Event id ${sorted[i]!.id} appears twice in one step`);
  }
  return { first: sorted[0]!.id, last: sorted[sorted.length - 1]!.id, text: JSON.stringify(sorted) };
}
