/**
 * The engine behind the server. Standard executions are durable: every step is committed to the store
 * (state, history, timers, open tasks) before its commands run, a driver is kept in memory only while
 * the execution has work in flight, and anything that arrives later (a due timer, a task token, a
 * worker, a stop) reloads it from the store. On start, the engine resumes what a previous process left:
 * due timers fire, and tasks whose outcome was never recorded are invoked again (at least once).
 * Express executions run in memory, as on AWS (at-least-once, five minutes at most); the most recently
 * ended ones are kept within `limits.expressKeep` / `limits.expressKeepBytes` (see express.ts).
 * @module
 */
import { randomBytes } from 'node:crypto';
import type { Machine } from '../asl/model.js';
import type { ExecState, ExecutionInfo } from '../interpreter/exec-state.js';
import type { HistoryEvent } from '../interpreter/history.js';
import type { EngineInput } from '../interpreter/inputs.js';
import { redriveBlocker } from '../interpreter/redrive.js';
import { initialState, type StepResult } from '../interpreter/step.js';
import { toJsonText } from '../shared/json.js';
import type { ExecutionRecord, Store, TimerRow } from '../store/store.js';
import { systemClock, type Clock } from './clock.js';
import { ExecutionDriver, PersistError, type StepEffects } from './driver.js';
import { ExpressExecutions, expressFootprint, type ExpressEntry } from './express.js';
import { nestedExecutions, type ExecutionLauncher } from './executions.js';
import { Activities } from './activities.js';
import { ExecutionEventListeners } from './event-listeners.js';
import { ExecutionEnds } from './execution-ends.js';
import { MachineCache } from './machine-cache.js';
import { TaskTokens } from './task-tokens.js';
import { MapRuns } from './map-runs.js';
import { createTaskRegistry, type TaskConfig } from './tasks/registry.js';
import type { InvokeTask, TaskCallbacks, TaskContext, TaskInvoker } from './tasks/types.js';
import type { MockConfig } from './tasks/mocks/config.js';
import { MockInvoker } from './tasks/mocks/invoker.js';
import { StoreTimers, TimerLoop } from './timer-loop.js';
import { timerInput } from './timers.js';

/** AWS's quotas, configurable. */
export interface EngineLimits {
  /** Longest a Standard execution runs (AWS: one year). */
  standardMaxSeconds: number;
  /** Longest an Express execution runs (AWS: five minutes). */
  expressMaxSeconds: number;
  /** Closed executions are deleted this long after they close (AWS: 90 days). */
  retentionDays: number;
  /** History events per execution (AWS: 25,000). */
  maxHistoryEvents: number;
  /** GetActivityTask's long poll (AWS: 60 s). */
  activityPollMs: number;
  /** Idle Standard drivers kept in memory (the rest are reloaded from the store when needed). */
  idleDrivers: number;
  /** Ended Express executions kept in memory (the most recent; older ones are evicted). */
  expressKeep: number;
  /** Estimated size in bytes of the ended Express executions kept (the newest one is kept whatever its size). */
  expressKeepBytes: number;
  /** Express executions running at once, at most (a start beyond throws ExpressAtCapacity). */
  expressMaxRunning: number;
}

/** An ended Express execution stays in memory this long at most (within the limits above). */
export const EXPRESS_KEEP_MS = 5 * 60 * 1000;

export const DEFAULT_LIMITS: EngineLimits = {
  standardMaxSeconds: 365 * 24 * 3600,
  expressMaxSeconds: 300,
  retentionDays: 90,
  maxHistoryEvents: 25000,
  activityPollMs: 60000,
  idleDrivers: 1000,
  expressKeep: 10000,
  expressKeepBytes: 100 * 1024 * 1024,
  expressMaxRunning: 100000,
};

export interface EngineOptions {
  store: Store;
  clock?: Clock;
  region: string;
  accountId: string;
  waitTimeScale?: number;
  /** What Tasks can call (local Lambda handlers, a Lambda endpoint, more integrations): see tasks/registry.ts. */
  tasks?: TaskConfig;
  /** StartExecution, for Tasks that start other executions (`states:startExecution`); the server gives the API's. */
  launcher?: ExecutionLauncher;
  limits?: Partial<EngineLimits>;
  /** Step Functions Local's mock configuration: executions started on `ARN#TestCase` answer from it. */
  mocks?: MockConfig;
  /** Where the engine reports its own failures (a store error, a timer that could not be delivered). */
  log?: (message: string) => void;
}

export type { ActivityTask } from './activities.js';

/** createExecution said the ARN exists. */
class DuplicateExecution extends Error {}

export class Engine {
  readonly store: Store;
  readonly clock: Clock;
  readonly limits: EngineLimits;
  /** Known activities, their Tasks' queue, GetActivityTask. */
  readonly activities: Activities;
  /** Map Runs of Distributed Maps: DescribeMapRun, ListMapRuns, UpdateMapRun. */
  readonly mapRuns: MapRuns;
  /** Task tokens from outside: SendTaskSuccess / Failure / Heartbeat, TaskSubmitted. */
  readonly tokens: TaskTokens;
  /** Listeners to the events each execution records (the console's live history). */
  readonly listeners: ExecutionEventListeners;
  /** Each definition compiled once. */
  readonly machines = new MachineCache();
  readonly #invoker: TaskInvoker;
  readonly #mocks: MockInvoker | undefined;
  readonly #timers: TimerLoop;
  /** Standard executions with a driver in memory. */
  readonly #drivers = new Map<string, ExecutionDriver>();
  /** Idle drivers, oldest first (dropped beyond `limits.idleDrivers`). */
  readonly #idle = new Set<string>();
  readonly #loading = new Map<string, Promise<ExecutionDriver | undefined>>();
  /** Waits for executions to end. */
  readonly #ends: ExecutionEnds;
  /** Express executions, in memory only: running ones, and the most recently ended within the limits. */
  readonly #express: ExpressExecutions;
  /** Client tokens of redrives in progress (written with the redrive's step). */
  readonly #redriveTokens = new Map<string, Record<string, number>>();
  #purgeTimer: NodeJS.Timeout | undefined;
  /** The secret task tokens are signed with (tokens already handed out stay valid: they are looked up). */
  readonly #tokenKey = randomBytes(32).toString('base64');
  #closed = false;

  constructor(readonly opts: EngineOptions) {
    this.store = opts.store;
    this.clock = opts.clock ?? systemClock;
    this.limits = { ...DEFAULT_LIMITS, ...opts.limits };
    this.#express = new ExpressExecutions({ keep: this.limits.expressKeep, keepBytes: this.limits.expressKeepBytes, keepMs: EXPRESS_KEEP_MS, maxRunning: this.limits.expressMaxRunning }, () => this.clock.now());
    this.activities = new Activities(
      {
        store: this.store,
        clock: this.clock,
        deliver: (arn, input) => this.deliver(arn, input),
        restartHeartbeat: (arn, seq, seconds) => this.tokens.restartHeartbeat(arn, seq, seconds),
        closed: () => this.#closed,
      },
      this.limits.activityPollMs,
    );
    this.mapRuns = new MapRuns({ store: this.store, deliver: (arn, input) => this.deliver(arn, input) });
    const tasks = createTaskRegistry(opts.tasks ?? {}, { activity: this.activities.queue, executions: opts.launcher && nestedExecutions(this, opts.launcher) });
    // Step Functions Local's mocks answer in front of every integration.
    this.#mocks = opts.mocks ? new MockInvoker(opts.mocks, tasks, { history: (arn) => this.#history(arn) }) : undefined;
    this.#invoker = this.#mocks ?? tasks;
    this.listeners = new ExecutionEventListeners((what, e) => this.#log(what, e));
    this.#ends = new ExecutionEnds({ store: this.store, express: (arn) => this.#express.get(arn), closed: () => this.#closed });
    this.#timers = new TimerLoop({
      store: this.store,
      clock: this.clock,
      fire: (t) => this.#fireTimer(t),
      prepare: (t) => void this.#driver(t.executionArn).catch((e) => this.#log('loading an execution', e)),
      onError: (e) => this.#log('timer', e),
    });
    this.tokens = new TaskTokens({
      store: this.store,
      clock: this.clock,
      timers: this.#timers,
      waitTimeScale: opts.waitTimeScale,
      deliver: (arn, input) => this.deliver(arn, input),
      answered: async (arn, seq) => (await this.#driver(arn))?.answered(seq) ?? false,
    });
  }

  /** The mock configuration executions started on `ARN#TestCase` answer from, if the engine has one. */
  get mocks(): MockConfig | undefined {
    return this.#mocks?.config;
  }

  /** An execution's whole history (Express: in memory; Standard: from the store). */
  async #history(arn: string): Promise<readonly HistoryEvent[] | undefined> {
    const ex = this.#express.get(arn);
    if (ex) return ex.events;
    const out: HistoryEvent[] = [];
    for (;;) {
      const page = await this.store.getHistory(arn, { afterId: out.at(-1)?.id ?? 0, limit: 1000 });
      out.push(...page);
      if (page.length < 1000) return out;
    }
  }

  #log(what: string, e: unknown): void {
    const msg = `stepwise engine: ${what}: ${(e as Error)?.stack ?? String(e)}`;
    if (this.opts.log) this.opts.log(msg);
    else console.error(msg);
  }

  /**
   * Picks up where a previous process left off: invokes again the tasks whose outcome was never
   * recorded, arms the timer loop, and starts the retention purge.
   */
  async init(): Promise<void> {
    await this.activities.load();
    const byExecution = new Map<string, InvokeTask[]>();
    for (const t of await this.store.invocableTasks()) {
      // A callback whose call went through (TaskSubmitted) waits for its token: nothing to call again.
      const r = t.command.resource;
      if (t.status === 'started' && r.kind === 'service' && r.pattern === 'callback') continue;
      let list = byExecution.get(t.executionArn);
      if (!list) byExecution.set(t.executionArn, (list = []));
      list.push(t.command);
    }
    for (const [arn, commands] of byExecution) {
      const d = await this.#driver(arn);
      d?.resumeTasks(commands);
    }
    this.#timers.arm(await this.store.nextTimerDue());
    const purge = () => {
      const before = this.clock.now() - this.limits.retentionDays * 24 * 3600 * 1000;
      this.store.purgeClosedExecutions(before).catch((e) => this.#log('retention purge', e));
    };
    purge();
    this.#purgeTimer = setInterval(purge, 3600 * 1000);
    this.#purgeTimer.unref();
  }

  /** Whether `close` was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Stops timers and the purge; in-flight steps finish; the store stays open (its owner closes it). */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#purgeTimer) clearInterval(this.#purgeTimer);
    await this.#timers.stop();
  }

  // ---- Standard executions --------------------------------------------------------------------

  #standardDriver(machine: Machine, info: ExecutionInfo, state: ExecState, create?: ExecutionRecord): ExecutionDriver {
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
        step: { activityExists: (a) => this.activities.exists(a), maxExecutionSeconds: this.limits.standardMaxSeconds, maxHistoryEvents: this.limits.maxHistoryEvents, tokenKey: this.#tokenKey },
        onStep: (r, input, effects) => (input.k === 'start' && create ? this.#create(create, r, effects) : this.#commit(arn, r, input, effects)),
        timers: () => new StoreTimers(this.store, this.#timers, arn, (e) => this.#log('heartbeat', e)),
        onIdle: (d) => this.#onIdle(d),
        onDone: () => this.#onEnded(arn),
        onPersistError: (d, e) => {
          if (!(e instanceof DuplicateExecution)) this.#log(`persisting a step of ${arn}`, e);
          this.#drop(arn, d);
        },
      },
      state,
    );
  }

  #recordOf(s: ExecState): Partial<ExecutionRecord> {
    const record: Partial<ExecutionRecord> = { status: s.status };
    if (s.status !== 'RUNNING') {
      record.stopDate = this.clock.now();
      if (s.output !== undefined) record.output = toJsonText(s.output);
      if (s.error !== undefined) record.error = s.error;
      if (s.cause !== undefined) record.cause = s.cause;
    }
    return record;
  }

  #commit(arn: string, r: StepResult, input: EngineInput, e: StepEffects): Promise<void> {
    let record = this.#recordOf(r.state);
    if (input.k === 'redrive') {
      // The record opens again: the last run's end goes, the redrive is counted.
      const s = r.state;
      const tokens = this.#redriveTokens.get(arn);
      this.#redriveTokens.delete(arn);
      const opened: Partial<ExecutionRecord> = { stopDate: undefined, output: undefined, error: undefined, cause: undefined, redriveCount: s.info.redriveCount };
      if (s.info.redriveTime !== undefined) opened.redriveDate = s.info.redriveTime;
      if (tokens) opened.redriveTokens = tokens;
      record = { ...opened, ...record };
    }
    const committed = this.store.commitStep({ executionArn: arn, state: r.state, events: r.events, record, ...e });
    return this.listeners.has(arn) ? committed.then(() => this.listeners.emit(arn, r.events)) : committed;
  }

  async #create(rec: ExecutionRecord, r: StepResult, e: StepEffects): Promise<void> {
    const ok = await this.store.createExecution({ ...rec, ...this.#recordOf(r.state) }, { state: r.state, events: r.events, ...e });
    if (!ok) throw new DuplicateExecution();
    this.listeners.emit(rec.executionArn, r.events);
  }

  #onIdle(d: ExecutionDriver): void {
    const arn = d.state.info.executionArn;
    if (this.#drivers.get(arn) !== d) return;
    if (d.ended) {
      this.#drop(arn, d);
      return;
    }
    this.#idle.delete(arn);
    this.#idle.add(arn);
    while (this.#idle.size > this.limits.idleDrivers) {
      const oldest = this.#idle.values().next().value as string;
      const od = this.#drivers.get(oldest);
      if (od && od.idle) this.#drop(oldest, od);
      else this.#idle.delete(oldest);
    }
  }

  #drop(arn: string, d: ExecutionDriver): void {
    if (this.#drivers.get(arn) === d) this.#drivers.delete(arn);
    this.#idle.delete(arn);
  }

  #onEnded(arn: string): void {
    this.#mocks?.forget(arn);
    this.#ends.ended(arn);
  }

  /** The execution's driver: in memory, or loaded from the store; undefined when it is not running. */
  async #driver(arn: string): Promise<ExecutionDriver | undefined> {
    const d = this.#drivers.get(arn);
    if (d) return d;
    let p = this.#loading.get(arn);
    if (!p) {
      p = this.#load(arn).finally(() => this.#loading.delete(arn));
      this.#loading.set(arn, p);
    }
    return p;
  }

  async #load(arn: string): Promise<ExecutionDriver | undefined> {
    const rec = await this.store.getExecution(arn);
    if (!rec || rec.status !== 'RUNNING' || rec.type !== 'STANDARD') return undefined;
    const state = await this.store.getExecutionState(arn);
    if (!state || state.status !== 'RUNNING') return undefined;
    const existing = this.#drivers.get(arn);
    if (existing) return existing;
    const d = this.#standardDriver(this.machines.get(rec.definition), state.info, state);
    this.#drivers.set(arn, d);
    return d;
  }

  /**
   * Feeds an input to a Standard execution and resolves once the step it causes is persisted: true, or
   * false when the execution is not running (closed, unknown, or an Express one).
   */
  async deliver(arn: string, input: EngineInput): Promise<boolean> {
    for (;;) {
      const d = this.#drivers.get(arn) ?? (await this.#driver(arn));
      if (!d) return false;
      // Checked in the same turn as the delivery: a driver dropped meanwhile is reloaded.
      if (this.#drivers.get(arn) !== d || d.dead) continue;
      if (d.ended) return false;
      this.#idle.delete(arn);
      await d.deliver(input);
      return true;
    }
  }

  async #fireTimer(t: TimerRow): Promise<void> {
    await this.deliver(t.executionArn, timerInput(t.seq, t.kind));
  }

  /** Starts a Standard execution; resolves once its first step is recorded (false: the ARN exists). */
  async startStandard(rec: ExecutionRecord, machine: Machine, info: ExecutionInfo): Promise<boolean> {
    const arn = rec.executionArn;
    if (this.#drivers.has(arn) || this.#loading.has(arn)) return false;
    const d = this.#standardDriver(machine, info, initialState(info), rec);
    this.#drivers.set(arn, d);
    try {
      await d.deliver({ k: 'start', info });
    } catch (e) {
      this.#drop(arn, d);
      if (e instanceof PersistError && e.reason instanceof DuplicateExecution) return false;
      throw e;
    }
    return true;
  }

  /**
   * RedriveExecution: continues a FAILED, TIMED_OUT or ABORTED execution from the states that did not
   * succeed. A client token that redrove the execution before answers with that redrive's date again.
   */
  async redrive(arn: string, clientToken?: string): Promise<{ k: 'redriven'; redriveDate: number } | { k: 'missing' } | { k: 'refused'; reason: string }> {
    const rec = await this.store.getExecution(arn);
    if (!rec || rec.type !== 'STANDARD') return { k: 'missing' };
    const earlier = clientToken !== undefined ? rec.redriveTokens?.[clientToken] : undefined;
    if (earlier !== undefined) return { k: 'redriven', redriveDate: earlier };
    const reason = await this.redriveBlocker(rec);
    if (reason !== undefined) return { k: 'refused', reason };
    const state = await this.store.getExecutionState(arn);
    if (!state) return { k: 'missing' };
    const old = this.#drivers.get(arn);
    if (old) {
      if (!old.ended) return { k: 'refused', reason: 'Execution is RUNNING and cannot be redriven' };
      this.#drop(arn, old);
    }
    if (this.#loading.has(arn)) return { k: 'refused', reason: 'Execution is RUNNING and cannot be redriven' };
    const now = this.clock.now();
    const d = this.#standardDriver(this.machines.get(rec.definition), state.info, state);
    d.reopen();
    this.#drivers.set(arn, d);
    if (clientToken !== undefined) this.#redriveTokens.set(arn, { ...rec.redriveTokens, [clientToken]: now });
    try {
      await d.deliver({ k: 'redrive', time: now });
    } finally {
      this.#redriveTokens.delete(arn);
    }
    return { k: 'redriven', redriveDate: now };
  }

  /** Why a closed Standard execution cannot be redriven (AWS's redriveStatusReason), or undefined. */
  async redriveBlocker(rec: ExecutionRecord): Promise<string | undefined> {
    if (rec.status === 'RUNNING' || rec.status === 'SUCCEEDED') return `Execution is ${rec.status} and cannot be redriven`;
    const state = await this.store.getExecutionState(rec.executionArn);
    if (!state) return `Execution is ${rec.status} and cannot be redriven`;
    const sm = await this.store.getStateMachine(rec.stateMachineArn);
    return redriveBlocker(state, { now: this.clock.now(), stateMachineDeleting: !sm || sm.status === 'DELETING', maxHistoryEvents: this.limits.maxHistoryEvents });
  }

  /** Stops a running execution (StopExecution); resolves once ExecutionAborted is recorded. */
  stop(arn: string, error?: string, cause?: string): Promise<boolean> {
    return this.deliver(arn, { k: 'stop', error, cause });
  }

  /** Resolves when a Standard execution is no longer running (tests). */
  wait(arn: string): Promise<void> {
    return this.#ends.wait(arn);
  }

  /** The record of an execution once it is no longer running (see execution-ends.ts). */
  whenEnded(arn: string, signal?: AbortSignal): Promise<ExecutionRecord | undefined> {
    return this.#ends.whenEnded(arn, signal);
  }

  // ---- Express executions ---------------------------------------------------------------------

  /** Starts an Express execution (in memory); returns its driver. Throws ExpressAtCapacity when `limits.expressMaxRunning` run. */
  startExpress(rec: ExecutionRecord, machine: Machine, info: ExecutionInfo): ExecutionDriver {
    this.#express.checkRoom();
    const driver = new ExecutionDriver(machine, info, {
      clock: this.clock,
      invoker: this.#invoker,
      region: this.opts.region,
      accountId: this.opts.accountId,
      waitTimeScale: this.opts.waitTimeScale,
      step: { activityExists: (a) => this.activities.exists(a), maxExecutionSeconds: this.limits.expressMaxSeconds, maxHistoryEvents: this.limits.maxHistoryEvents, tokenKey: this.#tokenKey },
      keepHistory: true,
      onEvents: (events) => this.listeners.emit(rec.executionArn, events),
    });
    this.#express.start(rec.executionArn, { rec, events: driver.events, driver });
    void driver.done.then((s) => {
      rec.status = s.status;
      rec.stopDate = this.clock.now();
      if (s.output !== undefined) rec.output = toJsonText(s.output);
      if (s.error !== undefined) rec.error = s.error;
      if (s.cause !== undefined) rec.cause = s.cause;
      this.#mocks?.forget(rec.executionArn);
      // Kept for DescribeExecution, GetExecutionHistory and the console, within the limits.
      this.#express.end(rec.executionArn, expressFootprint(rec, driver.events));
    });
    driver.start();
    return driver;
  }

  /** An Express execution kept in memory (running, or among the most recently ended); undefined otherwise. */
  express(arn: string): ExpressEntry | undefined {
    return this.#express.get(arn);
  }

  /** The Express executions kept in memory (running, or among the most recently ended). */
  expressExecutions(): ExecutionRecord[] {
    return this.#express.records();
  }

  /** History of an Express execution kept in memory. */
  expressHistory(arn: string): readonly HistoryEvent[] | undefined {
    return this.#express.get(arn)?.events;
  }

  /** How many Express executions are in memory, and the estimated size of the ended ones. */
  expressStats(): { running: number; ended: number; endedBytes: number } {
    return { running: this.#express.runningCount, ended: this.#express.endedCount, endedBytes: this.#express.endedBytes };
  }

  /** Performs one Task's work outside any execution (TestState without a mock). */
  invokeTask(cmd: InvokeTask, ctx: TaskContext, cb: TaskCallbacks): void {
    this.#invoker.invoke(cmd, ctx, cb);
  }
}
