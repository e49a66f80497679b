/**
 * The interpreter's Runner as TestState uses it: the context object is TestState's (or the caller's),
 * the Retry count of the retrier that applies can be preset (`retrierRetryCount`), and what Retry and
 * Catch decided is recorded for the response (status, `errorDetails`). Everything else (data flow,
 * Retry back-off, Catch output) is the interpreter's own code.
 * @module
 */
import type { JsonObject } from '../../shared/json.js';
import type { Machine, MapState, ParallelState, TaskState } from '../../asl/model.js';
import type { ContextExtras } from '../context.js';
import { buildContext } from '../context.js';
import type { ExecState, Thread } from '../exec-state.js';
import type { Flow, Maybe } from '../flow.js';
import type { StepEnv } from '../inputs.js';
import { FATAL_ERRORS, findRetrier, errorMatches } from '../retry-catch.js';
import { Runner, type StepOptions } from '../runner.js';

/** The name AWS's TestState gives the state under test in the context object. */
export const CONTEXT_STATE_NAME = 'StateName';

export interface TestStateRunnerOptions {
  /** A context object supplied by the caller: used as it is. */
  context?: JsonObject;
  /** The caller's role ARN (`$$.Execution.RoleArn`; null without one). */
  roleArn?: string;
  /** Retries already made by the retrier that applies to the error. */
  retrierRetryCount?: number;
  /** The state under test can retry (Task, Map, Parallel): `$$.State.RetryCount` is always there. */
  reportsRetryCount?: boolean;
}

/** What Retry and Catch decided about the state's failure. */
export interface FailureRecord {
  error: string;
  cause: string | undefined;
  retryIndex?: number;
  /** Set when a retry was scheduled. */
  retryBackoffSeconds?: number;
  catchIndex?: number;
}

export class TestStateRunner extends Runner {
  failure: FailureRecord | undefined;

  constructor(
    m: Machine,
    s: ExecState,
    env: StepEnv,
    opts: StepOptions,
    private readonly ts: TestStateRunnerOptions,
  ) {
    super(m, s, env, opts);
  }

  override context(th: Thread, extras?: ContextExtras): JsonObject {
    if (this.ts.context) return this.ts.context;
    const ctx = buildContext(this.s.info, th, extras);
    const execution = { ...(ctx.Execution as JsonObject) };
    delete execution.RedriveCount;
    delete execution.RedriveTime;
    execution.RoleArn = this.ts.roleArn ?? null;
    const state: JsonObject = { ...(ctx.State as JsonObject), Name: CONTEXT_STATE_NAME };
    // States with Retry report their retry count everywhere, their Catch included.
    if (this.ts.reportsRetryCount) state.RetryCount = th.retryCount;
    return { ...ctx, Execution: execution, State: state };
  }

  override handleFailure(th: Thread, st: TaskState | ParallelState | MapState, f: { error: string; cause: string | undefined; fatal?: boolean }): Maybe<Flow> {
    const rec: FailureRecord = { error: f.error, cause: f.cause };
    this.failure = rec;
    if (f.fatal || FATAL_ERRORS.has(f.error)) return super.handleFailure(th, st, f);
    const ri = findRetrier(st.retry, f.error);
    if (ri >= 0) {
      rec.retryIndex = ri;
      if (this.ts.retrierRetryCount !== undefined) {
        const counts = (th.retries ??= new Array<number>(st.retry.length).fill(0));
        counts[ri] = this.ts.retrierRetryCount;
      }
    }
    const before = this.commands.length;
    const flow = super.handleFailure(th, st, f);
    const timer = this.commands.slice(before).find((c) => c.k === 'startTimer' && c.why === 'retry');
    if (timer && timer.k === 'startTimer') rec.retryBackoffSeconds = timer.delayMs / 1000;
    else {
      const ci = st.catch.findIndex((c) => errorMatches(c.errorEquals, f.error));
      if (ci >= 0) rec.catchIndex = ci;
    }
    return flow;
  }
}
