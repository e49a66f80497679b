/**
 * Drives one execution: feeds inputs to the pure step one at a time, hands each step's result and its
 * durable effects (timers and tasks created or finished) to `onStep` (persistence), and only then
 * performs the step's commands: invoke tasks, arm timers, cancel them. Outcomes come back as inputs.
 * @module
 */
import type { Machine } from '../asl/model.js';
import type { ExecState, ExecutionInfo, MapRunReport, Thread, Wait } from '../interpreter/exec-state.js';
import { awaitsCall } from '../interpreter/states/task.js';
import type { HistoryEvent } from '../interpreter/history.js';
import type { EngineInput } from '../interpreter/inputs.js';
import type { StepOptions } from '../interpreter/runner.js';
import { initialState, step, type StepResult } from '../interpreter/step.js';
import type { Json } from '../shared/json.js';
import type { TaskRow, TimerKind, TimerRow } from '../store/store.js';
import type { Clock } from './clock.js';
import { newSeed } from './ids.js';
import { Cancellation, type InvokeTask, type TaskCallbacks, type TaskContext, type TaskInvoker } from './tasks/types.js';
import { ClockTimers, timerInput, type TimerPort } from './timers.js';
import { isUnrecordable, unrecordableStep } from './unrecordable.js';

/** What a delay is for (delayOverride's first argument). */
export type DelayKind = 'wait' | 'retry' | 'executionTimeout' | 'taskTimeout';

/** The due time of a timer that is not running yet (the latest time a Date can hold). */
export const NOT_YET = 8.64e15;

/** Scales a delay (WAIT_TIME_SCALE, overrides). */
export type Scaler = (why: DelayKind, stateName: string | undefined, ms: number) => number;

/** The durable work one step creates or finishes (what a store keeps besides state and history). */
export interface StepEffects {
  timersAdd: Omit<TimerRow, 'executionArn'>[];
  timersRemove: { seq: number; kind?: TimerKind }[];
  tasksAdd: Omit<TaskRow, 'executionArn'>[];
  tasksRemove: number[];
  tasksStarted: { seq: number; workerName?: string }[];
  /** The Map Runs the step started or changed (stored in the same commit). */
  mapRuns: MapRunReport[];
}

export interface DriverOptions {
  clock: Clock;
  invoker: TaskInvoker;
  region: string;
  accountId: string;
  /** Multiplies every delay: Wait states, retry back-off, task and execution timeouts (WAIT_TIME_SCALE). */
  waitTimeScale?: number;
  /** Overrides a delay (e.g. per state in benchmarks); return undefined to keep it. */
  delayOverride?: (why: DelayKind, stateName: string | undefined, delayMs: number) => number | undefined;
  step?: StepOptions;
  /** Keep the history in memory (`driver.events`). */
  keepHistory?: boolean;
  /** Called with the events of every step as it is applied (after `onStep`'s persistence). */
  onEvents?: (events: HistoryEvent[]) => void;
  /** Called with every step's result and effects before its commands run (persistence). */
  onStep?: (r: StepResult, input: EngineInput, effects: StepEffects) => void | Promise<void>;
  /** Timers (default: in memory, on the clock). */
  timers?: (driver: ExecutionDriver) => TimerPort;
  /** Seeds for the steps' randomness (tests); default random. */
  seed?: () => number;
  /** Called once when the execution has ended. */
  onDone?: (s: ExecState) => void;
  /** Called when the driver has nothing in flight and nothing queued (the engine may drop it). */
  onIdle?: (driver: ExecutionDriver) => void;
  /** Called when a step could not be persisted (the driver is dead; the engine drops it). */
  onPersistError?: (driver: ExecutionDriver, e: unknown) => void;
}

const NO_HISTORY: StepOptions = Object.freeze({ recordHistory: false });

/** The history-less variant of a host's step options, made once per host (not per execution). */
const noHistoryVariants = new WeakMap<StepOptions, StepOptions>();
function withoutHistory(step: StepOptions): StepOptions {
  let v = noHistoryVariants.get(step);
  if (!v) noHistoryVariants.set(step, (v = Object.freeze({ ...step, recordHistory: false })));
  return v;
}

/**
 * An invoked task: its callbacks (TaskCallbacks) and what the invoker may read about it (TaskContext),
 * in one object. It is "in flight" while its invocation runs; a task completed later by a token (an
 * activity, a callback) is detached and finished by an input from outside.
 */
class OpenTask implements TaskCallbacks, TaskContext {
  #cancel: Cancellation | undefined;
  #closed = false;
  readonly seq: number;

  constructor(
    private readonly d: ExecutionDriver,
    readonly command: InvokeTask,
  ) {
    this.seq = command.seq;
  }

  /** Made on first use: most local tasks finish before anyone asks. */
  get cancel(): Cancellation {
    if (!this.#cancel) {
      this.#cancel = new Cancellation();
      if (this.#closed) this.#cancel.cancel();
    }
    return this.#cancel;
  }

  /** Cancels the task's work, if anyone is listening. */
  close(): void {
    this.#closed = true;
    this.#cancel?.cancel();
  }

  get executionArn(): string {
    return this.d.state.info.executionArn;
  }
  get stateMachineArn(): string {
    return this.d.state.info.stateMachineArn;
  }
  get idempotencyKey(): string {
    return `${this.d.state.info.executionArn}/${this.command.stateName}/${this.command.seq}/${this.command.attempt}`;
  }
  get region(): string {
    return this.d.opts.region;
  }
  get accountId(): string {
    return this.d.opts.accountId;
  }
  get testCase(): string | undefined {
    return this.d.state.info.testCase;
  }

  started(workerName?: string): void {
    if (this.d.isLive(this)) this.d.send({ k: 'taskStarted', seq: this.seq, workerName });
  }

  heartbeat(): void {
    if (this.d.isLive(this)) this.d.heartbeat(this.seq);
  }

  submitted(output: Json): void {
    if (this.d.isLive(this)) this.d.send({ k: 'taskSubmitted', seq: this.seq, output });
  }

  succeeded(output: Json): void {
    if (!this.d.isLive(this)) return;
    this.d.closeTask(this);
    this.d.send({ k: 'taskSucceeded', seq: this.seq, output });
  }

  failed(error: string | undefined, cause: string | undefined): void {
    if (!this.d.isLive(this)) return;
    this.d.closeTask(this);
    this.d.send({ k: 'taskFailed', seq: this.seq, error, cause });
  }

  detach(): void {
    this.d.detachTask(this);
  }
}

interface Queued {
  input: EngineInput;
  /** Settles `deliver`'s promise: after the step is persisted, or with the persistence error. */
  ack?: (err?: unknown) => void;
  /** The last event id before the step (what the store has recorded). */
  recorded?: number;
}

/** The store refused a step: the driver stops, and its execution is reloaded from the store later. */
export class PersistError extends Error {
  constructor(readonly reason: unknown) {
    super(`The step could not be persisted: ${(reason as Error)?.message ?? String(reason)}`);
  }
}

export class ExecutionDriver {
  readonly state: ExecState;
  readonly events: HistoryEvent[] = [];
  readonly timers: TimerPort;
  #done: Promise<ExecState> | undefined;
  #resolveDone: ((s: ExecState) => void) | undefined;
  #ended = false;
  #queue: Queued[] = [];
  #busy = false;
  /** Tasks whose invocation is running in this process, by sequence number (made on first use). */
  #taskMap: Map<number, OpenTask> | undefined;
  readonly #keepHistory: boolean;
  readonly #stepOptions: StepOptions | undefined;
  readonly #onDone: ((s: ExecState) => void) | undefined;

  get #tasks(): Map<number, OpenTask> {
    return (this.#taskMap ??= new Map());
  }

  constructor(
    readonly machine: Machine,
    info: ExecutionInfo,
    readonly opts: DriverOptions,
    state?: ExecState,
    perRun?: { keepHistory?: boolean; onDone?: (s: ExecState) => void },
  ) {
    this.#keepHistory = perRun?.keepHistory ?? opts.keepHistory ?? false;
    // A run that keeps no history and persists nothing needs no event objects at all.
    this.#stepOptions = !this.#keepHistory && !opts.onStep ? (opts.step ? withoutHistory(opts.step) : NO_HISTORY) : opts.step;
    this.#onDone = perRun?.onDone ?? opts.onDone;
    this.state = state ?? initialState(info);
    this.timers = opts.timers ? opts.timers(this) : new ClockTimers(opts.clock);
    if (this.state.status !== 'RUNNING' && this.state.root) this.#ended = true;
  }

  /** Settles when the execution has ended. */
  get done(): Promise<ExecState> {
    if (!this.#done) {
      this.#done = this.#ended ? Promise.resolve(this.state) : new Promise((res) => (this.#resolveDone = res));
    }
    return this.#done;
  }

  get ended(): boolean {
    return this.#ended;
  }

  /** Nothing queued, no step running, no invocation in flight. */
  get idle(): boolean {
    return !this.#busy && this.#queue.length === 0 && (this.#taskMap?.size ?? 0) === 0;
  }

  #resolve(s: ExecState): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#onDone?.(s);
    this.#resolveDone?.(s);
  }

  start(): void {
    this.send({ k: 'start', info: this.state.info });
  }

  /** Opens a closed execution again for a redrive (the caller then delivers `{ k: 'redrive' }`). */
  reopen(): void {
    if (this.state.status === 'RUNNING' || !this.#ended) return;
    this.#ended = false;
    this.#done = undefined;
    this.#resolveDone = undefined;
  }

  stop(error?: string, cause?: string): void {
    this.send({ k: 'stop', error, cause });
  }

  send(input: EngineInput): void {
    if (this.#dead) return;
    this.#queue.push({ input });
    if (!this.#busy) this.#drain();
  }

  /**
   * Sends an input and resolves once the step it causes is persisted (API calls answer after that);
   * rejects with the store's error (a PersistError) if it could not be.
   */
  deliver(input: EngineInput): Promise<void> {
    if (this.#dead) return Promise.reject(new PersistError(this.#dead));
    return new Promise((resolve, reject) => {
      this.#queue.push({ input, ack: (err) => (err === undefined ? resolve() : reject(err)) });
      if (!this.#busy) this.#drain();
    });
  }

  /** Set when persistence failed: the driver does nothing more. */
  #dead: unknown;

  get dead(): boolean {
    return this.#dead !== undefined;
  }

  /** Re-invokes tasks whose outcome was never recorded (after a restart): at least once. */
  resumeTasks(commands: InvokeTask[]): void {
    for (const c of commands) this.#invoke(c);
  }

  /**
   * The open task (callback or activity) a token belongs to, by sequence number; undefined also when
   * the token was answered already (the answer waits for the task's call to return).
   */
  taskOfToken(token: string): number | undefined {
    // Tokens are opaque: the open tasks are looked through (a handful at a time).
    for (const key of Object.keys(this.state.pending)) {
      const seq = Number(key);
      const w = this.#waitOf(seq);
      if (w?.k === 'task' && w.token === token) return w.answer ? undefined : seq;
    }
    return undefined;
  }

  /** Whether the token of the task `seq` was answered already, the answer waiting for the task's call. */
  answered(seq: number): boolean {
    const w = this.#waitOf(seq);
    return w?.k === 'task' && w.answer !== undefined;
  }

  /** What the thread awaiting `seq` waits on (undefined when nothing awaits it). */
  #waitOf(seq: number): Wait | null | undefined {
    let th = this.state.root;
    const path = this.state.pending[seq];
    if (!th || !path) return undefined;
    for (const i of path) {
      const w: Wait | null = th.wait;
      const child: Thread | null | undefined = w?.k === 'parallel' ? w.children[i] : w?.k === 'map' ? w.children[i] : undefined;
      if (!child) return undefined;
      th = child;
    }
    return th.wait;
  }

  /** Whether the task `seq` has an invocation running in this process. */
  isTaskOpen(seq: number): boolean {
    return this.#taskMap?.has(seq) ?? false;
  }

  isLive(t: OpenTask): boolean {
    return this.#taskMap?.get(t.seq) === t;
  }

  /** Closes an open task (its outcome is in, it timed out, or it was cancelled). */
  closeTask(t: OpenTask): void {
    if (this.#taskMap?.get(t.seq) === t) this.#taskMap.delete(t.seq);
    t.close();
  }

  /** The invocation is over; the task's outcome will come from outside (a token). */
  detachTask(t: OpenTask): void {
    if (this.#taskMap?.get(t.seq) === t) this.#taskMap.delete(t.seq);
    this.#maybeIdle();
  }

  /** A heartbeat of the task `seq`: its heartbeat timer starts again. */
  heartbeat(seq: number): void {
    this.#armHeartbeat(seq, true);
  }

  #armHeartbeat(seq: number, moved: boolean): void {
    const c = this.#heartbeats?.get(seq);
    if (c?.heartbeatSeconds === undefined) return;
    const due = this.opts.clock.now() + this.scaled('taskTimeout', c.stateName, c.heartbeatSeconds * 1000);
    this.timers.set(seq, 'heartbeat', due, () => this.send(timerInput(seq, 'heartbeat')), moved);
  }

  /** Tasks with a heartbeat, by sequence number (for `heartbeat`). */
  #heartbeats: Map<number, InvokeTask> | undefined;

  /** The continuation of a step that ran out of budget, due on the next turn of the event loop. */
  #continuation: { seq: number; handle: NodeJS.Immediate } | undefined;

  #continue(seq: number): void {
    if (this.#continuation?.seq === seq) this.#continuation = undefined;
    this.send({ k: 'timerFired', seq });
  }

  #stopContinuation(): void {
    if (this.#continuation) clearImmediate(this.#continuation.handle);
    this.#continuation = undefined;
  }

  #drain(): void {
    this.#busy = true;
    while (this.#queue.length) {
      const q = this.#queue.shift()!;
      const input = q.input;
      // An outcome from outside (a timer, a token) ends an invocation still running here, except the
      // call of a callback task answered before it returned: the answer waits for it (task.ts).
      if ('seq' in input && input.k !== 'taskStarted' && input.k !== 'taskSubmitted' && input.k !== 'timerFired') {
        const open = this.#taskMap?.get(input.seq);
        if (open && !(isTokenAnswer(input) && awaitsCall(this.#waitOf(input.seq)))) this.closeTask(open);
      }
      const now = this.opts.clock.now();
      const env = { now, seed: this.opts.seed ? this.opts.seed() : newSeed() };
      q.recorded = this.state.lastEventId;
      let res: StepResult | Promise<StepResult>;
      try {
        res = step(this.machine, this.state, input, env, this.#stepOptions);
      } catch (e) {
        this.#crash(e);
        q.ack?.();
        return;
      }
      if (res instanceof Promise) {
        res.then(
          (r) => this.#persistThenApply(r, q, now, true),
          (e) => {
            this.#crash(e);
            q.ack?.();
          },
        );
        return;
      }
      if (!this.#persistThenApply(res, q, now, false)) return;
    }
    this.#busy = false;
    this.#maybeIdle();
  }

  /** Persists and applies one step; false when it continues asynchronously (it drains on afterwards). */
  #persistThenApply(r: StepResult, q: Queued, now: number, resume: boolean): boolean {
    let persisted: void | Promise<void>;
    try {
      persisted = this.opts.onStep?.(r, q.input, stepEffects(r, q.input, now, this.#scaledFn));
    } catch (e) {
      if (isUnrecordable(e)) return this.#unrecordable(e, q, now, resume);
      this.#fail(e, q);
      return false;
    }
    if (persisted instanceof Promise) {
      persisted.then(
        () => {
          this.#apply(r, now);
          q.ack?.();
          this.#drain();
        },
        (e) => {
          if (isUnrecordable(e)) this.#unrecordable(e, q, now, true);
          else this.#fail(e, q);
        },
      );
      return false;
    }
    this.#apply(r, now);
    q.ack?.();
    if (resume) this.#drain();
    return !resume;
  }

  /** The step is too large to store: the execution fails instead (a step of its own, persisted). */
  #unrecordable(e: RangeError, q: Queued, now: number, resume: boolean): boolean {
    for (const t of this.#taskMap?.values() ?? []) t.close();
    this.#taskMap?.clear();
    this.timers.cancelAll();
    this.#stopContinuation();
    const failed = unrecordableStep(this.state, q.recorded ?? this.state.lastEventId, now, e);
    const none: StepEffects = { timersAdd: [], timersRemove: [], tasksAdd: [], tasksRemove: [], tasksStarted: [], mapRuns: [] };
    const retry: Queued = { input: q.input, ack: q.ack, recorded: q.recorded };
    let persisted: void | Promise<void>;
    try {
      persisted = this.opts.onStep?.(failed, q.input, none);
    } catch (e2) {
      this.#fail(e2, retry);
      return false;
    }
    if (persisted instanceof Promise) {
      persisted.then(
        () => {
          this.#apply(failed, now);
          q.ack?.();
          this.#drain();
        },
        (e2) => this.#fail(e2, retry),
      );
      return false;
    }
    this.#apply(failed, now);
    q.ack?.();
    if (resume) this.#drain();
    return !resume;
  }

  /** Persistence failed: nothing of the step happens; the driver stops and tells its owner. */
  #fail(e: unknown, q: Queued): void {
    this.#dead = e ?? new Error('unknown persistence error');
    const err = new PersistError(e);
    q.ack?.(err);
    for (const w of this.#queue) w.ack?.(err);
    this.#queue = [];
    this.#busy = false;
    for (const t of this.#taskMap?.values() ?? []) t.close();
    this.#taskMap?.clear();
    this.timers.cancelAll();
    this.#stopContinuation();
    this.opts.onPersistError?.(this, e);
  }

  #maybeIdle(): void {
    if (this.opts.onIdle && this.idle) this.opts.onIdle(this);
  }

  #crash(e: unknown): void {
    // An engine bug, not an ASL failure: end the execution rather than leave it hanging.
    this.#busy = false;
    this.#queue = [];
    for (const t of this.#taskMap?.values() ?? []) t.close();
    this.#taskMap?.clear();
    this.timers.cancelAll();
    this.#stopContinuation();
    const s = this.state;
    s.status = 'FAILED';
    s.error = 'States.Runtime';
    s.cause = `Internal error: ${(e as Error)?.stack ?? String(e)}`;
    const ev: HistoryEvent = { id: ++s.lastEventId, previousEventId: s.lastEventId - 1, timestamp: this.opts.clock.now(), type: 'ExecutionFailed', details: { error: s.error, cause: s.cause } };
    if (this.#keepHistory) this.events.push(ev);
    this.opts.onEvents?.([ev]);
    const none: StepEffects = { timersAdd: [], timersRemove: [], tasksAdd: [], tasksRemove: [], tasksStarted: [], mapRuns: [] };
    void Promise.resolve(this.opts.onStep?.({ state: s, events: [ev], commands: [] }, { k: 'stop' }, none)).catch(() => undefined);
    this.#resolve(s);
  }

  #scaled(why: DelayKind, stateName: string | undefined, ms: number): number {
    const o = this.opts.delayOverride?.(why, stateName, ms);
    if (o !== undefined) return o;
    return ms * (this.opts.waitTimeScale ?? 1);
  }

  scaled(why: DelayKind, stateName: string | undefined, ms: number): number {
    return this.#scaled(why, stateName, ms);
  }

  readonly #scaledFn: Scaler = (why, stateName, ms) => this.#scaled(why, stateName, ms);

  #apply(r: StepResult, now: number): void {
    if (this.#keepHistory) for (const e of r.events) this.events.push(e);
    if (this.opts.onEvents && r.events.length) this.opts.onEvents(r.events);
    for (const c of r.commands) {
      switch (c.k) {
        case 'invokeTask':
          this.#invoke(c, now);
          break;
        case 'startTimer': {
          const seq = c.seq;
          const delay = this.#scaled(c.why, c.stateName, c.delayMs);
          if (c.continuation) {
            // After what is waiting on the event loop (other requests, other executions). The store
            // has the timer too, for a restart.
            this.#continuation = { seq, handle: setImmediate(() => this.#continue(seq)) };
            break;
          }
          if (delay <= 0) {
            // Due now: no timer round-trip (setTimeout(0) would cost a millisecond).
            this.#queue.push({ input: { k: 'timerFired', seq } });
            break;
          }
          this.timers.set(seq, c.why, now + delay, () => this.send({ k: 'timerFired', seq }));
          break;
        }
        case 'cancel': {
          this.timers.cancel(c.seq);
          if (this.#continuation?.seq === c.seq) this.#stopContinuation();
          this.#heartbeats?.delete(c.seq);
          const t = this.#taskMap?.get(c.seq);
          if (t) this.closeTask(t);
          break;
        }
        case 'complete':
          this.timers.cancelAll();
          this.#stopContinuation();
          this.#resolve(this.state);
          break;
      }
    }
  }

  #invoke(c: InvokeTask, now = this.opts.clock.now()): void {
    const t = new OpenTask(this, c);
    this.#tasks.set(c.seq, t);
    const seq = c.seq;
    if (c.timeoutSeconds !== undefined) {
      this.timers.set(seq, 'taskTimeout', now + this.#scaled('taskTimeout', c.stateName, c.timeoutSeconds * 1000), () => this.send(timerInput(seq, 'taskTimeout')));
    }
    if (c.heartbeatSeconds !== undefined) {
      (this.#heartbeats ??= new Map()).set(seq, c);
      this.#armHeartbeat(seq, false);
    }
    try {
      this.opts.invoker.invoke(c, t, t);
    } catch (e) {
      t.failed('States.Runtime', (e as Error)?.message ?? String(e));
    }
  }
}

/** An outcome sent with a task token (SendTaskSuccess / SendTaskFailure). */
const isTokenAnswer = (input: EngineInput): boolean => (input.k === 'taskSucceeded' || input.k === 'taskFailed') && input.byToken === true;

/** The durable work a step creates or finishes, for the store (delays already scaled). */
export function stepEffects(r: StepResult, input: EngineInput, now: number, scaled: Scaler): StepEffects {
  const e: StepEffects = { timersAdd: [], timersRemove: [], tasksAdd: [], tasksRemove: [], tasksStarted: [], mapRuns: r.mapRuns ?? [] };
  switch (input.k) {
    case 'timerFired':
      e.timersRemove.push({ seq: input.seq });
      break;
    case 'taskStarted':
      e.tasksStarted.push({ seq: input.seq, workerName: input.workerName });
      break;
    case 'taskSubmitted':
      e.tasksStarted.push({ seq: input.seq });
      break;
    case 'taskSucceeded':
    case 'taskFailed':
      // A token answered before its call returned keeps the task open (its call is awaited, and made
      // again after a restart) with its timers.
      if (r.state.pending[input.seq] !== undefined) break;
      e.tasksRemove.push(input.seq);
      e.timersRemove.push({ seq: input.seq });
      break;
    case 'taskTimedOut':
    case 'taskScheduleFailed':
      e.tasksRemove.push(input.seq);
      e.timersRemove.push({ seq: input.seq });
      break;
    default:
      break;
  }
  for (const c of r.commands) {
    switch (c.k) {
      case 'startTimer':
        e.timersAdd.push({ seq: c.seq, kind: c.why, dueAt: now + Math.max(0, scaled(c.why, c.stateName, c.delayMs)) });
        break;
      case 'invokeTask': {
        const row: Omit<TaskRow, 'executionArn'> = { seq: c.seq, command: c, status: 'scheduled', createdAt: now };
        if (c.resource.kind === 'activity') row.activityArn = c.resource.arn;
        if (c.token) row.token = c.token;
        e.tasksAdd.push(row);
        if (c.timeoutSeconds !== undefined) e.timersAdd.push({ seq: c.seq, kind: 'taskTimeout', dueAt: now + scaled('taskTimeout', c.stateName, c.timeoutSeconds * 1000) });
        if (c.heartbeatSeconds !== undefined) {
          // An activity's heartbeats are due once a worker has it (the engine moves the timer then).
          const dueAt = c.resource.kind === 'activity' ? NOT_YET : now + scaled('taskTimeout', c.stateName, c.heartbeatSeconds * 1000);
          e.timersAdd.push({ seq: c.seq, kind: 'heartbeat', dueAt });
        }
        break;
      }
      case 'cancel':
        e.tasksRemove.push(c.seq);
        e.timersRemove.push({ seq: c.seq });
        break;
      case 'complete':
        break;
    }
  }
  return e;
}
