/**
 * The PostgreSQL store (node-postgres). Open it with `openPostgresStore` (pool, schema, migrations).
 *
 * Writes: every write method queues a job on the group commit (shared with SQLite); the jobs of one
 * event-loop turn, and those submitted while a batch is being written, form the next batch, written in
 * one transaction by `batch.ts` (one job failing rolls back alone; history rows of the batch in one
 * multi-row insert). What a job writes is serialized when the method is called, as the contract
 * requires (the engine goes on mutating the state it handed over).
 *
 * Reads: a read first waits for the writes issued before it (if any are queued or in flight) and then
 * reads committed data on a pooled connection, so a caller sees its own writes in call order.
 *
 * Claims (timers, activity tasks) lock the rows they take with `FOR UPDATE SKIP LOCKED`, so concurrent
 * claimants never take one row twice nor wait on each other.
 * @module
 */
import type pg from 'pg';
import type { ExecState } from '../../interpreter/exec-state.js';
import type { HistoryEvent } from '../../interpreter/history.js';
import { GroupCommit, type GroupCommitStats } from '../sqlite/group-commit.js';
import type {
  ActivityRecord,
  AliasRecord,
  ExecutionQuery,
  ExecutionRecord,
  ExecutionStatus,
  HistoryQuery,
  StateMachineRecord,
  StepCommit,
  StepWork,
  Store,
  TaskRow,
  TimerKind,
  TimerRow,
} from '../store.js';
import { Refusal, writeBatch, type BatchStats, type Tx, type TxJob } from './batch.js';
import { definitionHash } from './migrations.js';
import { listExecutionsQuery, mirroredColumns, Q, type RecordColumns, type Sql, type TaskColumns, type TimerColumns } from './statements.js';

export interface PostgresStoreConfig {
  /** Batch the writes of one event-loop turn (and those made while a batch is written) into one transaction (default true). */
  groupCommit?: boolean;
  /** Called when the store closes, after its writes and before its pool ends. */
  onClose?: () => Promise<void> | void;
}

/** A step's work, serialized (as the arrays the statements take). */
interface Work {
  /** Seqs whose every timer goes; (seq, kind) pairs that go. */
  timersRemoveSeqs: number[];
  timersRemovePairs: [number[], string[]];
  /** Timers to add: seqs, kinds, due times (one per (seq, kind), the last given). */
  timersAdd: [number[], string[], number[]];
  /** Seqs whose task goes (removed, or replaced by one added). */
  tasksDelete: number[];
  tasksAdd: [number[], string[], (string | null)[], (string | null)[], string[], (string | null)[], number[]] | undefined;
  tasksStarted: [number[], (string | null)[]] | undefined;
}

export class PostgresStore implements Store {
  readonly pool: pg.Pool;
  /** The schema the store's tables are in. */
  readonly schema: string;
  readonly #gc: GroupCommit;
  readonly #onClose: PostgresStoreConfig['onClose'];
  readonly #batchStats: BatchStats = { retried: 0 };
  #closed = false;
  /** Definitions kept once each: id by text, text by id (filled as they are written or read). */
  #definitionIds = new Map<string, number>();
  #definitionTexts = new Map<number, string>();

  /** Takes a pool whose connections use the migrated `schema` (see `openPostgresStore`). */
  constructor(pool: pg.Pool, schema: string, config: PostgresStoreConfig = {}) {
    this.pool = pool;
    this.schema = schema;
    this.#gc = new GroupCommit((jobs) => this.#writeBatch(jobs), config.groupCommit ?? true);
    this.#onClose = config.onClose;
  }

  /** Transactions and jobs written so far, and batches written again job by job after a failure. */
  get stats(): Readonly<GroupCommitStats & BatchStats> {
    return { ...this.#gc.stats, ...this.#batchStats };
  }

  async #writeBatch(jobs: Parameters<typeof writeBatch>[1]): Promise<void> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      for (const j of jobs) j.reject(error);
      return;
    }
    let broken: Error | undefined;
    try {
      await writeBatch(client, jobs, () => this.#definitionIds.clear(), this.#batchStats);
    } catch (error) {
      broken = error instanceof Error ? error : new Error(String(error));
    } finally {
      // A connection that failed is discarded, not reused.
      client.release(broken);
    }
  }

  /** The id a definition is kept under, written if new (inside a write job). */
  async #definitionId(tx: Tx, text: string): Promise<number> {
    let id = this.#definitionIds.get(text);
    if (id === undefined) {
      const hash = definitionHash(text);
      let row = (await tx.query<{ id: number }>(Q.definitionId, [hash, text])).rows[0];
      // Another connection inserted it meanwhile (after this statement's snapshot): read it now.
      row ??= (await tx.query<{ id: number }>(Q.findDefinition, [hash])).rows[0];
      if (!row) throw new Error('A definition could not be stored');
      id = row.id;
      if (this.#definitionIds.size >= 1000) this.#definitionIds.clear();
      this.#definitionIds.set(text, id);
    }
    return id;
  }

  async #definitionText(id: number): Promise<string> {
    let text = this.#definitionTexts.get(id);
    if (text === undefined) {
      text = (await this.#query<{ text: string }>(Q.getDefinition, [id])).rows[0]?.text ?? '';
      if (this.#definitionTexts.size >= 1000) this.#definitionTexts.clear();
      this.#definitionTexts.set(id, text);
    }
    return text;
  }

  /** An execution record as stored (without its definition), with its definition put back. */
  async #record(row: RecordColumns | undefined): Promise<ExecutionRecord | undefined> {
    if (!row) return undefined;
    const rec = JSON.parse(row.record) as ExecutionRecord;
    if (row.definition_id !== null) rec.definition = await this.#definitionText(row.definition_id);
    return rec;
  }

  /** Queues a write; `prepare` runs now (it serializes its input) and returns the job. */
  #write<R>(prepare: () => TxJob<R>): Promise<R> {
    if (this.#closed) return Promise.reject(new Error('The PostgreSQL store is closed'));
    let job: TxJob<R>;
    try {
      job = prepare();
    } catch (e) {
      return Promise.reject(e);
    }
    return this.#gc.submit(() => job) as unknown as Promise<R>;
  }

  /** Reads after the writes issued before (committed data only). */
  async #read<R>(run: () => Promise<R>): Promise<R> {
    if (this.#closed) throw new Error('The PostgreSQL store is closed');
    const written = this.#gc.whenWritten();
    if (written) await written;
    return run();
  }

  #query<R extends pg.QueryResultRow>(q: Sql, values: unknown[] = []): Promise<pg.QueryResult<R>> {
    return this.pool.query<R>({ name: q.name, text: q.text, values });
  }

  async #records<T>(q: Sql, values: unknown[] = []): Promise<T[]> {
    return (await this.#query<{ record: string }>(q, values)).rows.map((r) => JSON.parse(r.record) as T);
  }

  async #recordOf<T>(q: Sql, arn: string): Promise<T | undefined> {
    return (await this.#records<T>(q, [arn]))[0];
  }

  // ---- catalog --------------------------------------------------------------------------------

  putStateMachine(rec: StateMachineRecord): Promise<void> {
    return this.#write(() => {
      const text = JSON.stringify(rec);
      const { stateMachineArn, name, versionOf, versionNumber } = rec;
      return async (tx) => void (await tx.query(Q.putMachine, [stateMachineArn, name, versionOf ?? null, versionNumber ?? null, text]));
    });
  }
  getStateMachine(arn: string): Promise<StateMachineRecord | undefined> {
    return this.#read(() => this.#recordOf<StateMachineRecord>(Q.getMachine, arn));
  }
  listStateMachines(): Promise<StateMachineRecord[]> {
    return this.#read(() => this.#records<StateMachineRecord>(Q.listMachines));
  }
  listVersions(stateMachineArn: string): Promise<StateMachineRecord[]> {
    return this.#read(() => this.#records<StateMachineRecord>(Q.listVersions, [stateMachineArn]));
  }
  deleteStateMachine(arn: string): Promise<void> {
    return this.#write(() => async (tx) => {
      await tx.query(Q.deleteMachine, [arn]);
      await tx.query(Q.deleteTags, [arn]);
    });
  }

  putAlias(rec: AliasRecord): Promise<void> {
    return this.#write(() => {
      const text = JSON.stringify(rec);
      const { stateMachineAliasArn, stateMachineArn } = rec;
      return async (tx) => void (await tx.query(Q.putAlias, [stateMachineAliasArn, stateMachineArn, text]));
    });
  }
  getAlias(arn: string): Promise<AliasRecord | undefined> {
    return this.#read(() => this.#recordOf<AliasRecord>(Q.getAlias, arn));
  }
  listAliases(stateMachineArn: string): Promise<AliasRecord[]> {
    return this.#read(() => this.#records<AliasRecord>(Q.listAliases, [stateMachineArn]));
  }
  deleteAlias(arn: string): Promise<void> {
    return this.#write(() => async (tx) => void (await tx.query(Q.deleteAlias, [arn])));
  }

  putActivity(rec: ActivityRecord): Promise<void> {
    return this.#write(() => {
      const text = JSON.stringify(rec);
      const { activityArn, name } = rec;
      return async (tx) => void (await tx.query(Q.putActivity, [activityArn, name, text]));
    });
  }
  getActivity(arn: string): Promise<ActivityRecord | undefined> {
    return this.#read(() => this.#recordOf<ActivityRecord>(Q.getActivity, arn));
  }
  listActivities(): Promise<ActivityRecord[]> {
    return this.#read(() => this.#records<ActivityRecord>(Q.listActivities));
  }
  deleteActivity(arn: string): Promise<void> {
    return this.#write(() => async (tx) => {
      await tx.query(Q.deleteActivity, [arn]);
      await tx.query(Q.deleteTags, [arn]);
    });
  }

  getTags(resourceArn: string): Promise<Record<string, string>> {
    return this.#read(async () => {
      const out: Record<string, string> = {};
      for (const { key, value } of (await this.#query<{ key: string; value: string }>(Q.getTags, [resourceArn])).rows) {
        Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
      }
      return out;
    });
  }
  setTags(resourceArn: string, tags: Record<string, string>): Promise<void> {
    return this.#write(() => {
      const keys = Object.keys(tags);
      const values = keys.map((k) => String(tags[k]));
      return async (tx) => {
        await tx.query(Q.deleteTags, [resourceArn]);
        if (keys.length) await tx.query(Q.insertTags, [resourceArn, keys, values]);
      };
    });
  }

  // ---- executions -----------------------------------------------------------------------------

  createExecution(rec: ExecutionRecord, first: { state: ExecState; events: HistoryEvent[] } & StepWork): Promise<boolean> {
    return this.#write(() => {
      const arn = rec.executionArn;
      const cols = mirroredColumns(rec);
      const { definition, ...stored } = rec;
      const text = JSON.stringify(stored);
      const state = JSON.stringify(first.state);
      const events = serializeEvents(first.events);
      const work = rec.status === 'RUNNING' ? serializeWork(first) : undefined;
      return async (tx) => {
        const lastId = events ? events.last : 0;
        const definitionId = await this.#definitionId(tx, definition);
        const row = (await tx.query<{ id: number }>(Q.insertExecution, [arn, ...cols, text, state, definitionId, lastId])).rows[0];
        if (!row) return false;
        if (events) tx.history(row.id, events.first, events.last, events.text);
        if (work) await applyWork(tx, arn, work);
        return true;
      };
    });
  }

  getExecution(arn: string): Promise<ExecutionRecord | undefined> {
    return this.#read(async () => this.#record((await this.#query<RecordColumns>(Q.getRecord, [arn])).rows[0]));
  }
  getExecutionState(arn: string): Promise<ExecState | undefined> {
    return this.#read(async () => {
      const row = (await this.#query<{ state: string }>(Q.getState, [arn])).rows[0];
      return row && (JSON.parse(row.state) as ExecState);
    });
  }
  listExecutions(q: ExecutionQuery): Promise<ExecutionRecord[]> {
    return this.#read(async () => {
      if (q.limit !== undefined && q.limit <= 0) return [];
      const { name, text, values } = listExecutionsQuery(q);
      const rows = (await this.pool.query<RecordColumns>({ name, text, values })).rows;
      const out: ExecutionRecord[] = [];
      for (const row of rows) out.push((await this.#record(row))!);
      return out;
    });
  }
  countExecutions(stateMachineArn: string): Promise<Partial<Record<ExecutionStatus, number>>> {
    return this.#read(async () => {
      const out: Partial<Record<ExecutionStatus, number>> = {};
      for (const { status, n } of (await this.#query<{ status: string; n: number }>(Q.countExecutions, [stateMachineArn])).rows) out[status as ExecutionStatus] = n;
      return out;
    });
  }

  commitStep(c: StepCommit): Promise<void> {
    return this.#write(() => {
      const arn = c.executionArn;
      const state = JSON.stringify(c.state);
      const events = serializeEvents(c.events);
      const patch = copyPatch(c.record);
      const work = serializeWork(c);
      // Steps of a running execution send only `{ status: 'RUNNING' }`: then the record is not read.
      const needsRecord = Object.keys(patch).some((k) => k !== 'status');
      return async (tx) => {
        let row: { id: number; status: string; record?: string } | undefined;
        if (events) {
          row = (await tx.query<{ id: number; status: string }>(needsRecord ? Q.updateStateEventsRecord : Q.updateStateEvents, [state, events.last, arn, events.first])).rows[0];
          if (!row) {
            if (!(await tx.query(Q.exists, [arn])).rowCount) return; // unknown execution
            throw new Refusal(`The history of ${arn} already has an event with id ${events.first} or later`);
          }
          tx.history(row.id, events.first, events.last, events.text);
        } else {
          row = (await tx.query<{ id: number; status: string }>(needsRecord ? Q.updateStateRecord : Q.updateState, [state, arn])).rows[0];
          if (!row) return; // unknown execution
        }
        let status = row.status;
        if (changes(status, patch)) {
          const record = row.record ?? (await tx.query<{ record: string }>(Q.getRecordById, [row.id])).rows[0]!.record;
          status = await mergeRecord(tx, row.id, record, patch);
        }
        if (status === 'RUNNING') await applyWork(tx, arn, work);
        else await tx.query(Q.deleteWorkOf, [arn]); // a closed execution keeps no work
      };
    });
  }

  getHistory(executionArn: string, q: HistoryQuery): Promise<HistoryEvent[]> {
    return this.#read(async () => {
      const out: HistoryEvent[] = [];
      if (q.limit <= 0) return out;
      // Every step has at least one event: limit + 1 steps hold enough (the first may be partly before the cursor).
      const steps = q.limit + 1;
      if (q.reverse) {
        const before = q.beforeId ?? Number.MAX_SAFE_INTEGER;
        for (const { events: text } of (await this.#query<{ events: string }>(Q.historyBackward, [executionArn, before, steps])).rows) {
          const events = JSON.parse(text) as HistoryEvent[];
          for (let i = events.length - 1; i >= 0; i--) {
            if (events[i]!.id >= before) continue;
            out.push(events[i]!);
            if (out.length >= q.limit) return out;
          }
        }
        return out;
      }
      const after = q.afterId ?? Number.MIN_SAFE_INTEGER;
      for (const { events: text } of (await this.#query<{ events: string }>(Q.historyForward, [executionArn, after, steps])).rows) {
        for (const e of JSON.parse(text) as HistoryEvent[]) {
          if (e.id <= after) continue;
          out.push(e);
          if (out.length >= q.limit) return out;
        }
      }
      return out;
    });
  }

  // ---- durable work ---------------------------------------------------------------------------

  runningExecutionArns(): Promise<string[]> {
    return this.#read(async () => (await this.#query<{ arn: string }>(Q.running)).rows.map((r) => r.arn));
  }

  claimDueTimers(until: number, limit: number, leaseUntil: number): Promise<TimerRow[]> {
    return this.#write(() => async (tx) => {
      const rows = (await tx.query<TimerColumns>(Q.claimTimers, [until, limit, leaseUntil])).rows.map(timerRow);
      return rows.sort((a, b) => a.dueAt - b.dueAt || a.seq - b.seq || (a.executionArn < b.executionArn ? -1 : a.executionArn > b.executionArn ? 1 : a.kind < b.kind ? -1 : 1));
    });
  }
  nextTimerDue(): Promise<number | undefined> {
    return this.#read(async () => (await this.#query<{ due: number | null }>(Q.nextDue)).rows[0]?.due ?? undefined);
  }
  rescheduleTimer(executionArn: string, seq: number, kind: TimerKind, dueAt: number): Promise<void> {
    return this.#write(() => async (tx) => void (await tx.query(Q.moveTimer, [dueAt, executionArn, seq, kind])));
  }
  openTasks(executionArn: string): Promise<TaskRow[]> {
    return this.#read(async () => (await this.#query<TaskColumns>(Q.openTasks, [executionArn])).rows.map(taskRow));
  }
  invocableTasks(): Promise<TaskRow[]> {
    return this.#read(async () => (await this.#query<TaskColumns>(Q.invocableTasks)).rows.map(taskRow));
  }
  tokenTasks(limit: number): Promise<TaskRow[]> {
    return this.#read(async () => (await this.#query<TaskColumns>(Q.tokenTasks, [limit])).rows.map(taskRow));
  }
  claimActivityTask(activityArn: string, workerName: string | undefined): Promise<TaskRow | undefined> {
    return this.#write(() => async (tx) => {
      const r = (await tx.query<TaskColumns>(Q.claimTask, [workerName ?? null, activityArn])).rows[0];
      return r && taskRow(r);
    });
  }
  taskByToken(token: string): Promise<TaskRow | undefined> {
    return this.#read(async () => {
      const r = (await this.#query<TaskColumns>(Q.taskByToken, [token])).rows[0];
      return r && taskRow(r);
    });
  }

  purgeClosedExecutions(before: number): Promise<number> {
    return this.#write(() => async (tx) => (await tx.query<{ n: number }>(Q.purge, [before])).rows[0]!.n);
  }

  /** Writes what is queued, then ends the pool. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#gc.flush();
    const written = this.#gc.whenWritten();
    if (written) await written;
    this.#closed = true;
    try {
      await this.#onClose?.();
    } finally {
      await this.pool.end();
    }
  }
}

/** Applies record changes (Object.assign semantics; `undefined` deletes); returns the new status. */
async function mergeRecord(tx: Tx, id: number, text: string, patch: Record<string, unknown>): Promise<string> {
  const rec = JSON.parse(text) as Record<string, unknown>;
  for (const [k, v] of Object.entries(patch)) {
    if (k === 'definition') continue; // kept apart, and never changed
    if (v === undefined) delete rec[k];
    else rec[k] = v;
  }
  const r = rec as unknown as ExecutionRecord;
  await tx.query(Q.updateRecord, [...mirroredColumns(r), JSON.stringify(rec), id]);
  return r.status;
}

/** A step's work, removals before additions; at most one statement per kind of change. */
async function applyWork(tx: Tx, arn: string, w: Work): Promise<void> {
  if (w.timersRemoveSeqs.length || w.timersRemovePairs[0].length) await tx.query(Q.deleteTimers, [arn, w.timersRemoveSeqs, ...w.timersRemovePairs]);
  if (w.timersAdd[0].length) await tx.query(Q.putTimers, [arn, ...w.timersAdd]);
  if (w.tasksDelete.length) await tx.query(Q.deleteTasks, [arn, w.tasksDelete]);
  if (w.tasksAdd) await tx.query(Q.insertTasks, [arn, ...w.tasksAdd]);
  if (w.tasksStarted) await tx.query(Q.startTasks, [arn, ...w.tasksStarted]);
}

/** A copy of record changes that keeps `undefined` (it clears the field). */
function copyPatch(record: Partial<ExecutionRecord>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(record)) out[k] = typeof v === 'object' && v !== null ? structuredClone(v) : v;
  return out;
}

/** A step's events as one history row: ascending ids, each once (else the commit is refused). */
function serializeEvents(events: HistoryEvent[]): { first: number; last: number; text: string } | undefined {
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

function serializeWork(w: StepWork): Work {
  const removeSeqs: number[] = [];
  const removePairs: [number[], string[]] = [[], []];
  for (const r of w.timersRemove ?? []) {
    if (r.kind) {
      removePairs[0].push(r.seq);
      removePairs[1].push(r.kind);
    } else removeSeqs.push(r.seq);
  }
  // One row per (seq, kind): the last one given wins (as successive upserts would).
  const adds = new Map<string, { seq: number; kind: string; dueAt: number }>();
  for (const t of w.timersAdd ?? []) adds.set(`${t.seq}/${t.kind}`, { seq: t.seq, kind: t.kind, dueAt: t.dueAt });
  const timersAdd: Work['timersAdd'] = [[], [], []];
  for (const t of adds.values()) {
    timersAdd[0].push(t.seq);
    timersAdd[1].push(t.kind);
    timersAdd[2].push(t.dueAt);
  }
  // A task added replaces the one of its seq: delete both the removed and the replaced, then insert.
  const tasks = new Map<number, NonNullable<StepWork['tasksAdd']>[number]>();
  for (const t of w.tasksAdd ?? []) {
    tasks.delete(t.seq); // the last one given, in its place in the order
    tasks.set(t.seq, t);
  }
  const tasksDelete = [...new Set([...(w.tasksRemove ?? []), ...tasks.keys()])];
  let tasksAdd: Work['tasksAdd'];
  if (tasks.size) {
    tasksAdd = [[], [], [], [], [], [], []];
    for (const t of tasks.values()) {
      tasksAdd[0].push(t.seq);
      tasksAdd[1].push(JSON.stringify(t.command));
      tasksAdd[2].push(t.activityArn ?? null);
      tasksAdd[3].push(t.token ?? null);
      tasksAdd[4].push(t.status);
      tasksAdd[5].push(t.workerName ?? null);
      tasksAdd[6].push(t.createdAt);
    }
  }
  let tasksStarted: Work['tasksStarted'];
  if (w.tasksStarted?.length) {
    tasksStarted = [w.tasksStarted.map((s) => s.seq), w.tasksStarted.map((s) => s.workerName ?? null)];
  }
  return { timersRemoveSeqs: removeSeqs, timersRemovePairs: removePairs, timersAdd, tasksDelete, tasksAdd, tasksStarted };
}

/**
 * Whether record changes would change the stored record. Steps of a running execution send only
 * `{ status: 'RUNNING' }`: then the record JSON is left alone (a step rewrites just the state column).
 */
function changes(status: string, patch: Record<string, unknown>): boolean {
  for (const k in patch) if (k !== 'status' || patch[k] !== status) return true;
  return false;
}

function taskRow(r: TaskColumns): TaskRow {
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

function timerRow(r: TimerColumns): TimerRow {
  return { executionArn: r.execution_arn, seq: r.seq, kind: r.kind as TimerKind, dueAt: r.due_at };
}
