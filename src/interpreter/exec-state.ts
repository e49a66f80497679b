/**
 * The serializable state of one execution: plain JSON, so a store can persist it after every step and
 * the interpreter can resume from it after a restart. Threads form a tree: the root runs the machine;
 * a Parallel or Map state that is running holds its branches / iterations as child threads.
 * @module
 */
import type { Json } from '../shared/json.js';
import type { Vars } from '../expr/scope.js';

export type ExecStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

/** What the context object (`$$`) tells about the execution; fixed when it starts. */
export interface ExecutionInfo {
  executionArn: string;
  name: string;
  stateMachineArn: string;
  stateMachineName: string;
  roleArn: string;
  /** Epoch ms. */
  startTime: number;
  input: Json;
  redriveCount: number;
  redriveTime?: number;
  /** Started with StartSyncExecution: AWS's context object then has no `Execution.RedriveCount`. */
  startedSync?: true;
  stateMachineVersionArn?: string;
  stateMachineAliasArn?: string;
  /** Started on `stateMachineArn#TestCase`: the mock configuration's test case its tasks answer from. */
  testCase?: string;
}

export interface MapItem {
  index: number;
  value: Json;
}

export interface Thread {
  /** Child indexes from the root (branch index for Parallel, item index for Map). */
  path: number[];
  /** The state the thread is in. */
  state: string;
  /** The state's raw input. */
  input: Json;
  /** A bound of the size of `input`'s JSON text, when known (the payload check then walks only new data). */
  inputBound?: number;
  /** Id of the StateEntered event of the current state. */
  enteredId: number;
  /** Epoch ms at which the current state was entered. */
  enteredAt: number;
  /** Id of the last event of this thread (previousEventId of its next event). */
  prev: number;
  /** Variables visible to this thread. */
  vars: Vars;
  /** Attempts used per retrier of the current state. */
  retries: number[] | null;
  /** Retries of the current state so far ($$.State.RetryCount). */
  retryCount: number;
  /** Set for Map iterations ($$.Map.Item). */
  item: MapItem | null;
  /** What the thread is blocked on, if anything. */
  wait: Wait | null;
  /**
   * Set for the iterations of a Distributed Map (and threads inside them): they are child executions,
   * whose events stay out of this execution's history and are numbered by `ExecState.childEventIds[key]`.
   */
  detached?: string;
  /**
   * The thread stopped unsuccessfully (it failed, or was aborted) in its current state. Such threads are
   * kept in their parent's Parallel/Map progress (and the root stays in place) so that a redrive can
   * resume them; `state === ''` means the thread never entered a state (it is started afresh).
   */
  halted?: true;
  /**
   * The thread assigned variables of its own. A halted child that did not is kept without its `vars`
   * (they are its parent's, restored on redrive), so a failed Map keeps no copy of them per iteration.
   */
  ownVars?: true;
}

export type TaskFamily = 'lambda' | 'activity' | 'task';

/** An outcome sent with a task token (SendTaskSuccess / SendTaskFailure). */
export type TokenAnswer = { k: 'taskSucceeded'; output: Json } | { k: 'taskFailed'; error?: string; cause?: string };

export type Wait =
  | {
      k: 'task';
      seq: number;
      family: TaskFamily;
      /** `resource` of the Task events (lambda ARN, activity ARN or the integration action). */
      resource: string;
      resourceType: string;
      started: boolean;
      /** Set once TaskSubmitted is recorded (the call of a `.sync` or callback task went through). */
      submitted?: boolean;
      token: string | undefined;
      /**
       * A callback task's token answered before its call returned (or before its response was
       * recorded): the answer, applied right after TaskSubmitted.
       */
      answer?: TokenAnswer;
    }
  | { k: 'timer'; seq: number; why: 'wait' | 'retry' }
  | YieldWait
  | ParallelWait
  | MapWait
  | MapIoWait;

/**
 * A Distributed Map waiting on the runtime: reading its items (ItemReader) before its iterations start,
 * or writing their results (ResultWriter) after they ended.
 */
export type MapIoWait =
  | {
      k: 'mapIo';
      op: 'read';
      seq: number;
      runArn: string;
      /** The Map state's effective input (ItemSelector's `$`). */
      effInput: Json;
      limits: MapLimits;
      /** The Map Run (absent in a state saved before Map Runs were recorded). */
      run?: MapRunState;
    }
  | { k: 'mapIo'; op: 'write'; seq: number; runArn: string; run?: MapRunState };

export type MapRunStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED';

/** A Map Run's counters of items, or of child executions (DescribeMapRun's itemCounts / executionCounts). */
export interface MapRunCounts {
  pending: number;
  running: number;
  succeeded: number;
  failed: number;
  timedOut: number;
  aborted: number;
  total: number;
  resultsWritten: number;
  failuresNotRedrivable: number;
  pendingRedrive: number;
}

/** What a Map Run's report says besides its identity and dates: its limits and counters. */
export interface MapRunFigures {
  maxConcurrency: number;
  toleratedFailureCount: number;
  toleratedFailurePercentage: number;
  itemCounts: MapRunCounts;
  executionCounts: MapRunCounts;
}

/**
 * A Distributed Map's Map Run, kept on the wait of its Map state (MapWait or MapIoWait) for as long
 * as the state runs, and after it stopped unsuccessfully (the redrive snapshot).
 */
export interface MapRunState {
  arn: string;
  status: MapRunStatus;
  /** Epoch ms. */
  startDate: number;
  stopDate?: number;
  redriveCount: number;
  redriveDate?: number;
  /** The figures once they no longer change with a MapWait (writing the results, or failed before the iterations). */
  frozen?: MapRunFigures;
}

/** A Map Run as a step reports it (the runtime stores it with the step): its state and figures now. */
export interface MapRunReport extends MapRunFigures {
  mapRunArn: string;
  status: MapRunStatus;
  startDate: number;
  stopDate?: number;
  redriveCount: number;
  redriveDate?: number;
}

/** What a Map state's iterations are bound by, read when it starts. */
export interface MapLimits {
  maxConcurrency: number;
  toleratedCount: number | undefined;
  toleratedPercentage: number | undefined;
  /** ItemBatcher: items per batch and bytes per batch (0: no limit), and the BatchInput. */
  batch?: { maxItems: number; maxBytes: number; input?: Json };
  /** ResultWriter: the evaluated Parameters / Arguments and WriterConfig. */
  writer?: { params?: Json; config?: Json };
}

/**
 * A thread between two states whose step ran out of work budget: it enters `next` with `output` when
 * the execution's continuation fires (ExecState.continueSeq), in a later step.
 */
export interface YieldWait {
  k: 'yield';
  next: string;
  output: Json;
  bound?: number;
}

export interface ParallelWait {
  k: 'parallel';
  /** Running branches (null once finished). */
  children: (Thread | null)[];
  results: (Json | null)[];
  /** Sum of the results' size bounds (+1 each for a comma), while every one is known. */
  resultsBound: number | undefined;
  remaining: number;
  /**
   * The branches' input (the state's effective input), kept when the state failed before some branches
   * started (they are halted children that never entered a state) and it is not the state's raw input.
   */
  input?: Json;
}

/*
 * When a Parallel or Map state stops unsuccessfully (a branch or iterations failed, or the execution was
 * stopped or timed out), its wait stays on the thread as the redrive snapshot: children that succeeded
 * are gone (their results are in `results`), children that failed or were aborted stay with
 * `halted` set, and Map items not started yet are those from `nextIndex`.
 */

export interface MapWait {
  k: 'map';
  items: Json[];
  /** The Map state's effective input (ItemSelector's `$`). */
  effInput: Json;
  /** Index of the next item to start. */
  nextIndex: number;
  /** Running iterations by item index. */
  children: Record<number, Thread>;
  active: number;
  results: (Json | null)[];
  /** Sum of the results' size bounds (+1 each for a comma), while every one is known. */
  resultsBound: number | undefined;
  done: number;
  failed: number;
  maxConcurrency: number;
  toleratedCount: number | undefined;
  toleratedPercentage: number | undefined;
  distributed: boolean;
  /** Halted iterations a redrive resumes, in index order, as the concurrency allows (before `nextIndex`). */
  redo?: number[];
  /** Distributed Map: the Map Run's ARN and how many times it was redriven. */
  runArn?: string;
  runRedrives?: number;
  /** Distributed Map: the Map Run (absent in a state saved before Map Runs were recorded). */
  run?: MapRunState;
  /**
   * Distributed Map: the iterations that failed, and those aborted (the run failed or was stopped), by
   * item index, since the run started or was last redriven (the Map Run's counters).
   */
  failedIdx?: number[];
  abortedIdx?: number[];
  /**
   * Distributed Map with a ResultWriter: where the results go. `results` then holds each child
   * execution's record (its name, input, output or error, dates) instead of its output.
   */
  writer?: { params?: Json; config?: Json };
  /** ItemBatcher: the items are batches, ItemSelector already applied to each of their items. */
  batched?: true;
}

export interface ExecState {
  v: 1;
  status: ExecStatus;
  info: ExecutionInfo;
  lastEventId: number;
  nextSeq: number;
  root: Thread | null;
  /** Open commands (task or timer) by sequence number: the path of the thread waiting on them. */
  pending: Record<number, number[]>;
  /** Sequence number of the execution-timeout timer, if any. */
  timeoutSeq: number | null;
  /** The continuation timer, while threads wait in `yielded` for a later step. */
  continueSeq?: number | null;
  /** Paths of the threads that yielded (YieldWait), in the order they did. */
  yielded?: number[][];
  /** Last event id of each running child execution of a Distributed Map, by its thread path. */
  childEventIds?: Record<string, number>;
  /** Epoch ms at which the execution last stopped (succeeded, failed, timed out or was aborted). */
  stopTime?: number;
  output?: Json;
  error?: string;
  cause?: string;
}
