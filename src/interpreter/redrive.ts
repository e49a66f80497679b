/**
 * RedriveExecution, as AWS does it: a FAILED, TIMED_OUT or ABORTED Standard execution continues from the
 * states that did not succeed, with the inputs and variables they had. The execution state keeps what
 * that needs when an execution stops: the root thread stays in the state it stopped in, and a Parallel or
 * Map keeps its progress (results of the children that succeeded, halted children that failed or were
 * aborted, items not started yet). See `Runner.resumeThread` for how a halted thread is resumed.
 * @module
 */
import type { ExecState } from './exec-state.js';
import type { Maybe, Outcome } from './flow.js';
import { MAX_HISTORY_EVENTS, type Runner } from './runner.js';

/** The `redriveStatusReason` texts of DescribeExecution (and the reason in ExecutionNotRedrivable's message). */
export const NOT_REDRIVABLE = Object.freeze({
  stateMachineDeleting: 'State machine is in DELETING status',
  running: 'Execution is RUNNING and cannot be redriven',
  succeeded: 'Execution is SUCCEEDED and cannot be redriven',
  startedBeforeLaunch: 'Execution was started before the launch of RedriveExecution',
  historyLimit: 'Execution history event limit exceeded',
  maxExecutionTime: 'Execution has exceeded the max execution time',
  redrivablePeriod: 'Execution redrivable period exceeded',
});

const DAY_MS = 24 * 60 * 60 * 1000;
/** Executions started before RedriveExecution was launched (November 15, 2023) cannot be redriven. */
export const REDRIVE_LAUNCH_TIME = Date.UTC(2023, 10, 15);
/** An execution can be redriven within 14 days of stopping. */
export const REDRIVABLE_PERIOD_MS = 14 * DAY_MS;
/** The longest a Standard execution may stay open: one year. */
export const MAX_EXECUTION_TIME_MS = 365 * DAY_MS;

export interface RedriveCheck {
  /** Epoch ms of the redrive request; without it the one-year and 14-day limits are not checked. */
  now?: number;
  /** The execution's state machine is being deleted (the runtime knows). */
  stateMachineDeleting?: boolean;
  /** The history quota the execution runs under (default 25,000 events). */
  maxHistoryEvents?: number;
}

/**
 * Why the execution cannot be redriven, in AWS's words (DescribeExecution's `redriveStatusReason`), or
 * undefined when it can. The history must have room for ExecutionRedriven and at least one more event.
 */
export function redriveBlocker(s: ExecState, c: RedriveCheck = {}): string | undefined {
  if (c.stateMachineDeleting) return NOT_REDRIVABLE.stateMachineDeleting;
  if (s.status === 'RUNNING') return NOT_REDRIVABLE.running;
  if (s.status === 'SUCCEEDED') return NOT_REDRIVABLE.succeeded;
  if (s.info.startTime < REDRIVE_LAUNCH_TIME) return NOT_REDRIVABLE.startedBeforeLaunch;
  if (s.lastEventId >= (c.maxHistoryEvents ?? MAX_HISTORY_EVENTS) - 1) return NOT_REDRIVABLE.historyLimit;
  if (c.now !== undefined) {
    if (c.now - s.info.startTime > MAX_EXECUTION_TIME_MS) return NOT_REDRIVABLE.maxExecutionTime;
    if (s.stopTime !== undefined && c.now - s.stopTime > REDRIVABLE_PERIOD_MS) return NOT_REDRIVABLE.redrivablePeriod;
  }
  return undefined;
}

/** The message of RedriveExecution's ExecutionNotRedrivable error, as AWS words it. */
export function notRedrivableMessage(executionArn: string, reason: string): string {
  return `Execution ${executionArn} invalid for redrive as: ${reason}`;
}

/**
 * Redrives the execution: RUNNING again, `redriveCount` + 1, an ExecutionRedriven event linked to the
 * event that ended it, the execution timeout armed anew, then the root thread resumed where it stopped.
 * Returns the root's outcome (the caller finishes the execution with it).
 */
export function redriveExecution(r: Runner, time: number): Maybe<Outcome> {
  const { s, m } = r;
  const root = s.root!;
  s.status = 'RUNNING';
  delete s.output;
  delete s.error;
  delete s.cause;
  delete s.stopTime;
  s.info.redriveCount += 1;
  s.info.redriveTime = time;
  root.prev = s.lastEventId;
  r.emit(root, 'ExecutionRedriven', { redriveCount: s.info.redriveCount });
  // TimeoutSeconds starts again; the longest an execution may run still counts from its start.
  const left = r.opts.maxExecutionSeconds !== undefined ? Math.max(0, r.opts.maxExecutionSeconds - (time - s.info.startTime) / 1000) : Infinity;
  const limit = Math.min(m.timeoutSeconds ?? Infinity, left);
  if (limit !== Infinity) {
    const seq = s.nextSeq++;
    s.timeoutSeq = seq;
    r.commands.push({ k: 'startTimer', seq, delayMs: limit * 1000, why: 'executionTimeout' });
  }
  return r.resumeThread(root, m);
}
