/**
 * The SQLite store (better-sqlite3). Open it with `openSqliteStore` (pragmas, migrations).
 *
 * Writes: every write method queues a job on the group commit (`group-commit.ts`); the jobs of one
 * event-loop turn run in one IMMEDIATE transaction, each in a savepoint (a job that fails rolls back
 * alone and rejects its promise; the others commit). What a job writes is serialized when the method is
 * called, as the contract requires (the engine goes on mutating the state it handed over).
 *
 * Reads: a read first waits for the writes issued before it (if any are queued) and then reads committed
 * data, so a caller sees its own writes in call order, awaited or not.
 *
 * Nothing here assumes one process: claims (timers, activity tasks) and the existence check of
 * createExecution run inside the write transaction, which SQLite serializes across connections.
 * @module
 */
import type Database from 'better-sqlite3';
import type { ExecState } from '../../interpreter/exec-state.js';
import type { HistoryEvent } from '../../interpreter/history.js';
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
import { GroupCommit, type GroupCommitStats, type Job } from './group-commit.js';
import { definitionHash } from './migrations.js';
import { mirroredColumns, prepareStatements, type RecordColumns, type Statements } from './statements.js';
import { changes, copyPatch, serializeEvents, taskRow, timerRow } from '../rows.js';

export interface SqliteStoreConfig {
  /** Batch the writes of one event-loop turn into one transaction (default true). */
  groupCommit?: boolean;
  /** Called when the store closes, before its connection does (e.g. to stop the checkpointer). */
  onClose?: () => Promise<void> | void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/** A step's work, serialized. */
interface Work {
  timersRemove: { seq: number; kind: TimerKind | undefined }[];
  timersAdd: [number, TimerKind, number][];
  tasksRemove: number[];
  tasksAdd: [number, string, string | null, string | null, string, string | null, number][];
  tasksStarted: [number, string | null][];
  /** Map Runs: ARN, start date, record JSON (its executionArn is the commit's). */
  mapRuns: [string, number, string][];
}

export class SqliteStore implements Store {
  readonly db: Database.Database;
  readonly #q: Statements;
  readonly #gc: GroupCommit;
  readonly #onClose: SqliteStoreConfig['onClose'];
  readonly #batch: (jobs: Job[], out: Outcome[]) => void;
  readonly #savepoint: (run: () => unknown) => unknown;
  #closed = false;
  /** Definitions kept once each: id by text, text by id (filled as they are written or read). */
  #definitionIds = new Map<string, number>();
  #definitionTexts = new Map<number, string>();

  /** Takes an open, migrated connection (see `openSqliteStore`). */
  constructor(db: Database.Database, config: SqliteStoreConfig = {}) {
    this.db = db;
    this.#q = prepareStatements(db);
    this.#savepoint = db.transaction((run: () => unknown) => run());
    const batch = db.transaction((jobs: Job[], out: Outcome[]) => {
      if (jobs.length === 1) {
        out[0] = { ok: true, value: jobs[0]!.run() };
        return;
      }
      for (let i = 0; i < jobs.length; i++) {
        try {
          out[i] = { ok: true, value: this.#savepoint(jobs[i]!.run) };
        } catch (error) {
          // Some errors (I/O, full disk) end the whole transaction: then the batch fails as a whole.
          if (!db.inTransaction) throw error;
          out[i] = { ok: false, error };
        }
      }
    });
    this.#batch = batch.immediate;
    this.#gc = new GroupCommit((jobs) => this.#writeBatch(jobs), config.groupCommit ?? true);
    this.#onClose = config.onClose;
  }

  /** Transactions and jobs written so far (group commit at work: jobs / batches per transaction). */
  get stats(): Readonly<GroupCommitStats> {
    return this.#gc.stats;
  }

  #writeBatch(jobs: Job[]): void {
    const out: Outcome[] = new Array(jobs.length);
    try {
      this.#batch(jobs, out);
    } catch (error) {
      // A definition written in the failed transaction is not there: look it up again next time.
      this.#definitionIds.clear();
      for (const j of jobs) j.reject(error);
      return;
    }
    for (let i = 0; i < jobs.length; i++) {
      const o = out[i]!;
      if (o.ok) jobs[i]!.resolve(o.value);
      else {
        this.#definitionIds.clear();
        jobs[i]!.reject(o.error);
      }
    }
  }

  /** The id a definition is kept under, written if new (inside a write job). */
  #definitionId(text: string): number {
    let id = this.#definitionIds.get(text);
    if (id === undefined) {
      const hash = definitionHash(text);
      id = this.#q.findDefinition.get(hash) ?? Number(this.#q.insertDefinition.run(hash, text).lastInsertRowid);
      if (this.#definitionIds.size >= 1000) this.#definitionIds.clear();
      this.#definitionIds.set(text, id);
    }
    return id;
  }

  #definitionText(id: number): string {
    let text = this.#definitionTexts.get(id);
    if (text === undefined) {
      text = this.#q.getDefinition.get(id) ?? '';
      if (this.#definitionTexts.size >= 1000) this.#definitionTexts.clear();
      this.#definitionTexts.set(id, text);
    }
    return text;
  }

  /** An execution record as stored (without its definition), with its definition put back. */
  #record(row: RecordColumns | undefined): ExecutionRecord | undefined {
    if (!row) return undefined;
    const rec = JSON.parse(row.record) as ExecutionRecord;
    if (row.definition_id !== null) rec.definition = this.#definitionText(row.definition_id);
    return rec;
  }

  /** Queues a write; `prepare` runs now (it serializes its input) and returns the job. */
  #write<R>(prepare: () => () => R): Promise<R> {
    let run: () => R;
    try {
      run = prepare();
    } catch (e) {
      return Promise.reject(e);
    }
    return this.#gc.submit(run);
  }

  /** Reads after the writes issued before (committed data only). */
  async #read<R>(run: () => R): Promise<R> {
    const written = this.#gc.whenWritten();
    if (written) await written;
    return run();
  }

  // ---- catalog --------------------------------------------------------------------------------

  putStateMachine(rec: StateMachineRecord): Promise<void> {
    return this.#write(() => {
      const text = JSON.stringify(rec);
      const { stateMachineArn, name, versionOf, versionNumber } = rec;
      return () => void this.#q.putMachine.run(stateMachineArn, name, versionOf ?? null, versionNumber ?? null, text);
    });
  }
  getStateMachine(arn: string): Promise<StateMachineRecord | undefined> {
    return this.#read(() => parse<StateMachineRecord>(this.#q.getMachine.get(arn)));
  }
  listStateMachines(): Promise<StateMachineRecord[]> {
    return this.#read(() => this.#q.listMachines.all().map((t) => JSON.parse(t) as StateMachineRecord));
  }
  listVersions(stateMachineArn: string): Promise<StateMachineRecord[]> {
    return this.#read(() => this.#q.listVersions.all(stateMachineArn).map((t) => JSON.parse(t) as StateMachineRecord));
  }
  deleteStateMachine(arn: string): Promise<void> {
    return this.#write(() => () => {
      this.#q.deleteMachine.run(arn);
      this.#q.deleteTags.run(arn);
    });
  }

  putAlias(rec: AliasRecord): Promise<void> {
    return this.#write(() => {
      const text = JSON.stringify(rec);
      const { stateMachineAliasArn, stateMachineArn } = rec;
      return () => void this.#q.putAlias.run(stateMachineAliasArn, stateMachineArn, text);
    });
  }
  getAlias(arn: string): Promise<AliasRecord | undefined> {
    return this.#read(() => parse<AliasRecord>(this.#q.getAlias.get(arn)));
  }
  listAliases(stateMachineArn: string): Promise<AliasRecord[]> {
    return this.#read(() => this.#q.listAliases.all(stateMachineArn).map((t) => JSON.parse(t) as AliasRecord));
  }
  deleteAlias(arn: string): Promise<void> {
    return this.#write(() => () => void this.#q.deleteAlias.run(arn));
  }

  putActivity(rec: ActivityRecord): Promise<void> {
    return this.#write(() => {
      const text = JSON.stringify(rec);
      const { activityArn, name } = rec;
      return () => void this.#q.putActivity.run(activityArn, name, text);
    });
  }
  getActivity(arn: string): Promise<ActivityRecord | undefined> {
    return this.#read(() => parse<ActivityRecord>(this.#q.getActivity.get(arn)));
  }
  listActivities(): Promise<ActivityRecord[]> {
    return this.#read(() => this.#q.listActivities.all().map((t) => JSON.parse(t) as ActivityRecord));
  }
  deleteActivity(arn: string): Promise<void> {
    return this.#write(() => () => {
      this.#q.deleteActivity.run(arn);
      this.#q.deleteTags.run(arn);
    });
  }

  getTags(resourceArn: string): Promise<Record<string, string>> {
    return this.#read(() => {
      const out: Record<string, string> = {};
      for (const { key, value } of this.#q.getTags.all(resourceArn)) {
        Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
      }
      return out;
    });
  }
  setTags(resourceArn: string, tags: Record<string, string>): Promise<void> {
    return this.#write(() => {
      const entries = Object.entries(tags).map(([k, v]) => [k, String(v)] as const);
      return () => {
        this.#q.deleteTags.run(resourceArn);
        for (const [k, v] of entries) this.#q.insertTag.run(resourceArn, k, v);
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
      const work = rec.status === 'RUNNING' ? serializeWork(first, arn) : undefined;
      const runs = serializeMapRuns(first, arn);
      return () => {
        const lastId = events ? events.last : 0;
        if (this.#q.insertExecution.run(arn, ...cols, text, state, this.#definitionId(definition), lastId).changes === 0) return false;
        if (events) this.#q.insertStep.run(arn, events.first, events.last, events.text);
        if (work) this.#applyWork(arn, work);
        for (const [runArn, start, record] of runs) this.#q.putMapRun.run(runArn, arn, start, record);
        return true;
      };
    });
  }

  getExecution(arn: string): Promise<ExecutionRecord | undefined> {
    return this.#read(() => this.#record(this.#q.getRecord.get(arn)));
  }
  getExecutionState(arn: string): Promise<ExecState | undefined> {
    return this.#read(() => parse<ExecState>(this.#q.getState.get(arn)));
  }
  listExecutions(q: ExecutionQuery): Promise<ExecutionRecord[]> {
    return this.#read(() => {
      if (q.limit !== undefined && q.limit <= 0) return [];
      return this.#q.listExecutions(q).map((row) => this.#record(row)!);
    });
  }
  countExecutions(stateMachineArn: string): Promise<Partial<Record<ExecutionStatus, number>>> {
    return this.#read(() => {
      const out: Partial<Record<ExecutionStatus, number>> = {};
      for (const { status, n } of this.#q.countExecutions.all(stateMachineArn)) out[status as ExecutionStatus] = n;
      return out;
    });
  }

  commitStep(c: StepCommit): Promise<void> {
    return this.#write(() => {
      const arn = c.executionArn;
      const state = JSON.stringify(c.state);
      const events = serializeEvents(c.events);
      const patch = copyPatch(c.record);
      const work = serializeWork(c, arn);
      return () => {
        let current: string | undefined;
        if (events) {
          current = this.#q.updateStateEvents.get(state, events.last, arn, events.first);
          if (current === undefined) {
            if (this.#q.exists.get(arn) === undefined) return; // unknown execution
            throw new Error(`The history of ${arn} already has an event with id ${events.first} or later`);
          }
          this.#q.insertStep.run(arn, events.first, events.last, events.text);
        } else {
          current = this.#q.updateState.get(state, arn);
          if (current === undefined) return; // unknown execution
        }
        const status = changes(current, patch) ? this.#mergeRecord(arn, patch) : current;
        for (const [runArn, start, record] of work.mapRuns) this.#q.putMapRun.run(runArn, arn, start, record);
        if (status === 'RUNNING') this.#applyWork(arn, work);
        else {
          // A closed execution keeps no work.
          this.#q.deleteTimersOf.run(arn);
          this.#q.deleteTasksOf.run(arn);
        }
      };
    });
  }

  /** Applies record changes (Object.assign semantics; `undefined` deletes); returns the new status. */
  #mergeRecord(arn: string, patch: Record<string, unknown>): string {
    const rec = JSON.parse(this.#q.getRecordOnly.get(arn)!) as Record<string, unknown>;
    for (const [k, v] of Object.entries(patch)) {
      if (k === 'definition') continue; // kept apart, and never changed
      if (v === undefined) delete rec[k];
      else rec[k] = v;
    }
    const r = rec as unknown as ExecutionRecord;
    this.#q.updateRecord.run(...mirroredColumns(r), JSON.stringify(rec), arn);
    return r.status;
  }

  #applyWork(arn: string, w: Work): void {
    const q = this.#q;
    for (const { seq, kind } of w.timersRemove) {
      if (kind) q.deleteTimer.run(arn, seq, kind);
      else q.deleteTimersOfSeq.run(arn, seq);
    }
    for (const [seq, kind, dueAt] of w.timersAdd) q.putTimer.run(arn, seq, kind, dueAt);
    for (const seq of w.tasksRemove) q.deleteTask.run(arn, seq);
    for (const t of w.tasksAdd) q.putTask.run(arn, ...t);
    for (const [seq, worker] of w.tasksStarted) q.startTask.run(worker, arn, seq);
  }

  getHistory(executionArn: string, q: HistoryQuery): Promise<HistoryEvent[]> {
    return this.#read(() => {
      const out: HistoryEvent[] = [];
      if (q.limit <= 0) return out;
      if (q.reverse) {
        const before = q.beforeId ?? Number.MAX_SAFE_INTEGER;
        for (const text of this.#q.historyBackward.iterate(executionArn, before)) {
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
      for (const text of this.#q.historyForward.iterate(executionArn, after)) {
        for (const e of JSON.parse(text) as HistoryEvent[]) {
          if (e.id <= after) continue;
          out.push(e);
          if (out.length >= q.limit) return out;
        }
      }
      return out;
    });
  }

  getMapRun(mapRunArn: string): Promise<MapRunRecord | undefined> {
    return this.#read(() => parse<MapRunRecord>(this.#q.getMapRun.get(mapRunArn)));
  }
  listMapRuns(executionArn: string): Promise<MapRunRecord[]> {
    return this.#read(() => this.#q.listMapRuns.all(executionArn).map((t) => JSON.parse(t) as MapRunRecord));
  }

  // ---- durable work ---------------------------------------------------------------------------

  runningExecutionArns(): Promise<string[]> {
    return this.#read(() => this.#q.running.all());
  }

  claimDueTimers(until: number, limit: number, leaseUntil: number): Promise<TimerRow[]> {
    return this.#write(() => () => {
      if (limit <= 0) return [];
      const rows = this.#q.dueTimers.all(until, limit);
      for (const r of rows) this.#q.moveTimer.run(leaseUntil, r.execution_arn, r.seq, r.kind);
      return rows.map(timerRow);
    });
  }
  nextTimerDue(): Promise<number | undefined> {
    return this.#read(() => this.#q.nextDue.get() ?? undefined);
  }
  rescheduleTimer(executionArn: string, seq: number, kind: TimerKind, dueAt: number): Promise<void> {
    return this.#write(() => () => void this.#q.moveTimer.run(dueAt, executionArn, seq, kind));
  }

  openTasks(executionArn: string): Promise<TaskRow[]> {
    return this.#read(() => this.#q.openTasks.all(executionArn).map(taskRow));
  }
  invocableTasks(): Promise<TaskRow[]> {
    return this.#read(() => this.#q.invocableTasks.all().map(taskRow));
  }
  tokenTasks(limit: number): Promise<TaskRow[]> {
    return this.#read(() => this.#q.tokenTasks.all(limit).map(taskRow));
  }
  claimActivityTask(activityArn: string, workerName: string | undefined): Promise<TaskRow | undefined> {
    return this.#write(() => () => {
      const r = this.#q.claimTask.get(workerName ?? null, activityArn);
      return r && taskRow(r);
    });
  }
  taskByToken(token: string): Promise<TaskRow | undefined> {
    return this.#read(() => {
      const r = this.#q.taskByToken.get(token);
      return r && taskRow(r);
    });
  }

  purgeClosedExecutions(before: number): Promise<number> {
    // History, timers, tasks and Map Runs go with their execution (ON DELETE CASCADE).
    return this.#write(() => () => this.#q.purge.run(before).changes);
  }

  /** Writes what is queued, then closes the connection. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#gc.flush();
    const written = this.#gc.whenWritten();
    if (written) await written;
    await this.#onClose?.();
    this.db.close();
  }
}

function parse<T>(text: string | undefined): T | undefined {
  return text === undefined ? undefined : (JSON.parse(text) as T);
}



function serializeMapRuns(w: StepWork, executionArn: string): Work['mapRuns'] {
  return (w.mapRuns ?? []).map((m) => [m.mapRunArn, m.startDate, JSON.stringify({ ...m, executionArn })]);
}

function serializeWork(w: StepWork, executionArn: string): Work {
  return {
    mapRuns: serializeMapRuns(w, executionArn),
    timersRemove: (w.timersRemove ?? []).map((r) => ({ seq: r.seq, kind: r.kind })),
    timersAdd: (w.timersAdd ?? []).map((t) => [t.seq, t.kind, t.dueAt]),
    tasksRemove: [...(w.tasksRemove ?? [])],
    tasksAdd: (w.tasksAdd ?? []).map((t) => [t.seq, JSON.stringify(t.command), t.activityArn ?? null, t.token ?? null, t.status, t.workerName ?? null, t.createdAt]),
    tasksStarted: (w.tasksStarted ?? []).map((s) => [s.seq, s.workerName ?? null]),
  };
}



