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
  /**
   * The call of a `.sync` or `.waitForTaskToken` task went through, with its response (TaskSubmitted);
   * the task's outcome comes later.
   */
  submitted(output: Json): void;
  failed(error: string | undefined, cause: string | undefined): void;
  /**
   * The invocation is over but the task is not: its outcome will come later, from outside (a worker or
   * a callback with the task token). The runtime may then drop the execution from memory.
   */
  detach(): void;
}

/** Cancellation of a task: cheap to create; an AbortSignal is made only if someone asks for one. */
export class Cancellation {
  #fns: (() => void)[] | undefined;
  #controller: AbortController | undefined;
  cancelled = false;

  onCancel(fn: () => void): void {
    if (this.cancelled) fn();
    else (this.#fns ??= []).push(fn);
  }

  get signal(): AbortSignal {
    if (!this.#controller) {
      this.#controller = new AbortController();
      if (this.cancelled) this.#controller.abort();
    }
    return this.#controller.signal;
  }

  cancel(): void {
    if (this.cancelled) return;
    this.cancelled = true;
    this.#controller?.abort();
    const fns = this.#fns;
    this.#fns = undefined;
    if (fns) for (const f of fns) f();
  }
}

export interface TaskContext {
  executionArn: string;
  stateMachineArn: string;
  /** Stable across retries of the same state entry only with the attempt number: a handler's idempotency key. */
  idempotencyKey: string;
  region: string;
  accountId: string;
  cancel: Cancellation;
  /** The mock configuration's test case the execution runs (`stateMachineArn#TestCase`), if any. */
  readonly testCase?: string;
  /** TestState at TRACE: told of the HTTP request an HTTP Task sent and the response it got. */
  onHttpExchange?: (exchange: HttpExchange) => void;
}

/** An HTTP request and its response as TestState's inspection data shows them (text fields). */
export interface HttpExchange {
  request: { protocol: string; method: string; url: string; headers: string; body: string };
  response?: { protocol: string; statusCode: string; statusMessage: string; headers: string; body: string };
  /** Credentials the connection added (redacted unless TestState's revealSecrets). */
  secrets: string[];
}

export interface TaskInvoker {
  invoke(cmd: InvokeTask, ctx: TaskContext, cb: TaskCallbacks): void;
}

/** A call's outcome as an integration computes it. */
export type CallOutcome = { ok: true; output: Json } | { ok: false; error: string; cause: string | undefined };

/**
 * Reports a call's outcome to the task, unless the task was cancelled meanwhile; a call that throws fails
 * the task with States.Runtime and the error's message.
 */
export function reportOutcome(call: Promise<CallOutcome>, ctx: TaskContext, cb: TaskCallbacks): void {
  call.then(
    (r) => {
      if (ctx.cancel.cancelled) return;
      if (r.ok) cb.succeeded(r.output);
      else cb.failed(r.error, r.cause);
    },
    (e: unknown) => {
      if (!ctx.cancel.cancelled) cb.failed('States.Runtime', (e as Error)?.message ?? String(e));
    },
  );
}
