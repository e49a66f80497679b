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
import type { InvokeTask, TaskCallbacks, TaskInvoker } from './tasks/types.js';

export interface DriverOptions {
  clock: Clock;
  invoker: TaskInvoker;
  region: string;
  accountId: string;
  /** Multiplies every delay: Wait states, retry back-off, task and execution timeouts (WAIT_TIME_SCALE). */
  waitTimeScale?: number;
  /** Overrides a delay (e.g. per state in benchmarks); return undefined to keep it. */
  delayOverride?: (why: 'wait' | 'retry' | 'executionTimeout', stateName: string | undefined, delayMs: number) => number | undefined;
  step?: StepOptions;
  /** Keep the history in memory (`driver.events`). */
  keepHistory?: boolean;
  /** Called with every step's result before its commands run (persistence). */
  onStep?: (r: StepResult) => void | Promise<void>;
  /** Seeds for the steps' randomness (tests); default random. */
  seed?: () => number;
}

interface OpenTask {
  abort: AbortController;
  timeout?: TimerHandle;
  heartbeat?: TimerHandle;
  heartbeatSeconds?: number;
}

export class ExecutionDriver {
  readonly state: ExecState;
  readonly events: HistoryEvent[] = [];
  readonly done: Promise<ExecState>;
  #resolve!: (s: ExecState) => void;
  #queue: EngineInput[] = [];
  #busy = false;
  #timers = new Map<number, TimerHandle>();
  #tasks = new Map<number, OpenTask>();

  constructor(
    readonly machine: Machine,
    info: ExecutionInfo,
    readonly opts: DriverOptions,
    state?: ExecState,
  ) {
    this.state = state ?? initialState(info);
    this.done = new Promise((res) => (this.#resolve = res));
    if (this.state.status !== 'RUNNING') this.#resolve(this.state);
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
    return this.#tasks.has(seq);
  }

  #drain(): void {
    this.#busy = true;
    while (this.#queue.length) {
      const input = this.#queue.shift()!;
      const env = { now: this.opts.clock.now(), seed: this.opts.seed ? this.opts.seed() : newSeed() };
      let res: StepResult | Promise<StepResult>;
      try {
        res = step(this.machine, this.state, input, env, this.opts.step);
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
    for (const t of this.#tasks.values()) t.abort.abort();
    for (const t of this.#timers.values()) t.cancel();
    const s = this.state;
    s.status = 'FAILED';
    s.error = 'States.Runtime';
    s.cause = `Internal error: ${(e as Error)?.stack ?? String(e)}`;
    const ev: HistoryEvent = { id: ++s.lastEventId, previousEventId: s.lastEventId - 1, timestamp: this.opts.clock.now(), type: 'ExecutionFailed', details: { error: s.error, cause: s.cause } };
    if (this.opts.keepHistory) this.events.push(ev);
    void this.opts.onStep?.({ state: s, events: [ev], commands: [] });
    this.#resolve(s);
  }

  #scaled(why: 'wait' | 'retry' | 'executionTimeout', stateName: string | undefined, ms: number): number {
    const o = this.opts.delayOverride?.(why, stateName, ms);
    if (o !== undefined) return o;
    return ms * (this.opts.waitTimeScale ?? 1);
  }

  #apply(r: StepResult): void {
    if (this.opts.keepHistory) for (const e of r.events) this.events.push(e);
    for (const c of r.commands) {
      switch (c.k) {
        case 'invokeTask':
          this.#invoke(c);
          break;
        case 'startTimer': {
          const seq = c.seq;
          const h = this.opts.clock.setTimer(() => {
            this.#timers.delete(seq);
            this.send({ k: 'timerFired', seq });
          }, this.#scaled(c.why, c.stateName, c.delayMs));
          this.#timers.set(seq, h);
          break;
        }
        case 'cancel': {
          this.#timers.get(c.seq)?.cancel();
          this.#timers.delete(c.seq);
          const t = this.#tasks.get(c.seq);
          if (t) this.#closeTask(c.seq, t);
          break;
        }
        case 'complete':
          this.#resolve(this.state);
          break;
      }
    }
  }

  #closeTask(seq: number, t: OpenTask): void {
    this.#tasks.delete(seq);
    t.timeout?.cancel();
    t.heartbeat?.cancel();
    t.abort.abort();
  }

  #invoke(c: InvokeTask): void {
    const seq = c.seq;
    const t: OpenTask = { abort: new AbortController() };
    this.#tasks.set(seq, t);
    const clock = this.opts.clock;
    const timedOut = (error: 'States.Timeout' | 'States.HeartbeatTimeout') => {
      if (this.#tasks.get(seq) !== t) return;
      this.#closeTask(seq, t);
      this.send({ k: 'taskTimedOut', seq, error });
    };
    if (c.timeoutSeconds !== undefined) t.timeout = clock.setTimer(() => timedOut('States.Timeout'), this.#scaled('executionTimeout', c.stateName, c.timeoutSeconds * 1000));
    if (c.heartbeatSeconds !== undefined) {
      t.heartbeatSeconds = c.heartbeatSeconds;
      t.heartbeat = clock.setTimer(() => timedOut('States.HeartbeatTimeout'), this.#scaled('executionTimeout', c.stateName, c.heartbeatSeconds * 1000));
    }
    const live = () => this.#tasks.get(seq) === t;
    const cb: TaskCallbacks = {
      started: (workerName) => {
        if (live()) this.send({ k: 'taskStarted', seq, workerName });
      },
      heartbeat: () => {
        if (!live() || t.heartbeatSeconds === undefined) return;
        t.heartbeat?.cancel();
        t.heartbeat = clock.setTimer(() => timedOut('States.HeartbeatTimeout'), this.#scaled('executionTimeout', c.stateName, t.heartbeatSeconds * 1000));
      },
      succeeded: (output) => {
        if (!live()) return;
        this.#closeTask(seq, t);
        this.send({ k: 'taskSucceeded', seq, output });
      },
      failed: (error, cause) => {
        if (!live()) return;
        this.#closeTask(seq, t);
        this.send({ k: 'taskFailed', seq, error, cause });
      },
    };
    const info = this.state.info;
    try {
      this.opts.invoker.invoke(c, {
        executionArn: info.executionArn,
        stateMachineArn: info.stateMachineArn,
        idempotencyKey: `${info.executionArn}/${c.stateName}/${seq}/${c.attempt}`,
        region: this.opts.region,
        accountId: this.opts.accountId,
        signal: t.abort.signal,
      }, cb);
    } catch (e) {
      cb.failed('States.Runtime', (e as Error)?.message ?? String(e));
    }
  }
}
