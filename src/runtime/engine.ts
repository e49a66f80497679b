/**
 * The engine: runs executions (one driver each), persists every step through the store, and routes
 * task tokens (activities, callbacks) to the task waiting on them.
 * @module
 */
import type { Machine } from '../asl/model.js';
import { toJsonText } from '../shared/json.js';
import type { ExecState, ExecutionInfo } from '../interpreter/exec-state.js';
import type { HistoryEvent } from '../interpreter/history.js';
import { initialState, type StepResult } from '../interpreter/step.js';
import type { ExecutionRecord, Store } from '../store/store.js';
import { systemClock, type Clock } from './clock.js';
import { ExecutionDriver } from './driver.js';
import { ActivityHub } from './tasks/activity.js';
import { TaskDispatcher } from './tasks/dispatcher.js';
import type { FunctionSource } from './tasks/functions.js';
import { LambdaInvoker } from './tasks/lambda.js';
import type { InvokeTask, TaskCallbacks, TaskContext, TaskInvoker } from './tasks/types.js';

export interface EngineOptions {
  store: Store;
  clock?: Clock;
  region: string;
  accountId: string;
  functions?: FunctionSource;
  lambdaEndpoint?: string;
  waitTimeScale?: number;
  services?: Record<string, TaskInvoker>;
}

export interface Started {
  driver: ExecutionDriver;
}

export class Engine {
  readonly store: Store;
  readonly clock: Clock;
  readonly activities = new ActivityHub();
  readonly #drivers = new Map<string, ExecutionDriver>();
  readonly #invoker: TaskInvoker;
  /** Known activity ARNs (so a Task can tell at once that its activity does not exist). */
  readonly activityArns = new Set<string>();
  /** Express executions kept in memory only. */
  readonly #express = new Map<string, { rec: ExecutionRecord; driver: ExecutionDriver }>();

  constructor(readonly opts: EngineOptions) {
    this.store = opts.store;
    this.clock = opts.clock ?? systemClock;
    this.#invoker = new TaskDispatcher({
      lambda: new LambdaInvoker({ functions: opts.functions, endpoint: opts.lambdaEndpoint }),
      activity: this.activities,
      services: opts.services,
    });
  }

  async init(): Promise<void> {
    for (const a of await this.store.listActivities()) this.activityArns.add(a.activityArn);
  }

  #driver(machine: Machine, info: ExecutionInfo, persist: boolean, state?: ExecState): ExecutionDriver {
    const arn = info.executionArn;
    return new ExecutionDriver(
      machine,
      info,
      {
        clock: this.clock,
        invoker: this.#invoker,
        region: this.opts.region,
        accountId: this.opts.accountId,
        waitTimeScale: this.opts.waitTimeScale,
        step: { activityExists: (a) => this.activityArns.has(a) },
        keepHistory: !persist,
        onStep: persist ? (r) => this.#commit(arn, r) : undefined,
      },
      state,
    );
  }

  #commit(arn: string, r: StepResult): Promise<void> {
    const s = r.state;
    const record: Partial<ExecutionRecord> = { status: s.status };
    if (s.status !== 'RUNNING') {
      record.stopDate = this.clock.now();
      if (s.output !== undefined) record.output = toJsonText(s.output);
      if (s.error !== undefined) record.error = s.error;
      if (s.cause !== undefined) record.cause = s.cause;
    }
    return this.store.commitStep({ executionArn: arn, state: s, events: r.events, record });
  }

  /** Starts a Standard execution (durable through the store). Resolves once it is recorded. */
  async startStandard(rec: ExecutionRecord, machine: Machine, info: ExecutionInfo): Promise<boolean> {
    const driver = this.#driver(machine, info, true);
    if (!(await this.store.createExecution(rec, { state: initialState(info), events: [] }))) return false;
    this.#drivers.set(rec.executionArn, driver);
    void driver.done.then(() => this.#drivers.delete(rec.executionArn));
    driver.start();
    return true;
  }

  /** Starts an Express execution (in memory); returns its driver. */
  startExpress(rec: ExecutionRecord, machine: Machine, info: ExecutionInfo): ExecutionDriver {
    const driver = this.#driver(machine, info, false);
    this.#express.set(rec.executionArn, { rec, driver });
    void driver.done.then((s) => {
      rec.status = s.status;
      rec.stopDate = this.clock.now();
      if (s.output !== undefined) rec.output = toJsonText(s.output);
      if (s.error !== undefined) rec.error = s.error;
      if (s.cause !== undefined) rec.cause = s.cause;
      // Kept a while for DescribeExecution-like reads; dropped after 5 minutes.
      setTimeout(() => this.#express.delete(rec.executionArn), 5 * 60 * 1000).unref();
    });
    driver.start();
    return driver;
  }

  express(arn: string): { rec: ExecutionRecord; driver: ExecutionDriver } | undefined {
    return this.#express.get(arn);
  }

  running(arn: string): ExecutionDriver | undefined {
    return this.#drivers.get(arn) ?? this.#express.get(arn)?.driver;
  }

  /** Waits for a running execution to end (tests, StartSyncExecution). */
  async wait(arn: string): Promise<void> {
    await this.running(arn)?.done;
  }

  stop(arn: string, error?: string, cause?: string): boolean {
    const d = this.running(arn);
    if (!d) return false;
    d.stop(error, cause);
    return true;
  }

  /** Performs one Task's work outside any execution (TestState without a mock). */
  invokeTask(cmd: InvokeTask, ctx: TaskContext, cb: TaskCallbacks): void {
    this.#invoker.invoke(cmd, ctx, cb);
  }

  /** The open task a token belongs to. */
  taskByToken(token: string): TaskCallbacks | undefined {
    return this.activities.byToken(token);
  }

  /** History of an in-memory (Express) execution. */
  expressHistory(arn: string): HistoryEvent[] | undefined {
    return this.#express.get(arn)?.driver.events;
  }
}
