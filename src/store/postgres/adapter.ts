/**
 * The PostgreSQL store (node-postgres). Open it with `openPostgresStore` (pool, schema, migrations).
 *
 * Writes: every write method queues a job on the group commit (shared with SQLite); the jobs of one
 * event-loop turn, and those submitted while a batch is being written, form the next batch, written in
 * one transaction by `batch.ts` (one job failing rolls back alone; history rows of the batch in one
 * multi-row insert). `createExecution` and `commitStep` jobs are data, not code: a run of them is
 * written set-based by `rows.ts` (one statement per kind of change for the whole run). What a job
 * writes is serialized when the method is called, as the contract requires (the engine goes on
 * mutating the state it handed over).
 *
 * Reads: a read first waits for the writes issued before it that it could see (if any are queued or in
 * flight) and then reads committed data on a pooled connection, so a caller sees its own writes in call
 * order. Every write names the ARN it changes (or none: a claim or a purge may change any), so a read of
 * one ARN (an execution, a state machine, its tags…) waits only while a write of that ARN, or of no
 * particular one, is pending; other reads wait for every pending write.
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
  MapRunRecord,
  StateMachineRecord,
  StepCommit,
  StepWork,
  Store,
  TaskRow,
  TimerKind,
  TimerRow,
} from '../store.js';
import { writeBatch, type BatchJob, type BatchStats, type Tx } from './batch.js';
import { copyPatch, serializeEvents, serializeMapRuns, serializeWork, type RowJob } from './rows.js';
import { definitionHash } from './migrations.js';
import { listExecutionsQuery, mirroredColumns, Q, type RecordColumns, type Sql, type TaskColumns, type TimerColumns } from './statements.js';
import { taskRow, timerRow } from '../rows.js';

export interface PostgresStoreConfig {
  /** Batch the writes of one event-loop turn (and those made while a batch is written) into one transaction (default true). */
  groupCommit?: boolean;
  /** Called when the store closes, after its writes and before its pool ends. */
  onClose?: () => Promise<void> | void;
}

export class PostgresStore implements Store {
  readonly pool: pg.Pool;
  /** The schema the store's tables are in. */
  readonly schema: string;
  readonly #gc: GroupCommit;
  readonly #onClose: PostgresStoreConfig['onClose'];
  readonly #batchStats: BatchStats = { retried: 0 };
  #closed = false;
  /** Pending writes by the ARN they change, and those that may change any. */
  #pendingByArn = new Map<string, number>();
  #pendingAny = 0;
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
      await writeBatch(client, jobs, (tx, text) => this.#definitionId(tx, text), () => this.#definitionIds.clear(), this.#batchStats);
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

  /**
   * Queues a write that changes `arn`'s data only (undefined: it may change anything); `prepare` runs
   * now (it serializes its input) and returns the job.
   */
  #write<R>(arn: string | undefined, prepare: () => BatchJob): Promise<R> {
    if (this.#closed) return Promise.reject(new Error('The PostgreSQL store is closed'));
    let job: BatchJob;
    try {
      job = prepare();
    } catch (e) {
      return Promise.reject(e);
    }
    if (arn === undefined) this.#pendingAny++;
    else this.#pendingByArn.set(arn, (this.#pendingByArn.get(arn) ?? 0) + 1);
    const done = () => {
      if (arn === undefined) this.#pendingAny--;
      else {
        const n = this.#pendingByArn.get(arn)! - 1;
        if (n) this.#pendingByArn.set(arn, n);
        else this.#pendingByArn.delete(arn);
      }
    };
    const p = this.#gc.submit(() => job) as unknown as Promise<R>;
    p.then(done, done);
    return p;
  }

  /**
   * Reads committed data after the writes issued before it: those of `arn` and of no particular ARN
   * when the read is of one ARN's data, else every write.
   */
  async #read<R>(run: () => Promise<R>, arn?: string): Promise<R> {
    if (this.#closed) throw new Error('The PostgreSQL store is closed');
    if (arn === undefined || this.#pendingAny > 0 || this.#pendingByArn.has(arn)) {
      const written = this.#gc.whenWritten();
      if (written) await written;
    }
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
    return this.#write(rec.stateMachineArn, () => {
      const text = JSON.stringify(rec);
      const { stateMachineArn, name, versionOf, versionNumber } = rec;
      return async (tx) => void (await tx.query(Q.putMachine, [stateMachineArn, name, versionOf ?? null, versionNumber ?? null, text]));
    });
  }
  getStateMachine(arn: string): Promise<StateMachineRecord | undefined> {
    return this.#read(() => this.#recordOf<StateMachineRecord>(Q.getMachine, arn), arn);
  }
  listStateMachines(): Promise<StateMachineRecord[]> {
    return this.#read(() => this.#records<StateMachineRecord>(Q.listMachines));
  }
  listVersions(stateMachineArn: string): Promise<StateMachineRecord[]> {
    return this.#read(() => this.#records<StateMachineRecord>(Q.listVersions, [stateMachineArn]));
  }
  deleteStateMachine(arn: string): Promise<void> {
    return this.#write(arn, () => async (tx) => {
      await tx.query(Q.deleteMachine, [arn]);
      await tx.query(Q.deleteTags, [arn]);
    });
  }

  putAlias(rec: AliasRecord): Promise<void> {
    return this.#write(rec.stateMachineAliasArn, () => {
      const text = JSON.stringify(rec);
      const { stateMachineAliasArn, stateMachineArn } = rec;
      return async (tx) => void (await tx.query(Q.putAlias, [stateMachineAliasArn, stateMachineArn, text]));
    });
  }
  getAlias(arn: string): Promise<AliasRecord | undefined> {
    return this.#read(() => this.#recordOf<AliasRecord>(Q.getAlias, arn), arn);
  }
  listAliases(stateMachineArn: string): Promise<AliasRecord[]> {
    return this.#read(() => this.#records<AliasRecord>(Q.listAliases, [stateMachineArn]));
  }
  deleteAlias(arn: string): Promise<void> {
    return this.#write(arn, () => async (tx) => void (await tx.query(Q.deleteAlias, [arn])));
  }

  putActivity(rec: ActivityRecord): Promise<void> {
    return this.#write(rec.activityArn, () => {
      const text = JSON.stringify(rec);
      const { activityArn, name } = rec;
      return async (tx) => void (await tx.query(Q.putActivity, [activityArn, name, text]));
    });
  }
  getActivity(arn: string): Promise<ActivityRecord | undefined> {
    return this.#read(() => this.#recordOf<ActivityRecord>(Q.getActivity, arn), arn);
  }
  listActivities(): Promise<ActivityRecord[]> {
    return this.#read(() => this.#records<ActivityRecord>(Q.listActivities));
  }
  deleteActivity(arn: string): Promise<void> {
    return this.#write(arn, () => async (tx) => {
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
    }, resourceArn);
  }
  setTags(resourceArn: string, tags: Record<string, string>): Promise<void> {
    return this.#write(resourceArn, () => {
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
    return this.#write(rec.executionArn, (): RowJob => {
      const { definition, ...stored } = rec;
      return {
        kind: 'create',
        arn: rec.executionArn,
        cols: mirroredColumns(rec),
        record: JSON.stringify(stored),
        state: JSON.stringify(first.state),
        definition,
        events: serializeEvents(first.events),
        work: rec.status === 'RUNNING' ? serializeWork(first) : undefined,
        mapRuns: serializeMapRuns(first, rec.executionArn),
      };
    });
  }

  getExecution(arn: string): Promise<ExecutionRecord | undefined> {
    return this.#read(async () => this.#record((await this.#query<RecordColumns>(Q.getRecord, [arn])).rows[0]), arn);
  }
  getExecutionState(arn: string): Promise<ExecState | undefined> {
    return this.#read(async () => {
      const row = (await this.#query<{ state: string }>(Q.getState, [arn])).rows[0];
      return row && (JSON.parse(row.state) as ExecState);
    }, arn);
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
    return this.#write(c.executionArn, (): RowJob => {
      const patch = copyPatch(c.record);
      return {
        kind: 'step',
        arn: c.executionArn,
        state: JSON.stringify(c.state),
        events: serializeEvents(c.events),
        patch,
        // Steps of a running execution send only `{ status: 'RUNNING' }`: then the record is not read.
        needsRecord: Object.keys(patch).some((k) => k !== 'status'),
        work: serializeWork(c),
        mapRuns: serializeMapRuns(c, c.executionArn),
      };
    });
  }

  getMapRun(mapRunArn: string): Promise<MapRunRecord | undefined> {
    return this.#read(async () => {
      const row = (await this.#query<{ record: string }>(Q.getMapRun, [mapRunArn])).rows[0];
      return row && (JSON.parse(row.record) as MapRunRecord);
    });
  }
  listMapRuns(executionArn: string): Promise<MapRunRecord[]> {
    return this.#read(async () => (await this.#query<{ record: string }>(Q.listMapRuns, [executionArn])).rows.map((r) => JSON.parse(r.record) as MapRunRecord), executionArn);
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
    }, executionArn);
  }

  // ---- durable work ---------------------------------------------------------------------------

  runningExecutionArns(): Promise<string[]> {
    return this.#read(async () => (await this.#query<{ arn: string }>(Q.running)).rows.map((r) => r.arn));
  }

  claimDueTimers(until: number, limit: number, leaseUntil: number): Promise<TimerRow[]> {
    return this.#write(undefined, () => async (tx) => {
      const rows = (await tx.query<TimerColumns>(Q.claimTimers, [until, limit, leaseUntil])).rows.map(timerRow);
      return rows.sort((a, b) => a.dueAt - b.dueAt || a.seq - b.seq || (a.executionArn < b.executionArn ? -1 : a.executionArn > b.executionArn ? 1 : a.kind < b.kind ? -1 : 1));
    });
  }
  nextTimerDue(): Promise<number | undefined> {
    return this.#read(async () => (await this.#query<{ due: number | null }>(Q.nextDue)).rows[0]?.due ?? undefined);
  }
  rescheduleTimer(executionArn: string, seq: number, kind: TimerKind, dueAt: number): Promise<void> {
    return this.#write(executionArn, () => async (tx) => void (await tx.query(Q.moveTimer, [dueAt, executionArn, seq, kind])));
  }
  openTasks(executionArn: string): Promise<TaskRow[]> {
    return this.#read(async () => (await this.#query<TaskColumns>(Q.openTasks, [executionArn])).rows.map(taskRow), executionArn);
  }
  invocableTasks(): Promise<TaskRow[]> {
    return this.#read(async () => (await this.#query<TaskColumns>(Q.invocableTasks)).rows.map(taskRow));
  }
  tokenTasks(limit: number): Promise<TaskRow[]> {
    return this.#read(async () => (await this.#query<TaskColumns>(Q.tokenTasks, [limit])).rows.map(taskRow));
  }
  claimActivityTask(activityArn: string, workerName: string | undefined): Promise<TaskRow | undefined> {
    return this.#write(undefined, () => async (tx) => {
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
    return this.#write(undefined, () => async (tx) => (await tx.query<{ n: number }>(Q.purge, [before])).rows[0]!.n);
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


