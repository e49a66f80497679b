/**
 * The persistence port. Async, small, and free of SQLite-only assumptions, so that several engine
 * processes can share one database: every write of an execution's step is one `commitStep` (state,
 * history events, the execution record, and the durable work the step creates or finishes), and work
 * that outlives a process (timers, open tasks) is kept as rows any process can pick up.
 *
 * Adapters: `memory/` (reference), `sqlite/`, `postgres/`; all pass the shared contract suite in `contract.ts`.
 * @module
 */
import type { InvokeTask } from '../runtime/tasks/types.js';
import type { ExecState, MapRunReport } from '../interpreter/exec-state.js';
import type { HistoryEvent } from '../interpreter/history.js';

export type StateMachineType = 'STANDARD' | 'EXPRESS';

export interface StateMachineRecord {
  stateMachineArn: string;
  name: string;
  type: StateMachineType;
  definition: string;
  roleArn: string;
  /** Epoch ms. */
  creationDate: number;
  updateDate?: number;
  status: 'ACTIVE' | 'DELETING';
  /**
   * Set by the first update that changes the state machine (AWS shows none before). A version keeps the
   * revision it was published from.
   */
  revisionId?: string;
  description?: string;
  loggingConfiguration: unknown;
  tracingConfiguration: unknown;
  encryptionConfiguration?: unknown;
  /** Versions published so far (the next one is versionCount + 1). */
  versionCount: number;
  /** For a version record: the state machine it belongs to. */
  versionOf?: string;
  versionNumber?: number;
}

export interface AliasRecord {
  stateMachineAliasArn: string;
  stateMachineArn: string;
  name: string;
  description?: string;
  routingConfiguration: { stateMachineVersionArn: string; weight: number }[];
  creationDate: number;
  updateDate?: number;
}

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED' | 'PENDING_REDRIVE';

export interface ExecutionRecord {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  type: StateMachineType;
  status: ExecutionStatus;
  startDate: number;
  stopDate?: number;
  /** Execution input as JSON text. */
  input: string;
  output?: string;
  error?: string;
  cause?: string;
  stateMachineVersionArn?: string;
  stateMachineAliasArn?: string;
  /** The definition the execution runs (text). */
  definition: string;
  roleArn: string;
  redriveCount: number;
  redriveDate?: number;
  traceHeader?: string;
  /** The revision of the state machine (or version) the execution runs, when it has one. */
  revisionId?: string;
  /** RedriveExecution's client tokens that redrove the execution, with the redrive date each got. */
  redriveTokens?: Record<string, number>;
  /** The mock configuration's test case the execution runs (started on `stateMachineArn#TestCase`). */
  testCase?: string;
  /** Set when a Task state of another execution started this one (states:startExecution). */
  parent?: { executionArn: string; seq: number };
}

export interface ActivityRecord {
  activityArn: string;
  name: string;
  creationDate: number;
}

export interface ExecutionQuery {
  /** Executions of this state machine (all state machines when absent). */
  stateMachineArn?: string;
  status?: ExecutionStatus;
  redriven?: boolean;
  /** Only executions of this version / alias. */
  stateMachineVersionArn?: string;
  stateMachineAliasArn?: string;
  /** Epoch ms bounds on startDate (inclusive). */
  startedFrom?: number;
  startedTo?: number;
  /** Only executions whose name contains this text (case-sensitive substring; '' matches all). */
  name?: string;
  /** Paging over the newest-first order. */
  offset?: number;
  limit?: number;
}

/** Whether an execution passes a query's filters (everything but paging). */
export function matchesExecutionQuery(r: ExecutionRecord, q: ExecutionQuery): boolean {
  if (q.stateMachineArn !== undefined && r.stateMachineArn !== q.stateMachineArn) return false;
  if (q.status && r.status !== q.status) return false;
  if (q.redriven !== undefined && r.redriveCount > 0 !== q.redriven) return false;
  if (q.stateMachineVersionArn !== undefined && r.stateMachineVersionArn !== q.stateMachineVersionArn) return false;
  if (q.stateMachineAliasArn !== undefined && r.stateMachineAliasArn !== q.stateMachineAliasArn) return false;
  if (q.startedFrom !== undefined && r.startDate < q.startedFrom) return false;
  if (q.startedTo !== undefined && r.startDate > q.startedTo) return false;
  if (q.name !== undefined && !r.name.includes(q.name)) return false;
  return true;
}

export interface HistoryQuery {
  /** Return events with id > afterId (ascending) or id < beforeId (descending). */
  afterId?: number;
  beforeId?: number;
  reverse?: boolean;
  limit: number;
}

/** What a durable timer is for; a task's timeout and heartbeat timers share the task's sequence number. */
export type TimerKind = 'wait' | 'retry' | 'executionTimeout' | 'taskTimeout' | 'heartbeat';

export interface TimerRow {
  executionArn: string;
  seq: number;
  kind: TimerKind;
  /** Epoch ms. */
  dueAt: number;
}

/** A task an execution is waiting on: invoked (Lambda, services), queued (activities) or awaiting a token. */
export interface TaskRow {
  executionArn: string;
  seq: number;
  command: InvokeTask;
  /** For activity tasks: which activity's workers may take it. */
  activityArn?: string;
  token?: string;
  /** `started` once an activity worker took it. */
  status: 'scheduled' | 'started';
  workerName?: string;
  createdAt: number;
}

/**
 * A Distributed Map's Map Run (DescribeMapRun): the step's report of it, and the execution that runs
 * it. Written by the steps that start or change it, read by the Map Run API.
 */
export interface MapRunRecord extends MapRunReport {
  executionArn: string;
}

/** The durable work a step creates or finishes, besides its state and events. */
export interface StepWork {
  /** `executionArn` of the rows is the commit's. */
  timersAdd?: Omit<TimerRow, 'executionArn'>[];
  /** Timers to delete: every timer of the sequence number, or only the given kind. */
  timersRemove?: { seq: number; kind?: TimerKind }[];
  tasksAdd?: Omit<TaskRow, 'executionArn'>[];
  tasksRemove?: number[];
  /** Activity tasks a worker took. */
  tasksStarted?: { seq: number; workerName?: string }[];
  /**
   * Map Runs the step started or changed: each replaces the record of its ARN (`executionArn` is the
   * commit's). Written whatever the execution's status (the step that closes it ends its runs too).
   */
  mapRuns?: MapRunReport[];
}

/**
 * One step of one execution. The store must take what it keeps (serialize it) before `commitStep`
 * returns: the caller goes on mutating `state` for the next step. A commit whose record closes the
 * execution (status other than RUNNING) also deletes every timer and task the execution still has.
 */
export interface StepCommit extends StepWork {
  executionArn: string;
  state: ExecState;
  events: HistoryEvent[];
  record: Partial<ExecutionRecord>;
}

export interface Store {
  // ---- catalog --------------------------------------------------------------------------------
  putStateMachine(rec: StateMachineRecord): Promise<void>;
  getStateMachine(arn: string): Promise<StateMachineRecord | undefined>;
  /** Unversioned state machines, in creation order. */
  listStateMachines(): Promise<StateMachineRecord[]>;
  /** The published versions of a state machine, in ascending version number. */
  listVersions(stateMachineArn: string): Promise<StateMachineRecord[]>;
  deleteStateMachine(arn: string): Promise<void>;

  putAlias(rec: AliasRecord): Promise<void>;
  getAlias(arn: string): Promise<AliasRecord | undefined>;
  listAliases(stateMachineArn: string): Promise<AliasRecord[]>;
  deleteAlias(arn: string): Promise<void>;

  putActivity(rec: ActivityRecord): Promise<void>;
  getActivity(arn: string): Promise<ActivityRecord | undefined>;
  listActivities(): Promise<ActivityRecord[]>;
  deleteActivity(arn: string): Promise<void>;

  getTags(resourceArn: string): Promise<Record<string, string>>;
  setTags(resourceArn: string, tags: Record<string, string>): Promise<void>;

  // ---- executions -----------------------------------------------------------------------------
  /**
   * Creates an execution with its first step (state, events and work) in one transaction; false (and
   * nothing written) when the ARN exists already.
   */
  createExecution(rec: ExecutionRecord, first: { state: ExecState; events: HistoryEvent[] } & StepWork): Promise<boolean>;
  getExecution(arn: string): Promise<ExecutionRecord | undefined>;
  getExecutionState(arn: string): Promise<ExecState | undefined>;
  /** Newest first (startDate, then creation order). */
  listExecutions(q: ExecutionQuery): Promise<ExecutionRecord[]>;
  /** How many executions of a state machine are in each status (absent statuses: 0 or missing). */
  countExecutions(stateMachineArn: string): Promise<Partial<Record<ExecutionStatus, number>>>;
  /** Records one step atomically: new state, new events, record changes, timers and tasks. */
  commitStep(c: StepCommit): Promise<void>;
  getHistory(executionArn: string, q: HistoryQuery): Promise<HistoryEvent[]>;
  getMapRun(mapRunArn: string): Promise<MapRunRecord | undefined>;
  /** The Map Runs of an execution, newest first (start date, then creation order). */
  listMapRuns(executionArn: string): Promise<MapRunRecord[]>;

  // ---- durable work ---------------------------------------------------------------------------
  /** ARNs of Standard executions still RUNNING (to resume after a restart). */
  runningExecutionArns(): Promise<string[]>;
  /**
   * Claims timers due at or before `until`, earliest first: each is returned as it was and its due time
   * moves to `leaseUntil`, so no other process takes it meanwhile, and it fires again if the claimant
   * dies before the step it causes is committed (which deletes it).
   */
  claimDueTimers(until: number, limit: number, leaseUntil: number): Promise<TimerRow[]>;
  /** Due time of the earliest timer, if any. */
  nextTimerDue(): Promise<number | undefined>;
  /** Moves a timer (a heartbeat arrived). */
  rescheduleTimer(executionArn: string, seq: number, kind: TimerKind, dueAt: number): Promise<void>;
  /** Tasks an execution is waiting on, by sequence number. */
  openTasks(executionArn: string): Promise<TaskRow[]>;
  /**
   * Open tasks not handed to activity workers (Lambda, integrations, callbacks) of RUNNING executions:
   * what a restarted engine invokes again, since their outcome was never recorded.
   */
  invocableTasks(): Promise<TaskRow[]>;
  /**
   * Open tasks that wait on a token (callbacks and activity tasks) of RUNNING executions, oldest first
   * (by creation, then execution and seq), at most `limit`: what people are asked to answer.
   */
  tokenTasks(limit: number): Promise<TaskRow[]>;
  /** The oldest scheduled task of an activity, marked started for the worker; undefined when none. */
  claimActivityTask(activityArn: string, workerName: string | undefined): Promise<TaskRow | undefined>;
  taskByToken(token: string): Promise<TaskRow | undefined>;
  /** Deletes executions (and their history and Map Runs) that closed before `before`; returns how many. */
  purgeClosedExecutions(before: number): Promise<number>;

  close(): Promise<void>;
}
