/**
 * Parallel: runs every branch on the state's effective input; the result is the array of the branches'
 * outputs. A failing branch aborts the others and fails the state (then Retry / Catch apply).
 * @module
 */
import type { Json } from '../../shared/json.js';
import type { ParallelState, Program } from '../../asl/model.js';
import { effectiveInput } from '../data-flow.js';
import type { ParallelWait, Thread } from '../exec-state.js';
import { BLOCKED, then, type Flow, type Maybe, type Outcome } from '../flow.js';
import type { EngineInput } from '../inputs.js';
import { haltChild, restoreChild } from '../halt.js';
import type { Runner } from '../runner.js';
import { WITH_RETRY_COUNT } from '../context.js';
import { exitWithResult } from './result.js';

export function enterParallel(r: Runner, th: Thread, st: ParallelState, _prog: Program): Maybe<Flow> {
  return start(r, th, st);
}

function start(r: Runner, th: Thread, st: ParallelState): Maybe<Flow> {
  if (st.ql === 'JSONata') {
    return (async () => {
      let eff: Json;
      try {
        eff = st.jio.arguments ? await st.jio.arguments.evaluate(r.jscope(th, th.input, WITH_RETRY_COUNT)) : th.input;
      } catch (e) {
        return r.handleFailure(th, st, r.stateError(th, st, e));
      }
      return launch(r, th, st, eff);
    })();
  }
  let eff: Json;
  try {
    eff = effectiveInput(st.io, r.scope(th, th.input, WITH_RETRY_COUNT));
  } catch (e) {
    return r.handleFailure(th, st, r.stateError(th, st, e));
  }
  return launch(r, th, st, eff);
}

function launch(r: Runner, th: Thread, st: ParallelState, eff: Json): Maybe<Flow> {
  r.emit(th, 'ParallelStateStarted');
  const n = st.branches.length;
  const w: ParallelWait = { k: 'parallel', children: new Array<Thread | null>(n).fill(null), results: new Array<Json | null>(n).fill(null), resultsBound: 2, remaining: n };
  th.wait = w;
  if (n === 0) return finish(r, th, st, w);
  return runBranches(r, th, st, w, eff, 0);
}

function runBranches(r: Runner, th: Thread, st: ParallelState, w: ParallelWait, eff: Json, from: number): Maybe<Flow> {
  for (let i = from; i < st.branches.length; i++) {
    const branch = st.branches[i]!;
    const child = r.newThread([...th.path, i], th.vars, null, th.prev, th);
    w.children[i] = child;
    const out = r.runFrom(child, branch, { k: 'next', next: branch.startAt, output: eff });
    if (out instanceof Promise) {
      return out.then((o) => {
        const f = onOutcome(r, th, st, w, i, o);
        return f ? keepUnstarted(r, th, st, w, eff, i + 1, f) : runBranches(r, th, st, w, eff, i + 1);
      });
    }
    const f = onOutcome(r, th, st, w, i, out);
    if (f) return keepUnstarted(r, th, st, w, eff, i + 1, f);
  }
  return BLOCKED;
}

/**
 * A branch failed before the branches from `from` on were started: if the failure ends the state (no
 * Retry or Catch took it), they are kept as halted children that never entered a state, so that a redrive
 * starts them.
 */
function keepUnstarted(r: Runner, th: Thread, st: ParallelState, w: ParallelWait, eff: Json, from: number, f: Maybe<Flow>): Maybe<Flow> {
  if (from >= st.branches.length) return f;
  return then(f, (flow) => {
    if (th.wait !== w) return flow;
    for (let j = from; j < st.branches.length; j++) {
      const child = r.newThread([...th.path, j], th.vars, null, th.prev, th);
      haltChild(child);
      w.children[j] = child;
    }
    if (eff !== th.input) w.input = eff;
    return flow;
  });
}

/** Records a branch's outcome; returns the state's next flow when it is decided, else null. */
function onOutcome(r: Runner, th: Thread, st: ParallelState, w: ParallelWait, i: number, o: Outcome): Maybe<Flow> | null {
  switch (o.k) {
    case 'blocked':
      return null;
    case 'succeeded':
      w.children[i] = null;
      w.results[i] = o.output;
      w.resultsBound = w.resultsBound !== undefined && o.bound !== undefined ? w.resultsBound + o.bound + 1 : undefined;
      w.remaining--;
      return w.remaining === 0 ? finish(r, th, st, w) : null;
    case 'failed': {
      // The failed branch and the aborted ones stay (halted) in the wait, which stays on the thread as
      // the redrive snapshot unless Retry or Catch moves on; AWS runs the whole state again when the
      // failure was a payload over the quota.
      r.abortBranches(st, w);
      if (o.error === 'States.DataLimitExceeded') th.wait = null;
      if (o.fatal) return { k: 'fail', error: o.error, cause: o.cause, fatal: true };
      return r.handleFailure(th, st, o);
    }
  }
}

/**
 * Redrive: resumes the branches that failed or were aborted (and starts those that never started);
 * branches that succeeded keep their results. Without a snapshot (the state failed outside its branches,
 * or on a payload over the quota) the state runs again from its start.
 */
export function redriveParallel(r: Runner, th: Thread, st: ParallelState): Maybe<Flow> {
  const w = th.wait;
  if (w?.k !== 'parallel') {
    th.wait = null;
    return start(r, th, st);
  }
  const todo: number[] = [];
  w.children.forEach((c, i) => {
    if (c) todo.push(i);
  });
  w.remaining = todo.length;
  if (todo.length === 0) return finish(r, th, st, w);
  return resumeBranches(r, th, st, w, todo, 0);
}

function resumeBranches(r: Runner, th: Thread, st: ParallelState, w: ParallelWait, todo: number[], from: number): Maybe<Flow> {
  for (let k = from; k < todo.length; k++) {
    const i = todo[k]!;
    const child = w.children[i]!;
    const branch = st.branches[i]!;
    restoreChild(child, th);
    let out: Maybe<Outcome>;
    if (child.state === '') {
      delete child.halted;
      out = r.runFrom(child, branch, { k: 'next', next: branch.startAt, output: w.input ?? th.input });
    } else out = r.resumeThread(child, branch);
    if (out instanceof Promise) return out.then((o) => onOutcome(r, th, st, w, i, o) ?? resumeBranches(r, th, st, w, todo, k + 1));
    const f = onOutcome(r, th, st, w, i, out);
    if (f) return f;
  }
  return BLOCKED;
}

function finish(r: Runner, th: Thread, st: ParallelState, w: ParallelWait): Maybe<Flow> {
  th.wait = null;
  // AWS records ParallelStateSucceeded between the branches' last events and ParallelStateExited.
  r.joinChildren(th);
  r.emit(th, 'ParallelStateSucceeded');
  return exitWithResult(r, th, st, w.results as Json[], w.resultsBound);
}

export function deliverToParallelChild(r: Runner, th: Thread, st: ParallelState, path: readonly number[], depth: number, input: EngineInput): Maybe<Flow | null> {
  const w = th.wait;
  if (!w || w.k !== 'parallel') return null;
  const i = path[depth]!;
  const child = w.children[i];
  if (!child) return null;
  return then(r.deliver(child, st.branches[i]!, path, depth + 1, input), (o) => onOutcome(r, th, st, w, i, o));
}

export function resumeParallel(r: Runner, th: Thread, st: ParallelState, _prog: Program, input: EngineInput): Maybe<Flow> {
  if (input.k !== 'timerFired' || th.wait?.k !== 'timer' || th.wait.seq !== input.seq) return BLOCKED;
  th.wait = null;
  return start(r, th, st);
}
