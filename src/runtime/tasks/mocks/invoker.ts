/**
 * The mock layer: a TaskInvoker in front of the real one. When the execution runs a test case of the
 * mock configuration and the test case mocks the Task's state, the mocked response answers, whatever
 * the resource (Lambda, an SDK or optimized integration, HTTP, ECS, an activity …); otherwise the real
 * invoker is called (Step Functions Local's "hybrid" test cases).
 *
 * The answer for a state is chosen by its invocation number in the execution (0 first; every retry, Map
 * iteration and re-entry counts). The numbers are counted here while the execution runs in this
 * process, and derived from the execution's history when it is first seen (a Standard execution
 * resumed after a restart): the invocations of a state so far are the task outcomes recorded for it.
 *
 * The history a mocked task gives is the one the real task gives: Scheduled, Started, then Succeeded
 * with the mocked result or Failed with the mocked Error/Cause (LambdaFunction* for Lambda ARNs,
 * Activity* for activities, Task* otherwise). For `.sync` and `.waitForTaskToken` the Return is the
 * task's final result (the job's, or what the token would have brought): TaskSubmitted (with the mocked
 * result) comes before TaskSucceeded, and no token is waited for; a Throw fails the task at once.
 * @module
 */
import type { HistoryEvent } from '../../../interpreter/history.js';
import type { InvokeTask, TaskCallbacks, TaskContext, TaskInvoker } from '../types.js';
import { answerFor, testCaseOf, type MockConfig } from './config.js';

export interface MockInvokerOptions {
  /** The recorded history of an execution (to count the invocations of an execution first seen here). */
  history?: (executionArn: string) => Promise<readonly HistoryEvent[] | undefined>;
  /** Executions whose counts are kept in memory at most (the least recently used are derived again). */
  keep?: number;
}

/** The task outcome events: one per invocation that ended. */
const OUTCOMES = new Set([
  'TaskSucceeded',
  'TaskFailed',
  'TaskTimedOut',
  'TaskStartFailed',
  'TaskSubmitFailed',
  'LambdaFunctionSucceeded',
  'LambdaFunctionFailed',
  'LambdaFunctionTimedOut',
  'LambdaFunctionStartFailed',
  'LambdaFunctionScheduleFailed',
  'ActivitySucceeded',
  'ActivityFailed',
  'ActivityTimedOut',
  'ActivityScheduleFailed',
]);

/** The invocations of each Task state that ended, from a history (events chain by previousEventId within a thread). */
export function invocationCounts(events: readonly HistoryEvent[]): Map<string, number> {
  const byId = new Map<number, HistoryEvent>();
  for (const e of events) byId.set(e.id, e);
  const counts = new Map<string, number>();
  for (const e of events) {
    if (!OUTCOMES.has(e.type)) continue;
    let p = byId.get(e.previousEventId);
    while (p && !p.type.endsWith('StateEntered')) p = byId.get(p.previousEventId);
    const name = p?.details?.name;
    if (typeof name === 'string') counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return counts;
}

/** The name in `arn:…:stateMachine:NAME[:version|alias]`. */
export function stateMachineNameOf(arn: string): string {
  return arn.split(':')[6] ?? '';
}

export class MockInvoker implements TaskInvoker {
  /** Invocations so far by execution, then state (insertion order = least recently used first). */
  readonly #counts = new Map<string, Map<string, number>>();
  readonly #loading = new Map<string, Promise<Map<string, number>>>();

  constructor(
    readonly config: MockConfig,
    private readonly inner: TaskInvoker,
    private readonly opts: MockInvokerOptions = {},
  ) {}

  invoke(cmd: InvokeTask, ctx: TaskContext, cb: TaskCallbacks): void {
    const testCase = ctx.testCase;
    // A Distributed Map's item reader or result writer is not a Task state: no mocked response answers it.
    const responseName = testCase === undefined || cmd.purpose !== undefined ? undefined : testCaseOf(this.config, stateMachineNameOf(ctx.stateMachineArn), testCase)?.get(cmd.stateName);
    if (responseName === undefined) return this.inner.invoke(cmd, ctx, cb);
    const arn = ctx.executionArn;
    const counts = this.#counts.get(arn);
    if (counts) {
      this.#counts.delete(arn);
      this.#counts.set(arn, counts);
      return this.#answer(cmd, responseName, testCase!, counts, cb);
    }
    if (!this.opts.history) return this.#answer(cmd, responseName, testCase!, this.#remember(arn, new Map()), cb);
    let p = this.#loading.get(arn);
    if (!p) {
      p = this.opts.history(arn).then((events) => this.#remember(arn, events ? invocationCounts(events) : new Map()));
      p.finally(() => this.#loading.delete(arn)).catch(() => {});
      this.#loading.set(arn, p);
    }
    p.then(
      (c) => {
        if (!ctx.cancel.cancelled) this.#answer(cmd, responseName, testCase!, this.#counts.get(arn) ?? c, cb);
      },
      (e: unknown) => cb.failed('States.Runtime', `The invocations of state '${cmd.stateName}' could not be counted from the history: ${(e as Error)?.message ?? String(e)}`),
    );
  }

  /** The execution ended: its counts go (they are derived again if it runs again, e.g. redriven). */
  forget(executionArn: string): void {
    this.#counts.delete(executionArn);
  }

  /** How many executions have counts in memory (tests). */
  get size(): number {
    return this.#counts.size;
  }

  #remember(arn: string, counts: Map<string, number>): Map<string, number> {
    const known = this.#counts.get(arn);
    if (known) return known;
    this.#counts.set(arn, counts);
    const keep = this.opts.keep ?? 10000;
    while (this.#counts.size > keep) this.#counts.delete(this.#counts.keys().next().value as string);
    return counts;
  }

  #answer(cmd: InvokeTask, responseName: string, testCase: string, counts: Map<string, number>, cb: TaskCallbacks): void {
    const n = counts.get(cmd.stateName) ?? 0;
    counts.set(cmd.stateName, n + 1);
    const answer = answerFor(this.config.mockedResponses.get(responseName)!, n);
    if (!answer) {
      cb.failed('States.Runtime', `The mocked response '${responseName}' of test case '${testCase}' has no answer for invocation ${n} of state '${cmd.stateName}' (${this.config.source}).`);
      return;
    }
    switch (answer.k) {
      case 'return': {
        const res = cmd.resource;
        if (res.kind === 'activity') cb.started();
        else if (res.kind === 'service' && res.pattern !== 'request-response') cb.submitted(answer.value);
        cb.succeeded(answer.value);
        return;
      }
      case 'throw':
        cb.failed(answer.error, answer.cause);
        return;
      default:
        answer satisfies never;
    }
  }
}
