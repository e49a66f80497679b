/**
 * What the runtime feeds into a step: the start of the execution, task outcomes, timer firings, stops.
 * Task and timer events carry the sequence number of the command they answer.
 * @module
 */
import type { Json } from '../shared/json.js';
import type { ExecutionInfo } from './exec-state.js';

export type EngineInput =
  | { k: 'start'; info: ExecutionInfo }
  | { k: 'taskStarted'; seq: number; workerName?: string }
  /** The call of a `.sync` or `.waitForTaskToken` task went through (its response); the task goes on waiting. */
  | { k: 'taskSubmitted'; seq: number; output: Json }
  /**
   * `byToken`: the outcome came with the task token (SendTaskSuccess / SendTaskFailure), not from the
   * call itself; for a callback task whose call has not returned yet it waits for that call (see task.ts).
   */
  | { k: 'taskSucceeded'; seq: number; output: Json; byToken?: true }
  | { k: 'taskFailed'; seq: number; error?: string; cause?: string; byToken?: true }
  | { k: 'taskTimedOut'; seq: number; error: 'States.Timeout' | 'States.HeartbeatTimeout'; cause?: string }
  /** The runtime could not schedule the task (e.g. the activity does not exist). */
  | { k: 'taskScheduleFailed'; seq: number; error: string; cause: string }
  | { k: 'timerFired'; seq: number }
  | { k: 'stop'; error?: string; cause?: string }
  /**
   * RedriveExecution: a FAILED, TIMED_OUT or ABORTED execution continues from the states that did not
   * succeed (`time`, epoch ms, is the redrive date). Ignored when `redriveBlocker` has a reason.
   */
  | { k: 'redrive'; time: number }
  /**
   * UpdateMapRun: new limits for a running Map Run of this execution (absent fields stay); more
   * iterations start at once if the concurrency allows. Ignored when the run is not running.
   */
  | { k: 'updateMapRun'; mapRunArn: string; maxConcurrency?: number; toleratedFailureCount?: number; toleratedFailurePercentage?: number };

/** Per-step environment: the step's time and the seed of its randomness. */
export interface StepEnv {
  /** Epoch ms. */
  now: number;
  /** Seed for States.UUID, States.MathRandom, $uuid, $random and retry jitter. */
  seed: number;
}
