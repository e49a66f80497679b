/**
 * What the runtime feeds into a step: the start of the execution, task outcomes, timer firings, stops.
 * Task and timer events carry the sequence number of the command they answer.
 * @module
 */
import type { Json } from '../shared/json.js';
import type { ExecutionInfo } from './exec-state.js';

export type EngineInput =
  | { k: 'start'; info: ExecutionInfo }
  /**
   * An activity was taken by a worker (ActivityStarted); or, with `output`, the call of a service
   * integration that now waits for a job (`.sync`) or a token (`.waitForTaskToken`) returned that
   * response (TaskSubmitted, recorded once).
   */
  | { k: 'taskStarted'; seq: number; workerName?: string; output?: Json }
  | { k: 'taskSucceeded'; seq: number; output: Json }
  | { k: 'taskFailed'; seq: number; error?: string; cause?: string }
  | { k: 'taskTimedOut'; seq: number; error: 'States.Timeout' | 'States.HeartbeatTimeout'; cause?: string }
  /** The runtime could not schedule the task (e.g. the activity does not exist). */
  | { k: 'taskScheduleFailed'; seq: number; error: string; cause: string }
  | { k: 'timerFired'; seq: number }
  | { k: 'stop'; error?: string; cause?: string }
  /**
   * RedriveExecution: a FAILED, TIMED_OUT or ABORTED execution continues from the states that did not
   * succeed (`time`, epoch ms, is the redrive date). Ignored when `redriveBlocker` has a reason.
   */
  | { k: 'redrive'; time: number };

/** Per-step environment: the step's time and the seed of its randomness. */
export interface StepEnv {
  /** Epoch ms. */
  now: number;
  /** Seed for States.UUID, States.MathRandom, $uuid, $random and retry jitter. */
  seed: number;
}
