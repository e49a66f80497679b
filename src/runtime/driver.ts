/**
 * Drives one execution: feeds inputs to the pure step one at a time, persists each step through a hook,
 * then performs the step's commands (invoke tasks, arm timers, cancel them) and turns their outcomes
 * into new inputs. Task timeouts and heartbeats are enforced here.
 * @module
 */
import type { Machine } from '../asl/model.js';
import type { ExecState, ExecutionInfo } from '../interpreter/exec-state.js';
import type { HistoryEvent } from '../interpreter/history.js';
import type { EngineInput } from '../interpreter/inputs.js';
import type { StepOptions } from '../interpreter/runner.js';
import { initialState, step, type StepResult } from '../interpreter/step.js';
import type { Clock, TimerHandle } from './clock.js';
import { newSeed } from './ids.js';
import { Cancellation, type InvokeTask, type TaskCallbacks, type TaskContext, type TaskInvoker } from './tasks/types.js';
import type { Json } from '../shared/json.js';

/** What a delay is for (delayOverride's first argument). */
export type DelayKind = 'wait' | 'retry' | 'executionTimeout' | 'taskTimeout';

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
  /** Called with every step's result before its commands run (persistence). */
  onStep?: (r: StepResult) => void | Promise<void>;
  /** Seeds for the steps' randomness (tests); default random. */
  seed?: () => number;
  /** Called once when the execution has ended. */
  onDone?: (s: ExecState) => void;
}

const NO_HISTORY: StepOptions = Object.freeze({ recordHistory: false });

/** An invoked task: its callbacks (TaskCallbacks) and what the invoker may read about it (TaskContext), in one object. */
class OpenTask implements TaskCallbacks, TaskContext {
  #cancel: Cancellation | undefined;
  readonly seq: number;
  timeout: TimerHandle | undefined;
  heartbeatTimer: TimerHandle | undefined;

  constructor(
    private readonly d: ExecutionDriver,
    private readonly c: InvokeTask,
  ) {
    this.seq = c.seq;
  }

  #closed = false;

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
    return `${this.d.state.info.executionArn}/${this.c.stateName}/${this.c.seq}/${this.c.attempt}`;
  }
  get region(): string {
    return this.d.opts.region;
  }
  get accountId(): string {
    return this.d.opts.accountId;
  }

  armHeartbeat(): void {
    const secs = this.c.heartbeatSeconds;
    if (secs === undefined) return;
    this.heartbeatTimer?.cancel();
    this.heartbeatTimer = this.d.opts.clock.setTimer(() => this.timedOut('States.HeartbeatTimeout'), this.d.scaled('taskTimeout', this.c.stateName, secs * 1000));
  }

  timedOut(error: 'States.Timeout' | 'States.HeartbeatTimeout'): void {
    if (!this.d.isLive(this)) return;
    this.d.closeTask(this);
    this.d.send({ k: 'taskTimedOut', seq: this.seq, error });
  }

  started(workerName?: string): void {
    if (this.d.isLive(this)) this.d.send({ k: 'taskStarted', seq: this.seq, workerName });
  }

  heartbeat(): void {
    if (this.d.isLive(this)) this.armHeartbeat();
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
}

export class ExecutionDriver {
  readonly state: ExecState;
  readonly events: HistoryEvent[] = [];
  #done: Promise<ExecState> | undefined;
  #resolveDone: ((s: ExecState) => void) | undefined;
  #ended = false;
  #queue: EngineInput[] = [];
  #busy = false;
  // Open timers and tasks, by sequence number (most executions never need them: made on first use).
  #timerMap: Map<number, TimerHandle> | undefined;
  #taskMap: Map<number, OpenTask> | undefined;
  readonly #keepHistory: boolean;
  readonly #stepOptions: StepOptions | undefined;
  readonly #onDone: ((s: ExecState) => void) | undefined;

  get #timers(): Map<number, TimerHandle> {
    return (this.#timerMap ??= new Map());
  }

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
    this.#stepOptions = !this.#keepHistory && !opts.onStep ? (opts.step ? { ...opts.step, recordHistory: false } : NO_HISTORY) : opts.step;
    this.#onDone = perRun?.onDone ?? opts.onDone;
    this.state = state ?? initialState(info);
    if (this.state.status !== 'RUNNING' && this.state.root) this.#ended = true;
  }

  /** Settles when the execution has ended. */
  get done(): Promise<ExecState> {
    if (!this.#done) {
      this.#done = this.#ended ? Promise.resolve(this.state) : new Promise((res) => (this.#resolveDone = res));
    }
    return this.#done;
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

  stop(error?: string, cause?: string): void {
    this.send({ k: 'stop', error, cause });
  }

  send(input: EngineInput): void {
    this.#queue.push(input);
    if (!this.#busy) this.#drain();
  }

  /** Open task sequence numbers (for activities/callbacks to find their task). */
  isTaskOpen(seq: number): boolean {
    return this.#taskMap?.has(seq) ?? false;
  }

  #drain(): void {
    this.#busy = true;
    while (this.#queue.length) {
      const input = this.#queue.shift()!;
      const env = { now: this.opts.clock.now(), seed: this.opts.seed ? this.opts.seed() : newSeed() };
      let res: StepResult | Promise<StepResult>;
      try {
        res = step(this.machine, this.state, input, env, this.#stepOptions);
      } catch (e) {
        this.#crash(e);
        return;
      }
      if (res instanceof Promise) {
        res.then((r) => this.#applyThenDrain(r), (e) => this.#crash(e));
        return;
      }
      const persisted = this.opts.onStep?.(res);
      if (persisted instanceof Promise) {
        const r = res;
        persisted.then(() => {
          this.#apply(r);
          this.#drain();
        }, (e) => this.#crash(e));
        return;
      }
      this.#apply(res);
    }
    this.#busy = false;
  }

  #applyThenDrain(r: StepResult): void {
    const persisted = this.opts.onStep?.(r);
    if (persisted instanceof Promise) {
      persisted.then(() => {
        this.#apply(r);
        this.#drain();
      }, (e) => this.#crash(e));
      return;
    }
    this.#apply(r);
    this.#drain();
  }

  #crash(e: unknown): void {
    // An engine bug, not an ASL failure: end the execution rather than leave it hanging.
    this.#busy = false;
    this.#queue = [];
    for (const t of this.#taskMap?.values() ?? []) t.close();
    for (const t of this.#timerMap?.values() ?? []) t.cancel();
    const s = this.state;
    s.status = 'FAILED';
    s.error = 'States.Runtime';
    s.cause = `Internal error: ${(e as Error)?.stack ?? String(e)}`;
    const ev: HistoryEvent = { id: ++s.lastEventId, previousEventId: s.lastEventId - 1, timestamp: this.opts.clock.now(), type: 'ExecutionFailed', details: { error: s.error, cause: s.cause } };
    if (this.#keepHistory) this.events.push(ev);
    void this.opts.onStep?.({ state: s, events: [ev], commands: [] });
    this.#resolve(s);
  }

  #scaled(why: DelayKind, stateName: string | undefined, ms: number): number {
    const o = this.opts.delayOverride?.(why, stateName, ms);
    if (o !== undefined) return o;
    return ms * (this.opts.waitTimeScale ?? 1);
  }

  #apply(r: StepResult): void {
    if (this.#keepHistory) for (const e of r.events) this.events.push(e);
    for (const c of r.commands) {
      switch (c.k) {
        case 'invokeTask':
          this.#invoke(c);
          break;
        case 'startTimer': {
          const seq = c.seq;
          const delay = this.#scaled(c.why, c.stateName, c.delayMs);
          if (delay <= 0) {
            // Due now: no timer round-trip (setTimeout(0) would cost a millisecond).
            this.#queue.push({ k: 'timerFired', seq });
            break;
          }
          const h = this.opts.clock.setTimer(() => {
            this.#timers.delete(seq);
            this.send({ k: 'timerFired', seq });
          }, delay);
          this.#timers.set(seq, h);
          break;
        }
        case 'cancel': {
          this.#timerMap?.get(c.seq)?.cancel();
          this.#timerMap?.delete(c.seq);
          const t = this.#taskMap?.get(c.seq);
          if (t) this.closeTask(t);
          break;
        }
        case 'complete':
          this.#resolve(this.state);
          break;
      }
    }
  }

  /** Closes an open task (its outcome is in, it timed out, or it was cancelled). */
  closeTask(t: OpenTask): void {
    if (this.#taskMap?.get(t.seq) === t) this.#taskMap.delete(t.seq);
    t.timeout?.cancel();
    t.heartbeatTimer?.cancel();
    t.close();
  }

  isLive(t: OpenTask): boolean {
    return this.#taskMap?.get(t.seq) === t;
  }

  scaled(why: DelayKind, stateName: string | undefined, ms: number): number {
    return this.#scaled(why, stateName, ms);
  }

  #invoke(c: InvokeTask): void {
    const t = new OpenTask(this, c);
    this.#tasks.set(c.seq, t);
    if (c.timeoutSeconds !== undefined) t.timeout = this.opts.clock.setTimer(() => t.timedOut('States.Timeout'), this.#scaled('taskTimeout', c.stateName, c.timeoutSeconds * 1000));
    if (c.heartbeatSeconds !== undefined) t.armHeartbeat();
    try {
      this.opts.invoker.invoke(c, t, t);
    } catch (e) {
      t.failed('States.Runtime', (e as Error)?.message ?? String(e));
    }
  }
}
