/**
 * The persistence port. Async, small, and free of SQL-only assumptions: the memory store implements it
 * now; durable adapters (SQLite, PostgreSQL) implement the same contract (`contract.ts`).
 * @module
 */
import type { ExecState } from '../interpreter/exec-state.js';
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
}

export interface ActivityRecord {
  activityArn: string;
  name: string;
  creationDate: number;
}

export interface ExecutionQuery {
  stateMachineArn: string;
  status?: ExecutionStatus;
  redriven?: boolean;
}

export interface HistoryQuery {
  /** Return events with id > afterId (ascending) or id < beforeId (descending). */
  afterId?: number;
  beforeId?: number;
  reverse?: boolean;
  limit: number;
}

export interface StepCommit {
  executionArn: string;
  state: ExecState;
  events: HistoryEvent[];
  record: Partial<ExecutionRecord>;
}

export interface Store {
  putStateMachine(rec: StateMachineRecord): Promise<void>;
  getStateMachine(arn: string): Promise<StateMachineRecord | undefined>;
  /** Unversioned state machines, in creation order. */
  listStateMachines(): Promise<StateMachineRecord[]>;
  deleteStateMachine(arn: string): Promise<void>;
  /** The published versions of a state machine, in ascending version number. */
  listVersions(stateMachineArn: string): Promise<StateMachineRecord[]>;

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

  /** Creates an execution with its first state; false when the ARN exists already. */
  createExecution(rec: ExecutionRecord, state: ExecState, events: HistoryEvent[]): Promise<boolean>;
  getExecution(arn: string): Promise<ExecutionRecord | undefined>;
  getExecutionState(arn: string): Promise<ExecState | undefined>;
  /** Newest first. */
  listExecutions(q: ExecutionQuery): Promise<ExecutionRecord[]>;
  /** Records one step: new state, new events, record changes. */
  commitStep(c: StepCommit): Promise<void>;
  getHistory(executionArn: string, q: HistoryQuery): Promise<HistoryEvent[]>;
}
