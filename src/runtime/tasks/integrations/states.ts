/**
 * The `states:startExecution` service integration: a Task starts an execution of another state machine
 * (a nested workflow), in each of AWS's integration patterns.
 *
 * - request-response (`startExecution`): the StartExecution response, as the AWS SDK for Java hands it to
 *   Step Functions: `ExecutionArn`, `StartDate` (epoch milliseconds) and the SDK's HTTP metadata.
 * - `.sync` / `.sync:2`: that response is recorded (TaskSubmitted), then the task waits for the child and
 *   gives its DescribeExecution in PascalCase, with `Input` and `Output` as JSON text (`.sync`) or as JSON
 *   values (`.sync:2`). A child that fails, times out or is aborted fails the task with
 *   `States.TaskFailed`, that description (as JSON text) being the cause. A task that ends first (its
 *   execution stopped or timed out, its TimeoutSeconds, a failing sibling branch) stops the child, as
 *   AWS does with the jobs it manages.
 * - `.waitForTaskToken`: the child is started (its input carries the token) and the task waits for the
 *   token (the dispatcher detaches it).
 *
 * The executions are started, described and stopped through the `NestedExecutions` port
 * (`runtime/executions.ts`): the host that keeps state machines (the server) supplies StartExecution.
 *
 * A StartExecution that is refused fails the task with the API's error as the SDK names it,
 * `StepFunctions.<Error>Exception` (e.g. `StepFunctions.ExecutionAlreadyExistsException`), and its
 * message as the SDK prints it as the cause.
 *
 * Invoking the same task twice (a restart re-invokes tasks whose outcome was never recorded) starts one
 * child: without a `Name`, the child's name is derived from the task's idempotency key, so the second
 * invocation finds the child the first one started, reports it at once if it has ended and waits for it
 * otherwise; with a `Name`, a child of that name and input started after the task was scheduled is taken
 * as this task's own.
 * @module
 */
import { createHash, randomUUID } from 'node:crypto';
import { isObject, toJsonText, type Json, type JsonObject } from '../../../shared/json.js';
import type { ExecutionRecord } from '../../../store/store.js';
import type { NestedExecutions, StartRefusal } from '../../executions.js';
import type { InvokeTask, TaskCallbacks, TaskContext, TaskInvoker } from '../types.js';

/** The cause AWS gives a child it stops because the task that managed it ended. */
export const abortedChildCause = (parentArn: string): string =>
  `The Task state in AWS Step Functions execution [${parentArn}] which was managing this resource was aborted`;

/** A UUID-shaped name derived from a task's idempotency key: the same key, the same child. */
export function childExecutionName(idempotencyKey: string): string {
  const b = createHash('sha256').update(`stepwise:states:startExecution:${idempotencyKey}`).digest();
  b[6] = (b[6]! & 0x0f) | 0x80; // version 8: custom (name-based)
  b[8] = (b[8]! & 0x3f) | 0x80; // RFC 4122 variant
  const h = b.subarray(0, 16).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** The error name and cause a refused StartExecution gives the task. */
export function startFailure(e: StartRefusal): { error: string; cause: string } {
  const error = `StepFunctions.${e.code.endsWith('Exception') ? e.code : `${e.code}Exception`}`;
  const cause = `${e.message} (Service: AWSStepFunctions; Status Code: ${e.status}; Error Code: ${e.code}; Request ID: ${randomUUID()}; Proxy: null)`;
  return { error, cause };
}

/** StartExecution's response as the integration returns it (and records it in TaskSubmitted). */
export function startResponse(rec: Pick<ExecutionRecord, 'executionArn' | 'startDate'>, now: number): JsonObject {
  const requestId = randomUUID();
  const length = String(Buffer.byteLength(JSON.stringify({ executionArn: rec.executionArn, startDate: rec.startDate / 1000 })));
  const date = new Date(now).toUTCString();
  const type = 'application/x-amz-json-1.0';
  return {
    ExecutionArn: rec.executionArn,
    SdkHttpMetadata: {
      AllHttpHeaders: { 'x-amzn-RequestId': [requestId], connection: ['keep-alive'], 'Content-Length': [length], Date: [date], 'Content-Type': [type] },
      HttpHeaders: { connection: 'keep-alive', 'Content-Length': length, 'Content-Type': type, Date: date, 'x-amzn-RequestId': requestId },
      HttpStatusCode: 200,
    },
    SdkResponseMetadata: { RequestId: requestId },
    StartDate: rec.startDate,
  };
}

const DATES = new Set(['startDate', 'stopDate', 'redriveDate']);

/**
 * DescribeExecution's answer as `.sync` returns it: PascalCase keys in alphabetical order, dates in
 * epoch milliseconds; `Input`/`Output` JSON text, or JSON values when `parsed` (`.sync:2`).
 */
export function syncDescription(d: Record<string, unknown>, parsed: boolean): JsonObject {
  const out: JsonObject = {};
  const keys = Object.keys(d)
    .filter((k) => d[k] !== undefined)
    .map((k) => [k, k[0]!.toUpperCase() + k.slice(1)] as const)
    .sort((a, b) => (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  for (const [k, K] of keys) {
    const v = d[k];
    if (DATES.has(k) && typeof v === 'number') out[K] = Math.round(v * 1000);
    else if ((k === 'inputDetails' || k === 'outputDetails') && isObject(v as Json)) out[K] = { Included: (v as { included?: boolean }).included ?? true };
    else if ((k === 'input' || k === 'output') && parsed && typeof v === 'string') out[K] = JSON.parse(v) as Json;
    else out[K] = v as Json;
  }
  return out;
}

/** The execution input a task's `Input` parameter gives: JSON text as it is, any other value as JSON. */
function inputText(v: Json | undefined): string {
  if (v === undefined || v === null) return '{}';
  return typeof v === 'string' ? v : toJsonText(v);
}

export class StartExecutionIntegration implements TaskInvoker {
  constructor(private readonly executions: NestedExecutions) {}

  invoke(cmd: InvokeTask, task: TaskContext, cb: TaskCallbacks): void {
    this.#run(this.executions, cmd, task, cb).catch((e: unknown) => {
      if (!task.cancel.cancelled) cb.failed('States.Runtime', `Internal error: ${(e as Error)?.message ?? String(e)}`);
    });
  }

  async #run(api: NestedExecutions, cmd: InvokeTask, task: TaskContext, cb: TaskCallbacks): Promise<void> {
    const res = cmd.resource;
    const pattern = res.kind === 'service' ? res.pattern : 'request-response';
    const params = isObject(cmd.input) ? cmd.input : {};
    const derived = params.Name === undefined || params.Name === null;
    const request = {
      stateMachineArn: params.StateMachineArn,
      input: inputText(params.Input),
      name: derived ? childExecutionName(task.idempotencyKey) : params.Name,
    };
    const waits = pattern === 'sync' || pattern === 'sync2';
    let child: string | undefined;
    let settled = false;
    if (waits) {
      task.cancel.onCancel(() => {
        if (!settled && child) void this.#abortChild(api, child, cmd, task);
      });
    }
    // Without a Name the child's name is this task's own; with one, a child of that name and input
    // started since the task was scheduled is this task's (invoked again after a restart).
    const adopt = derived ? () => true : (existing: ExecutionRecord) => this.#startedSinceScheduled(api, existing, cmd, task);
    const started = await api.start(request, adopt);
    if (started.k === 'refused') {
      const f = startFailure(started);
      if (!task.cancel.cancelled) cb.failed(f.error, f.cause);
      return;
    }
    const rec = started.rec;
    child = rec.executionArn;
    const response = startResponse(rec, api.now());
    if (!waits) {
      cb.succeeded(response);
      return;
    }
    if (task.cancel.cancelled) {
      void this.#abortChild(api, child, cmd, task);
      return;
    }
    await api.taskSubmitted(task.executionArn, cmd.seq, response);
    const ended = await this.#waitFor(api, child, task);
    // Stopped, or the engine closed: the task stays open, to be invoked again after a restart.
    if (task.cancel.cancelled || api.closed) return;
    settled = true;
    const description = ended && (await api.describe(child));
    if (!ended || !description) {
      cb.failed('States.TaskFailed', `The execution ${child} no longer exists.`);
      return;
    }
    const out = syncDescription(description, pattern === 'sync2');
    if (ended.status === 'SUCCEEDED') cb.succeeded(out);
    else cb.failed('States.TaskFailed', JSON.stringify(out));
  }

  /** The child's record once it has ended; a store that fails meanwhile is read again a little later. */
  async #waitFor(api: NestedExecutions, child: string, task: TaskContext): Promise<ExecutionRecord | undefined> {
    for (;;) {
      try {
        return await api.whenEnded(child, task.cancel.signal);
      } catch (e) {
        if (task.cancel.cancelled || api.closed) return undefined;
        api.log(`stepwise states:startExecution: waiting for ${child}: ${(e as Error)?.message ?? String(e)}`);
        await new Promise((r) => setTimeout(r, 1000).unref());
      }
    }
  }

  /** Whether a child of the task's name and input was started after the task was scheduled. */
  async #startedSinceScheduled(api: NestedExecutions, existing: ExecutionRecord, cmd: InvokeTask, task: TaskContext): Promise<boolean> {
    const scheduled = await api.openTaskCreatedAt(task.executionArn, cmd.seq);
    return scheduled !== undefined && existing.startDate >= scheduled;
  }

  /**
   * The task ended before its child (the execution was stopped or timed out, TimeoutSeconds or
   * HeartbeatSeconds passed, a sibling branch failed): the child is stopped, once the parent's record
   * shows the task over. (A driver that could not persist a step also lets its tasks go, but the task
   * stays open in the store, to be invoked again: its child is left running.)
   */
  async #abortChild(api: NestedExecutions, child: string, cmd: InvokeTask, task: TaskContext): Promise<void> {
    try {
      for (let i = 0; ; i++) {
        const parent = await api.getExecution(task.executionArn);
        if (!parent || parent.status !== 'RUNNING') break;
        if ((await api.openTaskCreatedAt(task.executionArn, cmd.seq)) === undefined) break;
        if (i >= 50) return;
        await new Promise((r) => setTimeout(r, 100));
      }
      await api.stop(child, undefined, abortedChildCause(task.executionArn));
    } catch {
      // The child runs on; nothing waits for it any more.
    }
  }
}
