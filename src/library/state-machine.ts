/**
 * The in-process library: compile a definition once, run it many times with local functions, and
 * assert on output and history, with time under the test's control.
 *
 * ```ts
 * import { StateMachine, ManualClock } from 'stepwise';
 * const sm = new StateMachine(definition, { functions: { add: (e) => ({ sum: e.a + e.b }) } });
 * const r = await sm.run({ a: 1, b: 2 });
 * ```
 * @module
 */
import { compileMachine } from '../asl/compile.js';
import type { Machine } from '../asl/model.js';
import type { Json } from '../shared/json.js';
import { toAwsEvent, type AwsHistoryEvent, type HistoryEvent } from '../interpreter/history.js';
import type { ExecState, ExecStatus } from '../interpreter/exec-state.js';
import { systemClock, type Clock } from '../runtime/clock.js';
import { ExecutionDriver, type DriverOptions } from '../runtime/driver.js';
import { newUuid } from '../runtime/ids.js';
import { TaskDispatcher } from '../runtime/tasks/dispatcher.js';
import { functionsFromDirectory, functionsFromObject, type FunctionSource, type LocalFunction } from '../runtime/tasks/functions.js';
import { LambdaInvoker } from '../runtime/tasks/lambda.js';
import type { TaskInvoker } from '../runtime/tasks/types.js';

export interface StateMachineOptions {
  /** Local functions behind Lambda ARNs, by function name. */
  functions?: Record<string, LocalFunction>;
  /** A folder of handler modules (`NAME.js`, `.mjs`, `.ts`), used when `functions` has no such name. */
  functionsDir?: string;
  /** An AWS Lambda Invoke API for functions not found locally. */
  lambdaEndpoint?: string;
  /** Other service integrations, by `service:api` (e.g. `sqs:sendMessage`). */
  services?: Record<string, TaskInvoker>;
  clock?: Clock;
  /** Multiplies Wait durations, retry back-off and timeouts (0 = no waiting). */
  waitTimeScale?: number;
  /** Per-delay override: e.g. `(why, state) => why === 'retry' ? 0 : undefined`. */
  delayOverride?: DriverOptions['delayOverride'];
  name?: string;
  region?: string;
  accountId?: string;
  roleArn?: string;
}

export interface RunOptions {
  /** Execution name (default: a UUID). */
  name?: string;
  /** Keep the history (default true). */
  history?: boolean;
}

export interface ExecutionResult {
  executionArn: string;
  status: ExecStatus;
  output?: Json;
  error?: string;
  cause?: string;
  /** History events (payloads as JSON values). */
  events: HistoryEvent[];
  /** The history as the AWS API returns it. */
  history(): AwsHistoryEvent[];
}

export interface RunningExecution {
  readonly executionArn: string;
  readonly done: Promise<ExecutionResult>;
  stop(error?: string, cause?: string): void;
  /**
   * Answers a task waiting on a token (`.waitForTaskToken`, activities), as SendTaskSuccess does;
   * false when no open task of this execution has the token.
   */
  sendTaskSuccess(token: string, output: Json): boolean;
  /** As SendTaskFailure. */
  sendTaskFailure(token: string, error?: string, cause?: string): boolean;
  /** As SendTaskHeartbeat: the task's HeartbeatSeconds start again. */
  sendTaskHeartbeat(token: string): boolean;
}

export class StateMachine {
  readonly machine: Machine;
  readonly stateMachineArn: string;
  readonly #driverOptions: DriverOptions;
  readonly #executionPrefix: string;
  readonly #name: string;
  readonly #roleArn: string;

  constructor(definition: string | object, opts: StateMachineOptions = {}) {
    const def = typeof definition === 'string' ? (JSON.parse(definition) as Json) : (definition as Json);
    this.machine = compileMachine(def);
    const region = opts.region ?? 'us-east-1';
    const accountId = opts.accountId ?? '123456789012';
    this.#name = opts.name ?? 'StateMachine';
    this.stateMachineArn = `arn:aws:states:${region}:${accountId}:stateMachine:${this.#name}`;
    this.#executionPrefix = `arn:aws:states:${region}:${accountId}:execution:${this.#name}:`;
    this.#roleArn = opts.roleArn ?? `arn:aws:iam::${accountId}:role/stepwise`;
    const sources: FunctionSource[] = [];
    if (opts.functions) sources.push(functionsFromObject(opts.functions));
    if (opts.functionsDir) sources.push(functionsFromDirectory(opts.functionsDir));
    const functions: FunctionSource | undefined = sources.length === 0 ? undefined : sources.length === 1 ? sources[0] : chain(sources);
    const invoker = new TaskDispatcher({ lambda: new LambdaInvoker({ functions, endpoint: opts.lambdaEndpoint }), services: opts.services });
    this.#driverOptions = {
      clock: opts.clock ?? systemClock,
      invoker,
      region,
      accountId,
      waitTimeScale: opts.waitTimeScale,
      delayOverride: opts.delayOverride,
    };
  }

  /** Starts an execution and waits for it to end. */
  run(input: Json = {}, opts: RunOptions = {}): Promise<ExecutionResult> {
    return this.start(input, opts).done;
  }

  start(input: Json = {}, opts: RunOptions = {}): RunningExecution {
    const name = opts.name ?? newUuid();
    const arn = this.#executionPrefix + name;
    let resolve!: (r: ExecutionResult) => void;
    const done = new Promise<ExecutionResult>((res) => (resolve = res));
    const driver: ExecutionDriver = new ExecutionDriver(
      this.machine,
      {
        executionArn: arn,
        name,
        stateMachineArn: this.stateMachineArn,
        stateMachineName: this.#name,
        roleArn: this.#roleArn,
        startTime: this.#driverOptions.clock.now(),
        input,
        redriveCount: 0,
      },
      this.#driverOptions,
      undefined,
      { keepHistory: opts.history !== false, onDone: (s) => resolve(new Result(arn, s, driver.events)) },
    );
    driver.start();
    const withTask = (token: string, f: (seq: number) => void): boolean => {
      const seq = driver.taskOfToken(token);
      if (seq === undefined) return false;
      f(seq);
      return true;
    };
    return {
      executionArn: arn,
      done,
      stop: (error, cause) => driver.stop(error, cause),
      sendTaskSuccess: (token, output) => withTask(token, (seq) => driver.send({ k: 'taskSucceeded', seq, output })),
      sendTaskFailure: (token, error, cause) => withTask(token, (seq) => driver.send({ k: 'taskFailed', seq, error, cause })),
      sendTaskHeartbeat: (token) => withTask(token, (seq) => driver.heartbeat(seq)),
    };
  }
}

class Result implements ExecutionResult {
  readonly status: ExecStatus;
  readonly output?: Json;
  readonly error?: string;
  readonly cause?: string;
  constructor(
    readonly executionArn: string,
    s: ExecState,
    readonly events: HistoryEvent[],
  ) {
    this.status = s.status;
    if (s.output !== undefined) this.output = s.output;
    if (s.error !== undefined) this.error = s.error;
    if (s.cause !== undefined) this.cause = s.cause;
  }
  history(): AwsHistoryEvent[] {
    return this.events.map((e) => toAwsEvent(e));
  }
}

function chain(sources: FunctionSource[]): FunctionSource {
  return {
    async resolve(name) {
      for (const s of sources) {
        const f = await s.resolve(name);
        if (f) return f;
      }
      return undefined;
    },
  };
}
