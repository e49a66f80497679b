/**
 * Map (inline, and distributed without an item reader): runs the item processor once per item, at most
 * MaxConcurrency at a time, in item order; the result is the array of the iterations' outputs.
 * @module
 */
import { isObject, type Json, type JsonObject } from '../../shared/json.js';
import { AslFailure } from '../../expr/failure.js';
import { mapInputNotArrayFailure, resultTypeFailure, type CompiledJsonata, type JsonataScope } from '../../expr/jsonata.js';
import { evaluatePath } from '../../expr/jsonpath.js';
import type { CompiledTemplate } from '../../expr/template.js';
import type { Dyn, MapState } from '../../asl/model.js';
import { applyInputPath, withInput } from '../data-flow.js';
import type { MapIoWait, MapLimits, MapRunState, MapWait, Thread } from '../exec-state.js';
import { applyUpdate, endRun, limitFigures, mapWaitFigures, newRun, redriveRun, runOf, touch } from './map-run.js';
import { BLOCKED, then, type Flow, type Maybe, type Outcome } from '../flow.js';
import type { EngineInput } from '../inputs.js';
import { haltChild, restoreChild } from '../halt.js';
import type { Runner } from '../runner.js';
import { WITH_RETRY_COUNT } from '../context.js';
import { exitWithResult } from './result.js';
import { evalDynJsonata, evalDynPath } from './dyn.js';
import {
  batchItems,
  batchLimitsJsonata,
  batchLimitsPath,
  childRecord,
  endRecord,
  ioFailure,
  numeric,
  readerCommand,
  readerRequestJsonata,
  readerRequestPath,
  writerCommand,
  writerRequestJsonata,
  writerRequestPath,
  transformResults,
  type ReaderRequest,
} from './map-run-io.js';

export function enterMap(r: Runner, th: Thread, st: MapState): Maybe<Flow> {
  return start(r, th, st);
}

const showValue = (v: Json | undefined) => (typeof v === 'string' ? v : JSON.stringify(v ?? null));

/** Reads MaxConcurrency, ToleratedFailureCount and ToleratedFailurePercentage (or their paths) with AWS's checks. */
export function limitValue(d: Dyn<number> | undefined, name: string, v: Json | undefined): number | undefined {
  if (!d) return undefined;
  if (d.k === 'path') {
    // AWS reads numbers written as strings too ("1").
    v = numeric(v);
    const pct = name === 'ToleratedFailurePercentage';
    if (typeof v !== 'number' || !Number.isFinite(v) || (!pct && !Number.isInteger(v))) {
      throw new AslFailure('States.Runtime', `The ${name}Path field refers to value "${showValue(v)}" which is not a valid ${pct ? 'float' : 'integer'}: ${d.path.source}`);
    }
  } else if (typeof v !== 'number') {
    throw new AslFailure(d.k === 'jsonata' ? 'States.QueryEvaluationError' : 'States.Runtime', `The ${name} field must be a number, but was: ${showValue(v)}`);
  }
  if (name === 'ToleratedFailurePercentage') {
    if (v < 0 || v > 100) throw new AslFailure('States.Runtime', `${name} must be between 0 and 100.`);
  } else if (v < 0) throw new AslFailure('States.Runtime', `${name} cannot be negative.`);
  return v;
}

function start(r: Runner, th: Thread, st: MapState): Maybe<Flow> {
  if (st.ql === 'JSONata') return startJsonata(r, th, st);
  let effIn: Json;
  let items: Json[] | undefined;
  let reader: ReaderRequest | undefined;
  try {
    const scope = r.scope(th, th.input, WITH_RETRY_COUNT);
    effIn = applyInputPath(st.io.inputPath, scope);
    if (st.itemReader) {
      // The items come from the reader; ItemsPath is not used.
      reader = readerRequestPath(st.itemReader, withInput(scope, effIn));
    } else {
      let v: Json = effIn;
      if (st.itemsPath) {
        const res = evaluatePath(st.itemsPath, withInput(scope, effIn));
        if (!res.ok) throw new AslFailure('States.Runtime', `Invalid path '${st.itemsPath.source}' : ${res.message}`);
        v = res.value;
      }
      if (!Array.isArray(v)) throw new AslFailure('States.Runtime', `Map state input must be an array but was: ${JSON.stringify(v)}`);
      items = v;
    }
  } catch (e) {
    return r.handleFailure(th, st, r.stateError(th, st, e));
  }
  // MaxConcurrency is read before the state starts; the tolerated-failure limits after.
  const scope = r.scope(th, effIn);
  const get = (d: Dyn<number> | undefined) => (d ? evalDynPath(d, scope) : undefined);
  let maxConcurrency: number;
  try {
    maxConcurrency = limitValue(st.maxConcurrency, 'MaxConcurrency', get(st.maxConcurrency)) ?? 0;
  } catch (e) {
    return r.handleFailure(th, st, r.stateError(th, st, e));
  }
  r.emit(th, 'MapStateStarted', { length: items?.length ?? 0 });
  let limits: MapLimits;
  try {
    limits = {
      maxConcurrency,
      toleratedCount: limitValue(st.toleratedFailureCount, 'ToleratedFailureCount', get(st.toleratedFailureCount)),
      toleratedPercentage: limitValue(st.toleratedFailurePercentage, 'ToleratedFailurePercentage', get(st.toleratedFailurePercentage)),
    };
    if (st.itemBatcher) limits.batch = batchLimitsPath(st.itemBatcher, scope);
    if (st.resultWriter) limits.writer = writerRequestPath(st.resultWriter, scope);
  } catch (e) {
    return r.handleFailure(th, st, r.stateError(th, st, e));
  }
  return reader ? read(r, th, st, reader, effIn, limits) : launch(r, th, st, items!, effIn, limits);
}

/** A JSONata Map state's items: its Items (an array or an expression), else its input. */
export async function jsonataItems(st: MapState, js: JsonataScope, input: Json): Promise<Json[]> {
  let v: Json;
  if (!st.items) {
    v = input;
    if (!Array.isArray(v)) throw mapInputNotArrayFailure(v);
  } else if ('evaluateAs' in st.items) v = await st.items.evaluateAs(js, 'array');
  else {
    v = await st.items.evaluate(js);
    if (!Array.isArray(v)) throw resultTypeFailure(JSON.stringify(st.raw), 'Items', 'array', v);
  }
  return v as Json[];
}

async function startJsonata(r: Runner, th: Thread, st: MapState): Promise<Flow> {
  let items: Json[] | undefined;
  let reader: ReaderRequest | undefined;
  let limits: MapLimits;
  try {
    const js = r.jscope(th, th.input, WITH_RETRY_COUNT);
    if (st.itemReader) reader = await readerRequestJsonata(st.itemReader, js);
    else items = await jsonataItems(st, js, th.input);
    const get = async (d: Dyn<number> | undefined) => (d ? evalDynJsonata(d, js) : undefined);
    limits = {
      maxConcurrency: limitValue(st.maxConcurrency, 'MaxConcurrency', await get(st.maxConcurrency)) ?? 0,
      toleratedCount: limitValue(st.toleratedFailureCount, 'ToleratedFailureCount', await get(st.toleratedFailureCount)),
      toleratedPercentage: limitValue(st.toleratedFailurePercentage, 'ToleratedFailurePercentage', await get(st.toleratedFailurePercentage)),
    };
    if (st.itemBatcher) limits.batch = await batchLimitsJsonata(st.itemBatcher, js);
    if (st.resultWriter) limits.writer = await writerRequestJsonata(st.resultWriter, js);
  } catch (e) {
    return r.handleFailure(th, st, r.stateError(th, st, e));
  }
  r.emit(th, 'MapStateStarted', { length: items?.length ?? 0 });
  return reader ? read(r, th, st, reader, th.input, limits) : launch(r, th, st, items!, th.input, limits);
}

/** A Distributed Map with an ItemReader: the Map Run starts, then the runtime reads the items. */
function read(r: Runner, th: Thread, st: MapState, req: ReaderRequest, effIn: Json, limits: MapLimits): Maybe<Flow> {
  const runArn = mapRunArn(r, st);
  r.emit(th, 'MapRunStarted', { mapRunArn: runArn });
  const seq = r.newSeq(th);
  const w: MapIoWait = { k: 'mapIo', op: 'read', seq, runArn, effInput: effIn, limits, run: newRun(runArn, r.now) };
  th.wait = w;
  touch(r, w);
  r.commands.push(readerCommand(seq, st, req));
  return BLOCKED;
}

function launch(r: Runner, th: Thread, st: MapState, items: Json[], effIn: Json, limits: MapLimits, run?: MapRunState): Maybe<Flow> {
  const distributed = st.mode === 'DISTRIBUTED';
  if (distributed && run === undefined) {
    run = newRun(mapRunArn(r, st), r.now);
    r.emit(th, 'MapRunStarted', { mapRunArn: run.arn });
  }
  if (limits.batch) {
    // ItemSelector applies to each item, then the items are grouped into batches.
    const batch = limits.batch;
    const started = run;
    return then(selectEach(r, th, st, items, effIn), (selected) => {
      if (!Array.isArray(selected)) return failRun(r, th, st, started, selected, limits);
      let batches: Json[];
      try {
        batches = batchItems(selected, batch);
      } catch (e) {
        return failRun(r, th, st, started, r.stateError(th, st, e), limits);
      }
      return iterate(r, th, st, batches, effIn, limits, started, true);
    });
  }
  return iterate(r, th, st, items, effIn, limits, run, false);
}

/** ItemSelector over every item (an ItemBatcher's items), or the failure it raised. */
function selectEach(r: Runner, th: Thread, st: MapState, items: Json[], effIn: Json): Maybe<Json[] | { error: string; cause: string | undefined }> {
  const sel = st.itemSelector;
  if (!sel) return items;
  if (st.ql === 'JSONata') {
    return (async () => {
      try {
        const out: Json[] = [];
        for (let i = 0; i < items.length; i++) out.push(await (sel as CompiledJsonata).evaluate(r.jscope(th, th.input, { mapItem: { index: i, value: items[i]! } })));
        return out;
      } catch (e) {
        return r.stateError(th, st, e);
      }
    })();
  }
  try {
    return items.map((value, index) => (sel as CompiledTemplate).evaluate(r.scope(th, effIn, { mapItem: { index, value } })));
  } catch (e) {
    return r.stateError(th, st, e);
  }
}

function iterate(r: Runner, th: Thread, st: MapState, items: Json[], effIn: Json, limits: MapLimits, run: MapRunState | undefined, batched: boolean): Maybe<Flow> {
  const distributed = st.mode === 'DISTRIBUTED';
  const w: MapWait = {
    k: 'map',
    items,
    effInput: effIn,
    nextIndex: 0,
    children: {},
    active: 0,
    results: new Array<Json | null>(items.length).fill(null),
    resultsBound: 2,
    done: 0,
    failed: 0,
    maxConcurrency: limits.maxConcurrency,
    toleratedCount: limits.toleratedCount,
    toleratedPercentage: limits.toleratedPercentage,
    distributed,
  };
  if (run !== undefined) {
    w.runArn = run.arn;
    w.run = run;
    delete run.frozen;
  }
  if (limits.writer) w.writer = limits.writer;
  if (batched) w.batched = true;
  th.wait = w;
  return pump(r, th, st, w);
}

/**
 * The Map Run failed before or after its iterations (reading, batching, writing): MapRunFailed, then
 * Retry / Catch. Its figures stay as they were (the limits, and the counters once the iterations ended).
 */
function failRun(r: Runner, th: Thread, st: MapState, run: MapRunState | undefined, f: { error: string; cause: string | undefined }, limits?: MapLimits): Maybe<Flow> {
  const w = th.wait;
  th.wait = null;
  if (run !== undefined) {
    if (!run.frozen && limits) run.frozen = limitFigures(limits);
    endRun(run, 'FAILED', r.now);
    r.touchRun(run, w?.k === 'map' || w?.k === 'mapIo' ? w : null);
    r.emit(th, 'MapRunFailed', f.cause === undefined ? { error: f.error } : { error: f.error, cause: f.cause });
  }
  return r.handleFailure(th, st, f);
}

function mapRunArn(r: Runner, st: MapState): string {
  const smArn = r.s.info.stateMachineArn;
  const [, partition, , region, account] = smArn.split(':');
  return `arn:${partition}:states:${region}:${account}:mapRun:${r.s.info.stateMachineName}/${st.label ?? st.name}:${r.rng.uuid()}`;
}

/**
 * Starts iterations while the concurrency allows (after a redrive, the halted ones to resume first);
 * returns the state's flow once decided, else BLOCKED.
 */
function pump(r: Runner, th: Thread, st: MapState, w: MapWait): Maybe<Flow> {
  if (w.distributed) touch(r, w);
  const n = w.items.length;
  if (n === 0) return finish(r, th, st, w);
  // Once the step's budget is spent, the running iterations (yielding) start the rest as they finish.
  while ((w.redo !== undefined || w.nextIndex < n) && (w.maxConcurrency === 0 || w.active < w.maxConcurrency) && !(r.exhausted && w.active > 0)) {
    let index: number;
    let out: Maybe<Outcome>;
    if (w.redo !== undefined) {
      index = w.redo.shift()!;
      if (w.redo.length === 0) delete w.redo;
      out = resumeIteration(r, th, st, w, index);
    } else {
      index = w.nextIndex++;
      out = startIteration(r, th, st, w, index);
    }
    if (out instanceof Promise) {
      const i = index;
      return out.then((o) => onOutcome(r, th, st, w, i, o) ?? pump(r, th, st, w));
    }
    const f = onOutcome(r, th, st, w, index, out);
    if (f) return f;
  }
  return BLOCKED;
}

/** Redrive: resumes a halted iteration where it stopped (one that never entered a state starts again). */
function resumeIteration(r: Runner, th: Thread, st: MapState, w: MapWait, index: number): Maybe<Outcome> {
  const child = w.children[index]!;
  if (child.state === '') {
    delete w.children[index];
    return startIteration(r, th, st, w, index);
  }
  w.active++;
  restoreChild(child, th);
  return r.resumeThread(child, st.processor);
}

/**
 * Redrive: iterations that failed or were aborted are resumed (no new MapStateStarted or
 * MapIterationStarted, as AWS records it), then the items never started; iterations that succeeded keep
 * their results. Without a snapshot (the state failed outside its iterations, or on a payload over the
 * quota) the state runs again from its start.
 */
export function redriveMap(r: Runner, th: Thread, st: MapState): Maybe<Flow> {
  const w = th.wait;
  if (w?.k !== 'map') {
    th.wait = null;
    return start(r, th, st);
  }
  if (w.distributed) {
    w.runRedrives = (w.runRedrives ?? 0) + 1;
    const run = runOf(w, r.now);
    if (run) {
      redriveRun(run, r.now);
      run.redriveCount = w.runRedrives;
      touch(r, w);
    }
    r.emit(th, 'MapRunRedriven', { mapRunArn: w.runArn ?? '', redriveCount: w.runRedrives });
  }
  // The iterations that failed run again: only new failures count against the tolerated failures.
  w.failed = 0;
  w.active = 0;
  delete w.failedIdx;
  delete w.abortedIdx;
  const redo = Object.keys(w.children)
    .map(Number)
    .sort((a, b) => a - b);
  if (redo.length > 0) w.redo = redo;
  else delete w.redo;
  if (w.redo === undefined && w.nextIndex >= w.items.length) return finish(r, th, st, w);
  return pump(r, th, st, w);
}

function startIteration(r: Runner, th: Thread, st: MapState, w: MapWait, index: number): Maybe<Outcome> {
  const value = w.items[index]!;
  const item = { index, value };
  const child = r.newThread([...th.path, index], th.vars, item, th.prev, th, w.distributed);
  w.children[index] = child;
  w.active++;
  const run = (input: Json): Maybe<Outcome> => {
    if (!w.distributed) r.emit(child, 'MapIterationStarted', r.recording ? { name: st.name, index } : undefined);
    if (w.writer) w.results[index] = childRecord(r, st, input);
    return r.runFrom(child, st.processor, { k: 'next', next: st.processor.startAt, output: input });
  };
  const sel = st.itemSelector;
  // With an ItemBatcher, ItemSelector was applied to each item of the batch.
  if (!sel || w.batched) return run(value);
  if (st.ql === 'JSONata') {
    return (async () => {
      try {
        return await run(await (sel as CompiledJsonata).evaluate(r.jscope(th, th.input, { mapItem: item })));
      } catch (e) {
        const f = r.stateError(th, st, e);
        return { k: 'failed', error: f.error, cause: f.cause, fatal: f.fatal } as Outcome;
      }
    })();
  }
  try {
    return run((sel as CompiledTemplate).evaluate(r.scope(th, w.effInput, { mapItem: item })));
  } catch (e) {
    const f = r.stateError(th, st, e);
    return { k: 'failed', error: f.error, cause: f.cause, fatal: f.fatal };
  }
}

function toleranceExceeded(w: MapWait): boolean {
  if (w.toleratedCount === undefined && w.toleratedPercentage === undefined) return true;
  if (w.toleratedCount !== undefined && w.failed > w.toleratedCount) return true;
  if (w.toleratedPercentage !== undefined && (w.failed * 100) / w.items.length > w.toleratedPercentage) return true;
  return false;
}

/** Records an iteration's outcome; returns the state's next flow when it is decided, else null. */
function onOutcome(r: Runner, th: Thread, st: MapState, w: MapWait, index: number, o: Outcome): Maybe<Flow> | null {
  if (o.k === 'blocked') return null;
  const child = w.children[index];
  w.active--;
  if (w.distributed) touch(r, w);
  if (child) r.endChild(child);
  if (o.k === 'succeeded') {
    delete w.children[index];
    w.results[index] = w.writer ? endRecord(r, w.results[index], 'SUCCEEDED', o) : o.output;
    w.resultsBound = w.resultsBound !== undefined && o.bound !== undefined ? w.resultsBound + o.bound + 1 : undefined;
    w.done++;
    if (!w.distributed && child) r.emit(child, 'MapIterationSucceeded', r.recording ? { name: st.name, index } : undefined);
  } else {
    w.failed++;
    if (w.distributed) (w.failedIdx ??= []).push(index);
    w.resultsBound = undefined;
    if (!w.distributed && child) r.emit(child, 'MapIterationFailed', r.recording ? { name: st.name, index } : undefined);
    // The failed iteration stays (halted) for a redrive, even when the failure is tolerated.
    if (child) haltChild(child);
    const errorOutput: JsonObject = o.cause === undefined ? { Error: o.error } : { Error: o.error, Cause: o.cause };
    w.results[index] = w.writer ? endRecord(r, w.results[index], 'FAILED', o) : errorOutput;
    if (o.fatal || toleranceExceeded(w)) {
      // The running iterations are aborted and kept; the wait stays on the thread as the redrive
      // snapshot unless Retry or Catch moves on (AWS runs the whole state again after a payload over the quota).
      r.abortIterations(st, w);
      if (o.fatal) {
        if (w.distributed && w.run) endRun(w.run, 'FAILED', r.now);
        return { k: 'fail', error: o.error, cause: o.cause, fatal: true };
      }
      const tolerant = w.toleratedCount !== undefined || w.toleratedPercentage !== undefined;
      const error = tolerant ? 'States.ExceedToleratedFailureThreshold' : o.error;
      const cause = tolerant ? 'The specified tolerance threshold was exceeded.' : o.cause;
      if (error === 'States.DataLimitExceeded') th.wait = null;
      if (w.distributed) {
        if (w.run) endRun(w.run, 'FAILED', r.now);
        r.emit(th, 'MapRunFailed', { error, cause });
      }
      return r.handleFailure(th, st, { error, cause });
    }
  }
  if (w.done + w.failed === w.items.length) return finish(r, th, st, w);
  return null;
}

function finish(r: Runner, th: Thread, st: MapState, w: MapWait): Maybe<Flow> {
  th.wait = null;
  r.joinChildren(th);
  if (w.writer && w.runArn !== undefined && w.writer.params === undefined) {
    // WriterConfig alone: the results, transformed, are the state's result (nothing is exported).
    const t = isObject(w.writer.config) && typeof w.writer.config.Transformation === 'string' ? w.writer.config.Transformation : 'COMPACT';
    succeedRun(r, w);
    r.emit(th, 'MapRunSucceeded');
    r.emit(th, 'MapStateSucceeded');
    return exitWithResult(r, th, st, transformResults(w.results as Json[], t));
  }
  if (w.writer && w.runArn !== undefined) {
    // The results go to the ResultWriter; the state's result is what it answers.
    const seq = r.newSeq(th);
    const io: MapIoWait = { k: 'mapIo', op: 'write', seq, runArn: w.runArn };
    const run = runOf(w, r.now);
    if (run) {
      // The iterations are over: the counters no longer change.
      run.frozen = mapWaitFigures(w);
      io.run = run;
      touch(r, io);
    }
    th.wait = io;
    r.commands.push(writerCommand(seq, st, w.runArn, w.writer, w.results as Json[]));
    return BLOCKED;
  }
  if (w.distributed) {
    succeedRun(r, w);
    r.emit(th, 'MapRunSucceeded');
  }
  r.emit(th, 'MapStateSucceeded');
  return exitWithResult(r, th, st, w.results as Json[], w.resultsBound);
}

function succeedRun(r: Runner, w: MapWait | MapIoWait): void {
  const run = runOf(w, r.now);
  if (!run) return;
  endRun(run, 'SUCCEEDED', r.now);
  touch(r, w);
}

export function deliverToMapChild(r: Runner, th: Thread, st: MapState, path: readonly number[], depth: number, input: EngineInput): Maybe<Flow | null> {
  const w = th.wait;
  if (!w || w.k !== 'map') return null;
  const index = path[depth]!;
  const child = w.children[index];
  if (!child) return null;
  return then(r.deliver(child, st.processor, path, depth + 1, input), (o) => {
    const f = onOutcome(r, th, st, w, index, o);
    if (f) return f;
    if (o.k === 'blocked') return null;
    return pump(r, th, st, w);
  });
}

export function resumeMap(r: Runner, th: Thread, st: MapState, input: EngineInput): Maybe<Flow> {
  const w = th.wait;
  if (input.k === 'updateMapRun') {
    // UpdateMapRun: the new limits hold at once; more iterations start if the concurrency allows.
    if ((w?.k !== 'map' && w?.k !== 'mapIo') || w.run?.status === 'FAILED' || w.run?.status === 'ABORTED') return BLOCKED;
    applyUpdate(w, input);
    touch(r, w);
    return w.k === 'map' ? pump(r, th, st, w) : BLOCKED;
  }
  if (w?.k === 'mapIo') return resumeMapIo(r, th, st, w, input);
  if (input.k !== 'timerFired' || w?.k !== 'timer' || w.seq !== input.seq) return BLOCKED;
  th.wait = null;
  return start(r, th, st);
}

/** The runtime read the items, or wrote the results. */
function resumeMapIo(r: Runner, th: Thread, st: MapState, w: MapIoWait, input: EngineInput): Maybe<Flow> {
  if (!('seq' in input) || input.seq !== w.seq) return BLOCKED;
  const failure = ioFailure(input, w.op === 'read' ? 'States.ItemReaderFailed' : 'States.ResultWriterFailed');
  switch (input.k) {
    case 'taskStarted':
    case 'taskSubmitted':
    case 'timerFired':
      return BLOCKED;
    case 'taskSucceeded':
      break;
    default:
      return failRun(r, th, st, runOf(w, r.now), failure!, w.op === 'read' ? w.limits : undefined);
  }
  th.wait = null;
  if (w.op === 'write') {
    succeedRun(r, w);
    r.emit(th, 'MapRunSucceeded');
    r.emit(th, 'MapStateSucceeded');
    return exitWithResult(r, th, st, input.output);
  }
  if (!Array.isArray(input.output)) return failRun(r, th, st, runOf(w, r.now), { error: 'States.ItemReaderFailed', cause: 'The item reader did not return a list of items.' }, w.limits);
  return launch(r, th, st, input.output, w.effInput, w.limits, runOf(w, r.now));
}
