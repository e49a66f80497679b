/**
 * The interpreter's entry point: a pure step
 *   (compiled machine, execution state, input, env) → (new state, history events, commands).
 * It never reads the clock, randomness, the network or storage: time and the random seed come in `env`,
 * effects go out as commands. States that need no waiting run in one synchronous loop; the result is a
 * promise only when a JSONata expression had to be awaited.
 *
 * The step takes ownership of the state object it is given and returns it updated (callers that need the
 * old state keep a serialised copy, as the stores do).
 * @module
 */
import { jsonBoundWithin, type Json } from '../shared/json.js';
import { MAX_PAYLOAD_BYTES } from './data-flow.js';
import type { Machine } from '../asl/model.js';
import type { Command } from './commands.js';
import type { ExecState, ExecutionInfo, MapRunReport } from './exec-state.js';
import { findRunThread } from './states/map-run.js';
import { then, type Maybe, type Outcome } from './flow.js';
import { NOT_TRUNCATED, type HistoryEvent } from './history.js';
import type { EngineInput, StepEnv } from './inputs.js';
import { redriveBlocker, redriveExecution } from './redrive.js';
import { CONTINUE, Runner, type StepOptions } from './runner.js';

export interface StepResult {
  state: ExecState;
  events: HistoryEvent[];
  commands: Command[];
  /** The Map Runs the step started or changed, as they are after it (the runtime stores them with the step). */
  mapRuns?: MapRunReport[];
}

export function initialState(info: ExecutionInfo): ExecState {
  return { v: 1, status: 'RUNNING', info, lastEventId: 0, nextSeq: 1, root: null, pending: {}, timeoutSeq: null };
}

export function step(m: Machine, s: ExecState, input: EngineInput, env: StepEnv, opts?: StepOptions): Maybe<StepResult> {
  const r = new Runner(m, s, env, opts);
  const done = (): StepResult => {
    const out: StepResult = { state: s, events: r.events, commands: r.commands };
    const runs = r.mapRunReports();
    if (runs.length) out.mapRuns = runs;
    return out;
  };
  if (input.k === 'start') {
    if (s.root) return done();
    return then(start(r, input.info), done);
  }
  if (input.k === 'redrive') {
    if (!s.root || redriveBlocker(s, { now: input.time, maxHistoryEvents: opts?.maxHistoryEvents }) !== undefined) return done();
    return then(
      then(redriveExecution(r, input.time), (o) => finishRoot(r, o)),
      done,
    );
  }
  if (s.status !== 'RUNNING' || !s.root) return done();
  switch (input.k) {
    case 'stop':
      end(r, 'ABORTED', 'ExecutionAborted', input.error, input.cause);
      return done();
    case 'timerFired':
      if (input.seq === s.timeoutSeq) {
        s.timeoutSeq = null;
        end(r, 'TIMED_OUT', 'ExecutionTimedOut', 'States.Timeout', undefined);
        return done();
      }
      if (input.seq === s.continueSeq) {
        s.continueSeq = null;
        const paths = s.yielded ?? [];
        delete s.yielded;
        return then(resumeYielded(r, paths, 0), done);
      }
      break;
    case 'updateMapRun': {
      // Delivered to the thread whose Map state runs the Map Run (nothing when it is not running).
      const at = findRunThread(s.root, input.mapRunArn);
      if (!at) return done();
      return then(
        then(r.deliver(s.root, m, at, 0, input), (o) => finishRoot(r, o)),
        done,
      );
    }
    default:
      break;
  }
  if (!('seq' in input)) return done();
  const path = s.pending[input.seq];
  if (!path) return done();
  if (input.k !== 'taskStarted' && input.k !== 'taskSubmitted') delete s.pending[input.seq];
  return then(
    then(r.deliver(s.root, m, path, 0, input), (o) => finishRoot(r, o)),
    done,
  );
}

/**
 * The continuation: resumes the threads that yielded, in order, while the step's budget lasts; those
 * left wait for the next continuation (before any that yield in this step).
 */
function resumeYielded(r: Runner, paths: number[][], from: number): Maybe<void> {
  const { s, m } = r;
  for (let i = from; i < paths.length; i++) {
    if (s.status !== 'RUNNING' || !s.root) return;
    if (r.exhausted) {
      s.yielded = paths.slice(i).concat(s.yielded ?? []);
      r.armContinuation();
      return;
    }
    const out = then(r.deliver(s.root, m, paths[i]!, 0, CONTINUE), (o) => finishRoot(r, o));
    if (out instanceof Promise) return out.then(() => resumeYielded(r, paths, i + 1));
  }
}

function start(r: Runner, info: ExecutionInfo): Maybe<void> {
  const { s, m } = r;
  s.info = info;
  const d: Record<string, unknown> = { input: info.input, inputDetails: NOT_TRUNCATED, roleArn: info.roleArn };
  if (info.stateMachineAliasArn) d.stateMachineAliasArn = info.stateMachineAliasArn;
  if (info.stateMachineVersionArn) d.stateMachineVersionArn = info.stateMachineVersionArn;
  r.emit(null, 'ExecutionStarted', d);
  // The machine's TimeoutSeconds, capped by the longest an execution may run (a year for Standard, five
  // minutes for Express: the runtime says which).
  const limit = Math.min(m.timeoutSeconds ?? Infinity, r.opts.maxExecutionSeconds ?? Infinity);
  if (limit !== Infinity) {
    const seq = s.nextSeq++;
    s.timeoutSeq = seq;
    r.commands.push({ k: 'startTimer', seq, delayMs: limit * 1000, why: 'executionTimeout' });
  }
  // As AWS records it, the first state's StateEntered event has previousEventId 0 (not ExecutionStarted's id).
  const root = r.newThread([], {}, null, 0);
  s.root = root;
  const bound = jsonBoundWithin(info.input, MAX_PAYLOAD_BYTES);
  return then(r.runFrom(root, m, { k: 'next', next: m.startAt, output: info.input as Json, bound }), (o) => finishRoot(r, o));
}

function finishRoot(r: Runner, o: Outcome): void {
  const { s } = r;
  switch (o.k) {
    case 'blocked':
      return;
    case 'succeeded':
      r.emit(s.root, 'ExecutionSucceeded', { output: o.output, outputDetails: NOT_TRUNCATED });
      s.status = 'SUCCEEDED';
      s.stopTime = r.now;
      s.output = o.output;
      r.cancelAll();
      r.commands.push({ k: 'complete', status: 'SUCCEEDED' });
      return;
    case 'failed': {
      const d: Record<string, unknown> = {};
      if (o.error !== undefined) d.error = o.error;
      if (o.cause !== undefined) d.cause = o.cause;
      r.emit(s.root, 'ExecutionFailed', d);
      s.status = 'FAILED';
      s.stopTime = r.now;
      if (o.error !== undefined) s.error = o.error;
      if (o.cause !== undefined) s.cause = o.cause;
      r.cancelAll();
      r.commands.push({ k: 'complete', status: 'FAILED' });
      return;
    }
  }
}

/** Stops the execution from outside (StopExecution, execution timeout). */
function end(r: Runner, status: 'ABORTED' | 'TIMED_OUT', type: string, error: string | undefined, cause: string | undefined): void {
  const { s, m } = r;
  if (s.root) r.abortThread(s.root, m);
  const d: Record<string, unknown> = {};
  if (error !== undefined) d.error = error;
  if (cause !== undefined) d.cause = cause;
  r.emit(s.root, type, d);
  s.status = status;
  s.stopTime = r.now;
  if (status === 'ABORTED') {
    if (error !== undefined) s.error = error;
    if (cause !== undefined) s.cause = cause;
  }
  r.cancelAll();
  r.commands.push({ k: 'complete', status });
}
