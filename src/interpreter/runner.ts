/**
 * The machinery of one step: emitting history events, running a thread from state to state until it
 * must wait, delivering task results and timer firings to the thread that waits on them, failures,
 * Retry and Catch, and aborting running threads. State-type behaviour lives in `states/`.
 * @module
 */
import { jsonUpperBound, MAX_JSON_DEPTH, nestedDeeperThan, type Json, type JsonObject } from '../shared/json.js';
import { AslFailure, toFailure } from '../expr/failure.js';
import { JsonataFailure, type JsonataScope } from '../expr/jsonata.js';
import { seededRng, type EvalScope, type Rng, type Vars } from '../expr/scope.js';
import type { Catcher, Machine, MapState, ParallelState, Program, State, TaskState } from '../asl/model.js';
import type { Command } from './commands.js';
import { buildContext, type ContextExtras } from './context.js';
import { applyResultPath, checkedBound, checkVariables, evalAssignJsonata, evalAssignPath, mergeVars, type DataFlowTrace } from './data-flow.js';
import type { ExecState, MapIoWait, MapItem, MapRunReport, MapRunState, MapWait, ParallelWait, Thread } from './exec-state.js';
import { BLOCKED, then, type Flow, type Maybe, type Outcome } from './flow.js';
import { NOT_TRUNCATED, type EventDetails, type HistoryEvent } from './history.js';
import type { EngineInput, StepEnv } from './inputs.js';
import { haltChild } from './halt.js';
import { FATAL_ERRORS, findCatcher, findRetrier, retryDelayMs } from './retry-catch.js';
import { enterChoice } from './states/choice.js';
import { deliverToMapChild, enterMap, redriveMap, resumeMap } from './states/map.js';
import { endRun, report, runOf, touch } from './states/map-run.js';
import { deliverToParallelChild, enterParallel, redriveParallel, resumeParallel } from './states/parallel.js';
import { enterPass } from './states/pass.js';
import { enterTask, resumeTask } from './states/task.js';
import { enterFail, enterSucceed } from './states/terminal.js';
import { enterWait, resumeWait } from './states/wait.js';

/** Errors whose cause AWS prefixes with the state name and the id of its StateEntered event. */
const PREFIXED_ERRORS: ReadonlySet<string> = new Set(['States.Runtime', 'States.QueryEvaluationError']);

/** AWS's quota on history events per execution. */
export const MAX_HISTORY_EVENTS = 25000;

/**
 * The work one step may do: states entered, and bytes of payload through them (a bound). Past either,
 * the threads still running yield (YieldWait) and continue in a later step, so one execution never
 * holds the process for long and one step's record stays small enough to store.
 */
export const STEP_TRANSITIONS = 1000;
export const STEP_PAYLOAD_BYTES = 4 * 1024 * 1024;

/** What the continuation delivers to each thread that yielded (no real sequence number is negative). */
export const CONTINUE: Extract<EngineInput, { k: 'timerFired' }> = Object.freeze({ k: 'timerFired', seq: -1 });

export interface StepOptions {
  /** Whether an activity ARN exists (the runtime knows; default: every activity exists). */
  activityExists?: (arn: string) => boolean;
  maxHistoryEvents?: number;
  /** The longest an execution may run, in seconds (it times out then, as with the machine's TimeoutSeconds). */
  maxExecutionSeconds?: number;
  /** false: number events but build no event objects (a caller that keeps no history). Default true. */
  recordHistory?: boolean;
  /** Observes the JSONPath data flow of the states run (TestState's inspection data). */
  trace?: DataFlowTrace;
  /** States one step may enter before its threads yield (default STEP_TRANSITIONS). */
  maxStepTransitions?: number;
  /** Bytes of payload one step may move before its threads yield (default STEP_PAYLOAD_BYTES). */
  maxStepPayloadBytes?: number;
  /**
   * The runtime's secret task tokens are signed with (random per process): without it a token cannot be
   * made from what can be known of a task (its execution, its sequence number, the step's seed).
   */
  tokenKey?: string;
}

export class Runner {
  readonly events: HistoryEvent[] = [];
  readonly commands: Command[] = [];
  #rng: Rng | undefined;
  /** States entered in this step, and a bound of the bytes of their inputs and outputs. */
  #transitions = 0;
  #payloadBytes = 0;
  /** The Map Runs this step changed, with the wait that holds each (its progress): reported at its end. */
  #runs: Map<MapRunState, MapWait | MapIoWait | null> | undefined;

  constructor(
    readonly m: Machine,
    readonly s: ExecState,
    readonly env: StepEnv,
    readonly opts: StepOptions = {},
  ) {}

  /** The step's random source, made on first use. */
  get rng(): Rng {
    return (this.#rng ??= seededRng(this.env.seed));
  }

  get now(): number {
    return this.env.now;
  }

  /** The last value sized for the budget (the branches of a Parallel state share their input). */
  #sized: { v: Json; n: number } | undefined;

  #boundOf(v: Json): number {
    if (v === null || typeof v !== 'object') return typeof v === 'string' ? v.length * 3 + 2 : 8;
    if (this.#sized?.v !== v) this.#sized = { v, n: jsonUpperBound(v) };
    return this.#sized.n;
  }

  /** Whether this step has done all the work it may: threads about to enter a state yield instead. */
  get exhausted(): boolean {
    return this.#transitions >= (this.opts.maxStepTransitions ?? STEP_TRANSITIONS) || this.#payloadBytes >= (this.opts.maxStepPayloadBytes ?? STEP_PAYLOAD_BYTES);
  }

  /** `th` stops before entering `flow.next`; the execution's continuation resumes it in a later step. */
  yieldThread(th: Thread, flow: { next: string; output: Json; bound?: number }): Outcome {
    th.wait = flow.bound === undefined ? { k: 'yield', next: flow.next, output: flow.output } : { k: 'yield', next: flow.next, output: flow.output, bound: flow.bound };
    (this.s.yielded ??= []).push(th.path);
    this.armContinuation();
    return BLOCKED;
  }

  /** Starts the continuation timer if threads wait for it and it is not running. */
  armContinuation(): void {
    if (this.s.continueSeq != null || !this.s.yielded?.length) return;
    const seq = this.s.nextSeq++;
    this.s.continueSeq = seq;
    this.commands.push({ k: 'startTimer', seq, delayMs: 0, why: 'wait', continuation: true });
  }

  // ---------------------------------------------------------------------------------------------
  // Events, sequence numbers, scopes
  // ---------------------------------------------------------------------------------------------

  /** A Map Run changed in this step (started, progressed, ended, redriven or updated). */
  touchRun(run: MapRunState, w: MapWait | MapIoWait | null): void {
    (this.#runs ??= new Map()).set(run, w);
  }

  /** The reports of the Map Runs this step changed, as they are at its end. */
  mapRunReports(): MapRunReport[] {
    const out: MapRunReport[] = [];
    for (const [run, w] of this.#runs ?? []) {
      const rep = report(run, w);
      if (rep) out.push(rep);
    }
    return out;
  }

  /** Whether event objects are built (callers skip building details when they are not). */
  get recording(): boolean {
    return this.opts.recordHistory !== false;
  }

  emit(th: Thread | null, type: string, details?: EventDetails): number {
    if (this.opts.recordHistory === false) {
      const id = th?.detached !== undefined ? this.#childId(th.detached) : ++this.s.lastEventId;
      if (th) th.prev = id;
      return id;
    }
    if (th?.detached !== undefined) {
      const id = this.#childId(th.detached);
      th.prev = id;
      return id;
    }
    const id = ++this.s.lastEventId;
    const prev = th ? th.prev : this.s.root ? this.s.root.prev : 0;
    this.events.push(details === undefined ? { id, previousEventId: prev, timestamp: this.env.now, type } : { id, previousEventId: prev, timestamp: this.env.now, type, details });
    if (th) th.prev = id;
    return id;
  }

  #childId(key: string): number {
    const ids = (this.s.childEventIds ??= {});
    return (ids[key] = (ids[key] ?? 0) + 1);
  }

  /** A child execution (Distributed Map iteration) has ended: forget its event counter. */
  endChild(th: Thread): void {
    if (th.detached !== undefined && this.s.childEventIds && th.detached === th.path.join('/')) delete this.s.childEventIds[th.detached];
  }

  /** Makes `th`'s next event follow the last event recorded (the join after a Parallel's or Map's children). */
  joinChildren(th: Thread): void {
    if (th.detached === undefined) th.prev = this.s.lastEventId;
  }

  /** A new sequence number, registered as awaited by `th`. */
  newSeq(th: Thread): number {
    const seq = this.s.nextSeq++;
    this.s.pending[seq] = th.path;
    return seq;
  }

  cancel(seq: number): void {
    delete this.s.pending[seq];
    this.commands.push({ k: 'cancel', seq });
  }

  startTimer(th: Thread, delayMs: number, why: 'wait' | 'retry'): Flow {
    const seq = this.newSeq(th);
    th.wait = { k: 'timer', seq, why };
    this.commands.push({ k: 'startTimer', seq, delayMs: Math.max(0, delayMs), why, stateName: th.state });
    return BLOCKED;
  }

  context(th: Thread, extras?: ContextExtras): JsonObject {
    return buildContext(this.s.info, th, extras);
  }

  /** A JSONPath scope over `input`; the context object is built only if an expression reads it. */
  scope(th: Thread, input: Json, extras?: ContextExtras): EvalScope {
    return new StateScope(input, new ContextSource(this, th, extras));
  }

  jscope(th: Thread, input: Json, extras?: ContextExtras & { result?: Json; errorOutput?: Json }): JsonataScope {
    const src = new ContextSource(this, th, extras);
    const sc: JsonataScope = {
      input,
      get context() {
        return src.get();
      },
      vars: th.vars,
      rng: this.rng,
      now: this.env.now,
    };
    if (extras?.result !== undefined) sc.result = extras.result;
    if (extras?.errorOutput !== undefined) sc.errorOutput = extras.errorOutput;
    return sc;
  }

  /** A child thread of `parent` (a Parallel branch or a Map iteration). */
  newThread(path: number[], vars: Vars, item: MapItem | null, prev: number, parent?: Thread, detach = false): Thread {
    const th: Thread = { path, state: '', input: null, enteredId: 0, enteredAt: this.env.now, prev, vars, retries: null, retryCount: 0, item, wait: null };
    if (detach) {
      th.detached = path.join('/');
      (this.s.childEventIds ??= {})[th.detached] = 0;
      th.prev = 0;
    } else if (parent?.detached !== undefined) th.detached = parent.detached;
    return th;
  }

  // ---------------------------------------------------------------------------------------------
  // Running a thread
  // ---------------------------------------------------------------------------------------------

  /** Runs `th` from `flow` until it blocks, ends or fails. */
  runFrom(th: Thread, prog: Program, flow: Maybe<Flow>): Maybe<Outcome> {
    const limit = this.opts.maxHistoryEvents ?? MAX_HISTORY_EVENTS;
    for (;;) {
      if (flow instanceof Promise) return flow.then((f) => this.runFrom(th, prog, f));
      switch (flow.k) {
        case 'blocked':
          return BLOCKED;
        case 'end':
          return { k: 'succeeded', output: flow.output, bound: flow.bound };
        case 'fail':
          return this.threadFailed(th, prog, flow);
        case 'next':
          if (this.s.lastEventId >= limit) {
            return { k: 'failed', error: 'States.Runtime', cause: `The execution reached the maximum number of history events (${limit}).`, fatal: true };
          }
          // A Distributed Map's child execution has a history, and the quota, of its own: reaching it
          // fails that child (an item failure for the Map), not the whole execution.
          if (th.detached !== undefined && (this.s.childEventIds?.[th.detached] ?? 0) >= limit) {
            return { k: 'failed', error: 'States.Runtime', cause: `The execution reached the maximum number of history events (${limit}).`, fatal: false };
          }
          if (this.exhausted) return this.yieldThread(th, flow);
          this.#transitions++;
          // The state's input is written once, into its StateEntered event.
          this.#payloadBytes += flow.bound ?? this.#boundOf(flow.output);
          flow = this.enter(th, prog, flow.next, flow.output, flow.bound);
          break;
      }
    }
  }

  private threadFailed(th: Thread, prog: Program, f: Extract<Flow, { k: 'fail' }>): Outcome {
    // A branch of a Parallel state that fails in a Task state ends that state as aborted.
    if (!f.fatal && th.path.length > 0 && th.item === null) {
      const st = prog.states.get(th.state);
      if (st?.type === 'Task') this.emit(th, 'TaskStateAborted');
    }
    th.halted = true;
    return { k: 'failed', error: f.error, cause: f.cause, fatal: f.fatal };
  }

  enter(th: Thread, prog: Program, name: string, input: Json, inputBound?: number): Maybe<Flow> {
    const st = prog.states.get(name);
    if (!st) return { k: 'fail', error: 'States.Runtime', cause: `State '${name}' does not exist.`, fatal: true };
    th.state = name;
    th.input = input;
    th.inputBound = inputBound;
    th.retries = null;
    th.retryCount = 0;
    th.wait = null;
    th.enteredAt = this.env.now;
    th.enteredId = this.emit(th, `${st.type}StateEntered`, this.recording ? { name, input, inputDetails: NOT_TRUNCATED } : undefined);
    switch (st.type) {
      case 'Pass':
        return enterPass(this, th, st);
      case 'Choice':
        return enterChoice(this, th, st);
      case 'Wait':
        return enterWait(this, th, st);
      case 'Succeed':
        return enterSucceed(this, th, st);
      case 'Fail':
        return enterFail(this, th, st);
      case 'Task':
        return enterTask(this, th, st);
      case 'Parallel':
        return enterParallel(this, th, st, prog);
      case 'Map':
        return enterMap(this, th, st);
      default:
        return assertNever(st);
    }
  }

  /**
   * Emits the StateExited event, applies the assigned variables and moves on. `outputBound` is a bound
   * of the output's size the caller derived from what it knows (the payload check then costs nothing).
   */
  exit(th: Thread, st: State, output: Json, assigned: JsonObject | undefined, next?: string, outputBound?: number): Flow {
    const known = outputBound ?? (output === th.input ? th.inputBound : undefined);
    // Values from outside are at most MAX_JSON_DEPTH deep; states that wrap their input can nest deeper.
    // Nesting costs two bytes a level, so a small bound rules it out without a walk.
    if (output !== th.input && (known === undefined || known > 2 * MAX_JSON_DEPTH) && nestedDeeperThan(output)) throw tooDeep(st.name, 'output');
    const bound = checkedBound(output, st.name, known);
    this.#payloadBytes += bound;
    if (assigned && nestedDeeperThan(assigned, MAX_JSON_DEPTH + 1)) throw tooDeep(st.name, 'assigned variables');
    if (assigned) {
      checkVariables(st.name, th.vars, assigned);
      th.vars = mergeVars(th.vars, assigned);
      th.ownVars = true;
    }
    if (this.recording) {
      const details: EventDetails = { name: st.name, output, outputDetails: NOT_TRUNCATED };
      if (assigned) {
        details.assignedVariables = assigned;
        details.assignedVariablesDetails = NOT_TRUNCATED;
      }
      this.emit(th, `${st.type}StateExited`, details);
    } else this.emit(th, '');
    th.wait = null;
    const target = next ?? st.next;
    if (target === undefined) return { k: 'end', output, bound };
    return { k: 'next', next: target, output, bound };
  }

  /** Turns an exception raised while evaluating a state into a failure (data), with AWS's cause text. */
  stateError(th: Thread, st: State, e: unknown): Extract<Flow, { k: 'fail' }> {
    const f = toFailure(e);
    let cause = f.cause;
    if (PREFIXED_ERRORS.has(f.error)) {
      cause = `An error occurred while executing the state '${st.name}' (entered at the event id #${th.enteredId}). ${cause ?? ''}`;
    }
    if (f.error === 'States.QueryEvaluationError') {
      const d: EventDetails = { error: f.error, cause, state: st.name };
      if (e instanceof JsonataFailure && e.location) d.location = e.location;
      this.emit(th, 'EvaluationFailed', d);
    }
    return { k: 'fail', error: f.error, cause, fatal: FATAL_ERRORS.has(f.error) };
  }

  /**
   * A Task, Parallel or Map state failed: retry it, catch the error, or fail. `retry` starts a new attempt
   * once the back-off timer fires (see `resumeRetry`).
   */
  /** `alias`: another name Retry and Catch match the error by (a heartbeat timeout reported as States.Timeout). */
  handleFailure(th: Thread, st: TaskState | ParallelState | MapState, f: { error: string; cause: string | undefined; fatal?: boolean; alias?: string }): Maybe<Flow> {
    if (f.fatal || FATAL_ERRORS.has(f.error)) return { k: 'fail', error: f.error, cause: f.cause, fatal: true };
    let ri = findRetrier(st.retry, f.error);
    if (ri < 0 && f.alias) ri = findRetrier(st.retry, f.alias);
    if (ri >= 0) {
      const retrier = st.retry[ri]!;
      const counts = (th.retries ??= new Array<number>(st.retry.length).fill(0));
      if (counts[ri]! < retrier.maxAttempts) {
        const delay = retryDelayMs(retrier, counts[ri]!, this.rng);
        counts[ri]!++;
        th.retryCount++;
        return this.startTimer(th, delay, 'retry');
      }
    }
    const c = findCatcher(st.catch, f.error) ?? (f.alias ? findCatcher(st.catch, f.alias) : undefined);
    if (c) return this.caught(th, st, c, f.error, f.cause);
    if (st.type === 'Map') this.emit(th, 'MapStateFailed');
    else if (st.type === 'Parallel') this.emit(th, 'ParallelStateFailed');
    return { k: 'fail', error: f.error, cause: f.cause, fatal: false };
  }

  private caught(th: Thread, st: State, c: Catcher, error: string, cause: string | undefined): Maybe<Flow> {
    // A task failed with neither error nor cause (SendTaskFailure without them): AWS's error output has both as null.
    const errorOutput: JsonObject =
      error === '' && cause === undefined ? { Error: null, Cause: null } : cause === undefined ? { Error: error } : { Error: error, Cause: cause };
    try {
      if (st.ql === 'JSONPath') {
        const output = applyResultPath(c.resultPath, th.input, errorOutput);
        const assigned = evalAssignPath(c.assign, this.scope(th, errorOutput));
        return this.exit(th, st, output, assigned, c.next);
      }
      return (async () => {
        try {
          const js = this.jscope(th, th.input, { errorOutput });
          const output = c.output ? await c.output.evaluate(js) : errorOutput;
          const assigned = await evalAssignJsonata(c.assign, js);
          return this.exit(th, st, output, assigned, c.next);
        } catch (e) {
          return this.stateError(th, st, e);
        }
      })();
    } catch (e) {
      return this.stateError(th, st, e);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Delivering inputs
  // ---------------------------------------------------------------------------------------------

  /** Delivers a task or timer input to the thread at `path` below `th`, then runs what it unblocks. */
  deliver(th: Thread, prog: Program, path: readonly number[], depth: number, input: EngineInput): Maybe<Outcome> {
    if (depth === path.length && input.k === 'timerFired' && input.seq === CONTINUE.seq) {
      // The continuation: the thread enters the state it stopped before (unless it was aborted since).
      if (th.halted || th.wait?.k !== 'yield') return BLOCKED;
      const w = th.wait;
      th.wait = null;
      return this.runFrom(th, prog, { k: 'next', next: w.next, output: w.output, bound: w.bound });
    }
    const st = prog.states.get(th.state);
    if (!st) return BLOCKED;
    if (depth === path.length) {
      let flow: Maybe<Flow>;
      switch (st.type) {
        case 'Task':
          flow = resumeTask(this, th, st, input);
          break;
        case 'Wait':
          flow = resumeWait(this, th, st, input);
          break;
        case 'Parallel':
          flow = resumeParallel(this, th, st, prog, input);
          break;
        case 'Map':
          flow = resumeMap(this, th, st, input);
          break;
        default:
          return BLOCKED;
      }
      return this.runFrom(th, prog, flow);
    }
    let flow: Maybe<Flow | null>;
    if (st.type === 'Parallel') flow = deliverToParallelChild(this, th, st, path, depth, input);
    else if (st.type === 'Map') flow = deliverToMapChild(this, th, st, path, depth, input);
    else return BLOCKED;
    return then(flow, (f) => (f === null ? BLOCKED : this.runFrom(th, prog, f)));
  }

  // ---------------------------------------------------------------------------------------------
  // Aborting
  // ---------------------------------------------------------------------------------------------

  /**
   * Aborts whatever `th` is doing: cancels its task or timer, aborts its children, emits *Aborted events.
   * The thread is left halted; a Parallel or Map keeps its progress (the redrive snapshot).
   */
  abortThread(th: Thread, prog: Program): void {
    if (th.halted) return;
    th.halted = true;
    const w = th.wait;
    if (w?.k === 'yield') {
      // Between two states: nothing to abort. The wait stays for a redrive; the continuation skips it.
      this.#forgetYielded(th.path);
      return;
    }
    const st = prog.states.get(th.state);
    if (!st || !w) return;
    switch (w.k) {
      case 'task':
        this.cancel(w.seq);
        this.emit(th, 'TaskStateAborted');
        th.wait = null;
        break;
      case 'timer':
        this.cancel(w.seq);
        this.emit(th, `${st.type}StateAborted`);
        th.wait = null;
        break;
      case 'parallel':
        this.abortBranches(st as ParallelState, w);
        this.emit(th, 'ParallelStateAborted');
        break;
      case 'map':
        this.abortIterations(st as MapState, w);
        const run = w.distributed ? runOf(w, this.now) : undefined;
        if (run?.status === 'RUNNING') {
          endRun(run, 'ABORTED', this.now);
          touch(this, w);
          this.emit(th, 'MapRunAborted');
        }
        this.emit(th, 'MapStateAborted');
        break;
      case 'mapIo':
        // Reading the items or writing the results: the Map Run is aborted with the state.
        this.cancel(w.seq);
        const ioRun = runOf(w, this.now);
        if (ioRun) {
          endRun(ioRun, 'ABORTED', this.now);
          touch(this, w);
        }
        this.emit(th, 'MapRunAborted');
        this.emit(th, 'MapStateAborted');
        th.wait = null;
        break;
    }
  }

  /** Aborts a Parallel state's running branches; every branch left is kept, halted, for a redrive. */
  abortBranches(st: ParallelState, w: ParallelWait): void {
    w.children.forEach((c, i) => {
      if (!c) return;
      this.abortThread(c, st.branches[i]!);
      haltChild(c);
    });
  }

  /** Aborts a Map state's running iterations (MapIterationAborted for inline ones); they stay, halted, for a redrive. */
  abortIterations(st: MapState, w: MapWait): void {
    for (const key of Object.keys(w.children)) {
      const c = w.children[Number(key)]!;
      if (c.halted) continue;
      if (w.distributed) (w.abortedIdx ??= []).push(Number(key));
      this.abortThread(c, st.processor);
      if (!w.distributed) this.emit(c, 'MapIterationAborted', { name: st.name, index: Number(key) });
      this.endChild(c);
      haltChild(c);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Redrive
  // ---------------------------------------------------------------------------------------------

  /**
   * Redrive: resumes a halted thread in the state it stopped in, as AWS does: no new StateEntered (the
   * state keeps its entered event and time; its next event links to that entry), Retry counters start
   * over, and a Parallel or Map resumes only its children that did not succeed.
   */
  resumeThread(th: Thread, prog: Program): Maybe<Outcome> {
    delete th.halted;
    if (th.wait?.k === 'yield') {
      const w = th.wait;
      th.wait = null;
      return this.runFrom(th, prog, { k: 'next', next: w.next, output: w.output, bound: w.bound });
    }
    const st = prog.states.get(th.state);
    if (!st) return { k: 'failed', error: 'States.Runtime', cause: `State '${th.state}' does not exist.`, fatal: true };
    th.retries = null;
    th.retryCount = 0;
    // A Fail state records nothing of its own: the execution's failure then follows ExecutionRedriven.
    if (st.type !== 'Fail') th.prev = th.enteredId;
    if (st.type !== 'Parallel' && st.type !== 'Map') th.wait = null;
    let flow: Maybe<Flow>;
    switch (st.type) {
      case 'Pass':
        flow = enterPass(this, th, st);
        break;
      case 'Choice':
        flow = enterChoice(this, th, st);
        break;
      case 'Wait':
        flow = enterWait(this, th, st);
        break;
      case 'Succeed':
        flow = enterSucceed(this, th, st);
        break;
      case 'Fail':
        flow = enterFail(this, th, st);
        break;
      case 'Task':
        flow = enterTask(this, th, st);
        break;
      case 'Parallel':
        flow = redriveParallel(this, th, st);
        break;
      case 'Map':
        flow = redriveMap(this, th, st);
        break;
      default:
        return assertNever(st);
    }
    return this.runFrom(th, prog, flow);
  }

  /** Cancels every open task and timer (the execution is over). */
  cancelAll(): void {
    for (const key of Object.keys(this.s.pending)) this.cancel(Number(key));
    if (this.s.timeoutSeq !== null) {
      this.commands.push({ k: 'cancel', seq: this.s.timeoutSeq });
      this.s.timeoutSeq = null;
    }
    if (this.s.continueSeq != null) {
      this.commands.push({ k: 'cancel', seq: this.s.continueSeq });
      this.s.continueSeq = null;
    }
    delete this.s.yielded;
  }

  #forgetYielded(path: readonly number[]): void {
    const list = this.s.yielded;
    if (!list) return;
    const i = list.findIndex((p) => p.length === path.length && p.every((x, k) => x === path[k]));
    if (i >= 0) list.splice(i, 1);
  }
}

/** Builds a thread's context object once, on first read. */
export class ContextSource {
  #ctx: JsonObject | undefined;
  constructor(
    private readonly r: Runner,
    private readonly th: Thread,
    private readonly extras: ContextExtras | undefined,
  ) {}
  get(): JsonObject {
    return (this.#ctx ??= this.r.context(this.th, this.extras));
  }
}

/** An EvalScope whose context object is built lazily; `with(input)` shares it. */
export class StateScope implements EvalScope {
  readonly vars: Vars;
  constructor(
    readonly input: Json,
    private readonly src: ContextSource,
    vars?: Vars,
  ) {
    this.vars = vars ?? src['th'].vars;
  }
  get context(): Json {
    return this.src.get();
  }
  get rng(): Rng {
    return this.src['r'].rng;
  }
}

/** A state made a value nested deeper than AWS parses JSON (MAX_JSON_DEPTH levels). */
function tooDeep(state: string, what: string): AslFailure {
  return new AslFailure('States.Runtime', `The ${what} of the state '${state}' is nested deeper than the maximum of ${MAX_JSON_DEPTH} levels.`);
}

export function assertNever(x: never): never {
  throw new Error(`Unexpected value: ${JSON.stringify(x)}`);
}

export { AslFailure };
