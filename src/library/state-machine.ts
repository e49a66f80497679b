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
import { randomBytes } from 'node:crypto';
import { compileMachine } from '../asl/compile.js';
import type { Machine } from '../asl/model.js';
import type { Json } from '../shared/json.js';
import { toAwsEvent, type AwsHistoryEvent, type HistoryEvent } from '../interpreter/history.js';
import type { ExecState, ExecStatus } from '../interpreter/exec-state.js';
import { systemClock, type Clock } from '../runtime/clock.js';
import { ExecutionDriver, type DriverOptions } from '../runtime/driver.js';
import { newUuid } from '../runtime/ids.js';
import { functionsFromDirectory, functionsFromObject, type FunctionSource, type LocalFunction } from '../runtime/tasks/functions.js';
import { inProcessActivity } from '../runtime/tasks/integrations/activity.js';
import { createTaskRegistry } from '../runtime/tasks/registry.js';
import { loadLocalConfig, parseLocalConfig, type LocalConfig } from '../runtime/tasks/integrations/local-config.js';
import type { InvokeTask, TaskCallbacks, TaskContext, TaskInvoker } from '../runtime/tasks/types.js';
import { mockConfigOf, type MockConfig } from '../runtime/tasks/mocks/config.js';
import { MockInvoker } from '../runtime/tasks/mocks/invoker.js';

export interface StateMachineOptions {
  /** Local functions behind Lambda ARNs, by function name. */
  functions?: Record<string, LocalFunction>;
  /** A folder of handler modules (`NAME.js`, `.mjs`, `.ts`), used when `functions` has no such name. */
  functionsDir?: string;
  /** An AWS Lambda Invoke API for functions not found locally. */
  lambdaEndpoint?: string;
  /** Other service integrations, by `'<service>:<api>'` (e.g. `sqs:sendMessage`), `'aws-sdk:<service>:*'` or `'aws-sdk:*'` (see TaskConfig). */
  services?: Record<string, TaskInvoker>;
  /**
   * What runs locally (HTTP Task connections, ECS task and Batch job definitions): a config file's path,
   * its parsed JSON, or a loaded config. Checked when the StateMachine is made.
   */
  config?: string | LocalConfig | Record<string, unknown>;
  clock?: Clock;
  /** Multiplies Wait durations, retry back-off and timeouts (0 = no waiting). */
  waitTimeScale?: number;
  /** Per-delay override: e.g. `(why, state) => why === 'retry' ? 0 : undefined`. */
  delayOverride?: DriverOptions['delayOverride'];
  /** The state machine's name (default `StateMachine`): the key of its test cases in `mocks`. */
  name?: string;
  /**
   * Step Functions Local's mock configuration (MockConfigFile.json): a file path or the parsed object.
   * A run given a `testCase` answers the states that test case mocks from it.
   */
  mocks?: string | object | MockConfig;
  region?: string;
  accountId?: string;
  roleArn?: string;
}

export interface RunOptions {
  /** Execution name (default: a UUID). */
  name?: string;
  /** Keep the history (default true). */
  history?: boolean;
  /**
   * Called when a task starts waiting for its token: a `.waitForTaskToken` task once its call went
   * through (a local handler has returned), an activity once scheduled (no worker polls in process:
   * answer it with `sendTaskSuccess` / `sendTaskFailure`).
   */
  onWaiting?: (task: WaitingTask) => void;
  /** A test case of the `mocks` option for this state machine (as `stateMachineArn#TestCase` on the server). */
  testCase?: string;
}

/** A task waiting for its token to come back. */
export interface WaitingTask {
  stateName: string;
  token: string;
  kind: 'callback' | 'activity';
  /** The task's resource ARN. */
  resource: string;
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
  /** Whether a task of this execution still waits for this token. */
  isWaiting(token: string): boolean;
}

export class StateMachine {
  readonly machine: Machine;
  readonly stateMachineArn: string;
  readonly #driverOptions: DriverOptions;
  readonly #executionPrefix: string;
  readonly #name: string;
  readonly #roleArn: string;
  /** The `onWaiting` of running executions, by execution ARN. */
  readonly #waitListeners = new Map<string, (task: WaitingTask) => void>();
  readonly #mocks: MockInvoker | undefined;

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
    const tasks = createTaskRegistry({ functions, lambdaEndpoint: opts.lambdaEndpoint, local: configOfOption(opts.config), services: opts.services }, { activity: inProcessActivity });
    this.#mocks = opts.mocks !== undefined ? new MockInvoker(mockConfigOf(opts.mocks), tasks) : undefined;
    const invoker = new WaitWatcher(this.#mocks ?? tasks, (arn) => this.#waitListeners.get(arn));
    this.#driverOptions = {
      clock: opts.clock ?? systemClock,
      invoker,
      region,
      accountId,
      waitTimeScale: opts.waitTimeScale,
      delayOverride: opts.delayOverride,
      // Task tokens are signed with a secret of this StateMachine's (see makeToken).
      step: { tokenKey: randomBytes(32).toString('base64') },
    };
  }

  /** Starts an execution and waits for it to end. */
  run(input: Json = {}, opts: RunOptions = {}): Promise<ExecutionResult> {
    return this.start(input, opts).done;
  }

  start(input: Json = {}, opts: RunOptions = {}): RunningExecution {
    const name = opts.name ?? newUuid();
    const arn = this.#executionPrefix + name;
    if (opts.testCase !== undefined) this.#checkTestCase(opts.testCase);
    let resolve!: (r: ExecutionResult) => void;
    const done = new Promise<ExecutionResult>((res) => (resolve = res));
    if (opts.onWaiting) this.#waitListeners.set(arn, opts.onWaiting);
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
        ...(opts.testCase !== undefined ? { testCase: opts.testCase } : {}),
      },
      this.#driverOptions,
      undefined,
      {
        keepHistory: opts.history !== false,
        onDone: (s) => {
          this.#waitListeners.delete(arn);
          this.#mocks?.forget(arn);
          resolve(new Result(arn, s, driver.events));
        },
      },
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
      sendTaskSuccess: (token, output) => withTask(token, (seq) => driver.send({ k: 'taskSucceeded', seq, output, byToken: true })),
      sendTaskFailure: (token, error, cause) => withTask(token, (seq) => driver.send({ k: 'taskFailed', seq, error, cause, byToken: true })),
      sendTaskHeartbeat: (token) => withTask(token, (seq) => driver.heartbeat(seq)),
      isWaiting: (token) => driver.taskOfToken(token) !== undefined,
    };
  }

  #checkTestCase(testCase: string): void {
    const mocks = this.#mocks?.config;
    if (!mocks) throw new Error(`Test case '${testCase}' given, but the state machine has no mocks option.`);
    const cases = mocks.stateMachines.get(this.#name);
    if (!cases) throw new Error(`The mock configuration ${mocks.source} defines no test cases for the state machine '${this.#name}' (the name option).`);
    if (!cases.has(testCase)) throw new Error(`The mock configuration ${mocks.source} defines no test case '${testCase}' for the state machine '${this.#name}' (it defines: ${[...cases.keys()].join(', ') || 'none'}).`);
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

/** Tells an execution's `onWaiting` when a task with a token is left waiting for it. */
class WaitWatcher implements TaskInvoker {
  constructor(
    private readonly inner: TaskInvoker,
    private readonly listenerOf: (executionArn: string) => ((task: WaitingTask) => void) | undefined,
  ) {}

  invoke(cmd: InvokeTask, ctx: TaskContext, cb: TaskCallbacks): void {
    const listener = cmd.token === undefined ? undefined : this.listenerOf(ctx.executionArn);
    if (!listener) return this.inner.invoke(cmd, ctx, cb);
    const task: WaitingTask = { stateName: cmd.stateName, token: cmd.token!, kind: cmd.resource.kind === 'activity' ? 'activity' : 'callback', resource: cmd.resource.arn };
    let told = false;
    this.inner.invoke(cmd, ctx, {
      started: (w) => cb.started(w),
      heartbeat: () => cb.heartbeat(),
      succeeded: (o) => cb.succeeded(o),
      submitted: (o) => cb.submitted(o),
      failed: (e, c) => cb.failed(e, c),
      detach: () => {
        cb.detach();
        if (told) return;
        told = true;
        // Never from inside start(): the listener may answer through the RunningExecution start returns.
        queueMicrotask(() => listener(task));
      },
    });
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

function configOfOption(c: StateMachineOptions['config']): LocalConfig | undefined {
  if (c === undefined) return undefined;
  if (typeof c === 'string') return loadLocalConfig(c);
  if (c.connections instanceof Map) return c as LocalConfig;
  const cfg = parseLocalConfig(c as Json, 'the config option');
  cfg.file = undefined;
  return cfg;
}
