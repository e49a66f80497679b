/**
 * How the runtime performs the work of a Task state. An invoker gets the `invokeTask` command and reports
 * the outcome through callbacks; it may report `started` (activities) and `heartbeat`s first.
 * @module
 */
import type { Json } from '../../shared/json.js';
import type { Command } from '../../interpreter/commands.js';

export type InvokeTask = Extract<Command, { k: 'invokeTask' }>;

export interface TaskCallbacks {
  started(workerName?: string): void;
  heartbeat(): void;
  succeeded(output: Json): void;
  failed(error: string | undefined, cause: string | undefined): void;
}

export interface TaskContext {
  executionArn: string;
  stateMachineArn: string;
  /** Stable across retries of the same state entry only with the attempt number: a handler's idempotency key. */
  idempotencyKey: string;
  region: string;
  accountId: string;
  signal: AbortSignal;
}

export interface TaskInvoker {
  invoke(cmd: InvokeTask, ctx: TaskContext, cb: TaskCallbacks): void;
}
