/**
 * Runs one state as AWS's TestState does, through the interpreter's own code for that state type:
 * the one-state program is entered like any state; a Task's work is the mock (or, without one, the
 * runtime's invocation); a Wait does not wait; Retry and Catch decide as in an execution but stop there
 * (RETRIABLE, CAUGHT_ERROR). A Map or Parallel state under a mock runs like a Task whose result is the
 * mock: its own input processing, then ResultSelector / ResultPath / OutputPath (Output, Assign), Retry
 * and Catch; the Map's items and limits are evaluated for their checks and the inspection data,
 * `mapIterationFailureCount` against its tolerated failures. The intermediate values come from the
 * interpreter's data-flow trace.
 * @module
 */
import { isObject, type Json, type JsonObject } from '../../shared/json.js';
import { valueAtPointer } from '../../shared/json-pointer.js';
import { AslFailure, toFailure } from '../../expr/failure.js';
import type { CompiledJsonata } from '../../expr/jsonata.js';
import { evaluatePath } from '../../expr/jsonpath.js';
import type { CompiledTemplate } from '../../expr/template.js';
import type { Dyn, MapState, ParallelState, Program, State, TaskState } from '../../asl/model.js';
import type { EvalScope } from '../../expr/scope.js';
import type { Command } from '../commands.js';
import { applyInputPath, type DataFlowStage } from '../data-flow.js';
import type { ExecutionInfo, Thread } from '../exec-state.js';
import type { Flow } from '../flow.js';
import type { EngineInput } from '../inputs.js';
import { initialState } from '../step.js';
import { evalDynJsonata, evalDynPath } from '../states/dyn.js';
import { jsonataItems, limitValue } from '../states/map.js';
import { batchItems, batchLimitsJsonata, batchLimitsPath } from '../states/map-run-io.js';
import { resumeTask } from '../states/task.js';
import { resumeWait } from '../states/wait.js';
import type { TestStateProgram } from './program.js';
import type { TestStateRequest } from './request.js';
import { TestStateRunner, type TestStateRunnerOptions } from './runner.js';

/** The command a Task state issues for its work. */
export type InvokeTaskCommand = Extract<Command, { k: 'invokeTask' }>;

export type TestStateStatus = 'SUCCEEDED' | 'FAILED' | 'RETRIABLE' | 'CAUGHT_ERROR';

export interface ErrorDetails {
  catchIndex?: number;
  retryBackoffIntervalSeconds?: number;
  retryIndex?: number;
}

/** InspectionData with JSON values (the API writes them as JSON text). */
export interface InspectionData {
  input?: Json;
  afterArguments?: Json;
  afterInputPath?: Json;
  afterParameters?: Json;
  result?: Json;
  afterResultSelector?: Json;
  afterResultPath?: Json;
  afterItemsPath?: Json;
  afterItemSelector?: Json;
  afterItemBatcher?: Json;
  afterItemsPointer?: Json;
  maxConcurrency?: number;
  toleratedFailureCount?: number;
  toleratedFailurePercentage?: number;
  variables?: Json;
  errorDetails?: ErrorDetails;
}

export interface TestStateResult {
  status: TestStateStatus;
  output?: Json;
  error?: string;
  cause?: string;
  nextState?: string;
  inspectionData?: InspectionData;
}

/** A Task's outcome when the runtime performs it (no mock). */
export type TaskOutcome =
  | { k: 'succeeded'; output: Json }
  | { k: 'failed'; error?: string; cause?: string }
  | { k: 'timedOut'; error: 'States.Timeout' | 'States.HeartbeatTimeout'; cause?: string };

export interface TestStateEnv {
  /** Epoch ms. */
  now: number;
  seed: number;
  region: string;
  accountId: string;
  /** Names of the simulated state machine and execution in the context object. */
  stateMachineName: string;
  executionName: string;
  /** Performs a Task's work when the request has no mock. Without it such a Task fails. */
  invokeTask?: (cmd: InvokeTaskCommand) => Promise<TaskOutcome>;
}

/** AWS's cause when `mapIterationFailureCount` exceeds the tolerated failures. */
export const TOLERATED_FAILURE_CAUSE = 'The specified tolerated failure threshold was exceeded';

function executionInfo(req: TestStateRequest, env: TestStateEnv): ExecutionInfo {
  const prefix = `arn:aws:states:${env.region}:${env.accountId}`;
  return {
    executionArn: `${prefix}:express:${env.stateMachineName}:${env.executionName}`,
    name: env.executionName,
    stateMachineArn: `${prefix}:stateMachine:${env.stateMachineName}`,
    stateMachineName: env.stateMachineName,
    roleArn: req.roleArn ?? '',
    startTime: env.now,
    input: req.input,
    redriveCount: 0,
  };
}

/** A Map or Parallel state under a mock, as a Task whose work is the mock (same fields, Retry, Catch). */
export function asMockedTask(st: MapState | ParallelState): TaskState {
  const arn = `arn:aws:states:::testState:${st.type}`;
  return {
    type: 'Task',
    name: st.name,
    ql: st.ql,
    next: st.next,
    end: st.end,
    comment: st.comment,
    assign: st.assign,
    io: st.io,
    jio: st.jio,
    raw: st.raw,
    resource: { k: 'const', v: arn },
    parsedResource: { kind: 'service', arn, service: 'states', action: 'testState', api: 'testState', pattern: 'request-response' },
    timeoutSeconds: undefined,
    heartbeatSeconds: undefined,
    credentials: undefined,
    retry: st.retry,
    catch: st.catch,
  };
}

const failed = (seq: number, error: string | undefined, cause: string | undefined): EngineInput => {
  const i: EngineInput = { k: 'taskFailed', seq };
  if (error !== undefined) i.error = error;
  if (cause !== undefined) i.cause = cause;
  return i;
};

function outcomeInput(seq: number, o: TaskOutcome): EngineInput {
  switch (o.k) {
    case 'succeeded':
      return { k: 'taskSucceeded', seq, output: o.output };
    case 'failed':
      return failed(seq, o.error, o.cause);
    case 'timedOut':
      return o.cause === undefined ? { k: 'taskTimedOut', seq, error: o.error } : { k: 'taskTimedOut', seq, error: o.error, cause: o.cause };
  }
}

interface MapFacts {
  items: Json[] | undefined;
  failure?: { error: string; cause: string | undefined };
}

/** The Map state's items, ItemSelector and limits, evaluated for their checks and the inspection data. */
async function mapFacts(r: TestStateRunner, th: Thread, st: MapState, req: TestStateRequest, effInput: Json, insp: InspectionData): Promise<MapFacts> {
  let items: Json[] | undefined;
  try {
    let get: (d: Dyn<number> | undefined) => Promise<Json | undefined>;
    let select: ((value: Json, index: number) => Promise<Json>) | undefined;
    if (st.ql === 'JSONata') {
      const js = r.jscope(th, th.input, { retryCount: true });
      items = st.itemReader !== undefined ? readerItems(req, await (st.itemReader.readerConfig as CompiledJsonata | undefined)?.evaluate(js), insp) : await jsonataItems(st, js, th.input);
      get = async (d) => (d ? evalDynJsonata(d, js) : undefined);
      const sel = st.itemSelector as CompiledJsonata | undefined;
      if (sel) select = (value, index) => sel.evaluate(r.jscope(th, th.input, { mapItem: { index, value } }));
    } else {
      const scope = r.scope(th, effInput, { retryCount: true });
      if (st.itemReader !== undefined) items = readerItems(req, (st.itemReader.readerConfig as CompiledTemplate | undefined)?.evaluate(scope), insp);
      else insp.afterItemsPath = items = jsonPathItems(st, scope, effInput);
      get = async (d) => (d ? evalDynPath(d, scope) : undefined);
      const sel = st.itemSelector as CompiledTemplate | undefined;
      if (sel) select = async (value, index) => sel.evaluate(r.scope(th, effInput, { mapItem: { index, value } }));
    }
    insp.maxConcurrency = limitValue(st.maxConcurrency, 'MaxConcurrency', await get(st.maxConcurrency)) ?? 0;
    const count = limitValue(st.toleratedFailureCount, 'ToleratedFailureCount', await get(st.toleratedFailureCount));
    if (count !== undefined) insp.toleratedFailureCount = count;
    const pct = limitValue(st.toleratedFailurePercentage, 'ToleratedFailurePercentage', await get(st.toleratedFailurePercentage));
    if (pct !== undefined) insp.toleratedFailurePercentage = pct;
    let selected: Json[] | undefined;
    if (select && items) {
      selected = [];
      for (let i = 0; i < items.length; i++) selected.push(await select(items[i]!, i));
      insp.afterItemSelector = selected;
    }
    if (st.itemBatcher && items) {
      const limits =
        st.ql === 'JSONata'
          ? await batchLimitsJsonata(st.itemBatcher, r.jscope(th, th.input, { retryCount: true }))
          : batchLimitsPath(st.itemBatcher, r.scope(th, effInput, { retryCount: true }));
      insp.afterItemBatcher = batchItems(selected ?? items, limits);
    }
    return { items };
  } catch (e) {
    const f = toFailure(e);
    return { items, failure: { error: f.error, cause: f.cause } };
  }
}

/** A JSONPath Map state's items (ItemsPath over the effective input), with TestState's wording when not an array. */
function jsonPathItems(st: MapState, scope: EvalScope, effInput: Json): Json[] {
  let v = effInput;
  if (st.itemsPath) {
    const res = evaluatePath(st.itemsPath, scope);
    if (!res.ok) throw new AslFailure('States.Runtime', `Invalid path '${st.itemsPath.source}' : ${res.message}`);
    v = res.value;
  }
  if (!Array.isArray(v)) {
    const source = (st.itemsPath?.source ?? '$').replace(/^\$\$/, '$');
    throw new AslFailure('States.Runtime', `Reference path "${source}" must point to array.`);
  }
  return v;
}

/**
 * The items of `mapItemReaderData` (the reader's data); with the ReaderConfig's ItemsPointer, the array it
 * points to in that data (also the `afterItemsPointer` inspection data).
 */
function readerItems(req: TestStateRequest, config: Json | undefined, insp: InspectionData): Json[] | undefined {
  const data = req.config.mapItemReaderData;
  const pointer = isObject(config) && typeof config.ItemsPointer === 'string' ? config.ItemsPointer : undefined;
  if (pointer !== undefined && data !== undefined) {
    const v = valueAtPointer(data, pointer);
    if (!Array.isArray(v)) throw new AslFailure('States.ItemReaderFailed', `The ItemsPointer '${pointer}' does not point to an array.`);
    insp.afterItemsPointer = v;
    return v;
  }
  return Array.isArray(data) ? data : undefined;
}


/** What the Map's iterations did, from the mock and the state configuration. */
function mapOutcome(req: TestStateRequest, facts: MapFacts, insp: InspectionData, seq: number): EngineInput {
  if (facts.failure) return failed(seq, facts.failure.error, facts.failure.cause);
  const mock = req.mock!;
  if (mock.errorOutput) return failed(seq, mock.errorOutput.error, mock.errorOutput.cause);
  const failures = req.config.mapIterationFailureCount ?? 0;
  const total = facts.items?.length ?? (Array.isArray(mock.result) ? mock.result.length : 0);
  const count = insp.toleratedFailureCount;
  const pct = insp.toleratedFailurePercentage;
  const exceeded = (count !== undefined && failures > count) || (pct !== undefined && total > 0 && (failures * 100) / total > pct);
  if (exceeded) return failed(seq, 'States.ExceedToleratedFailureThreshold', TOLERATED_FAILURE_CAUSE);
  return { k: 'taskSucceeded', seq, output: mock.result! };
}

/** Runs the state under test. Request problems were reported before (see `program.ts`). */
export async function runTestState(req: TestStateRequest, prog: TestStateProgram, env: TestStateEnv): Promise<TestStateResult> {
  const traced: Partial<Record<DataFlowStage, Json>> = {};
  const s = initialState(executionInfo(req, env));
  const st = prog.state;
  const opts: TestStateRunnerOptions = { reportsRetryCount: st.type === 'Task' || st.type === 'Map' || st.type === 'Parallel' };
  if (req.context) opts.context = req.context;
  if (req.roleArn !== undefined) opts.roleArn = req.roleArn;
  if (req.config.retrierRetryCount !== undefined) opts.retrierRetryCount = req.config.retrierRetryCount;
  const r = new TestStateRunner(prog.machine, s, { now: env.now, seed: env.seed }, { trace: (stage, v) => (traced[stage] = v) }, opts);
  const th = r.newThread([], req.variables ?? {}, null, 0);
  s.root = th;

  const insp: InspectionData = { input: req.input };
  let run: State = st;
  let program: Program = prog.machine;
  if (st.type === 'Map' || st.type === 'Parallel') {
    run = asMockedTask(st);
    program = { startAt: prog.name, states: new Map([[prog.name, run]]) };
  }

  let flow: Flow = await r.enter(th, program, prog.name, req.input);
  let taskCommand: InvokeTaskCommand | undefined;
  let taskResult: Json | undefined;
  if (flow.k === 'blocked' && run.type === 'Task' && th.wait?.k === 'task') {
    const cmd = r.commands.findLast((c): c is InvokeTaskCommand => c.k === 'invokeTask')!;
    taskCommand = cmd;
    let outcome: EngineInput;
    if (st.type === 'Map') {
      const facts = await mapFacts(r, th, st, req, traced.afterInputPath ?? th.input, insp);
      outcome = mapOutcome(req, facts, insp, cmd.seq);
    } else if (req.mock?.errorOutput) outcome = failed(cmd.seq, req.mock.errorOutput.error, req.mock.errorOutput.cause);
    else if (req.mock) outcome = { k: 'taskSucceeded', seq: cmd.seq, output: req.mock.result! };
    else if (env.invokeTask) outcome = outcomeInput(cmd.seq, await env.invokeTask(cmd));
    else outcome = failed(cmd.seq, 'States.Runtime', `The resource '${cmd.resource.arn}' is not supported by this engine.`);
    if (outcome.k === 'taskSucceeded') taskResult = outcome.output;
    flow = await resumeTask(r, th, run, outcome);
  } else if (flow.k === 'blocked' && st.type === 'Wait' && th.wait?.k === 'timer' && th.wait.why === 'wait') {
    // TestState does not wait.
    flow = await resumeWait(r, th, st, { k: 'timerFired', seq: th.wait.seq });
  }

  const result = outcome(r, th, flow);
  if (req.inspectionLevel !== 'INFO') result.inspectionData = inspection(r, th, st, req, insp, traced, taskCommand, taskResult);
  return result;
}

function outcome(r: TestStateRunner, th: Thread, flow: Flow): TestStateResult {
  const rec = r.failure;
  switch (flow.k) {
    case 'blocked':
      if (th.wait?.k === 'timer' && th.wait.why === 'retry' && rec) return withError({ status: 'RETRIABLE' }, rec.error, rec.cause);
      return { status: 'FAILED', error: 'States.Runtime', cause: 'The state did not complete.' };
    case 'fail':
      return withError({ status: 'FAILED' }, flow.error, flow.cause);
    case 'next':
    case 'end': {
      const res: TestStateResult = rec?.catchIndex !== undefined ? withError({ status: 'CAUGHT_ERROR' }, rec.error, rec.cause) : { status: 'SUCCEEDED' };
      res.output = flow.output;
      if (flow.k === 'next') res.nextState = flow.next;
      return res;
    }
  }
}

function withError(res: TestStateResult, error: string | undefined, cause: string | undefined): TestStateResult {
  if (error !== undefined && error !== '') res.error = error;
  if (cause !== undefined) res.cause = cause;
  return res;
}

/** The inspection data AWS reports for this state type and query language (DEBUG and TRACE). */
function inspection(
  r: TestStateRunner,
  th: Thread,
  st: State,
  req: TestStateRequest,
  insp: InspectionData,
  traced: Partial<Record<DataFlowStage, Json>>,
  cmd: InvokeTaskCommand | undefined,
  taskResult: Json | undefined,
): InspectionData {
  const out: InspectionData = { input: req.input };
  const copy = (...stages: DataFlowStage[]) => {
    for (const k of stages) if (traced[k] !== undefined) out[k] = traced[k];
  };
  const jsonpath = st.ql === 'JSONPath';
  switch (st.type) {
    case 'Pass':
      if (!jsonpath) break;
      if (st.result !== undefined) {
        out.result = st.result;
        copy('afterResultSelector', 'afterResultPath');
      } else copy('afterInputPath', 'afterParameters', 'afterResultSelector', 'afterResultPath');
      break;
    case 'Task':
      if (jsonpath) copy('afterInputPath', 'afterParameters');
      else if (cmd) out.afterArguments = cmd.input;
      if (taskResult !== undefined) out.result = taskResult;
      if (jsonpath) copy('afterResultSelector', 'afterResultPath');
      break;
    case 'Choice':
    case 'Succeed':
    case 'Wait':
      if (jsonpath) {
        try {
          out.afterInputPath = applyInputPath(st.io.inputPath, r.scope(th, req.input));
        } catch {
          /* the state failed on its InputPath: no value to show */
        }
      }
      break;
    case 'Fail':
      if (jsonpath) out.afterInputPath = req.input;
      break;
    case 'Map':
      if (jsonpath) copy('afterInputPath');
      if (insp.afterItemsPath !== undefined) out.afterItemsPath = insp.afterItemsPath;
      if (insp.afterItemsPointer !== undefined) out.afterItemsPointer = insp.afterItemsPointer;
      if (insp.afterItemSelector !== undefined) out.afterItemSelector = insp.afterItemSelector;
      if (insp.afterItemBatcher !== undefined) out.afterItemBatcher = insp.afterItemBatcher;
      if (insp.maxConcurrency !== undefined) out.maxConcurrency = insp.maxConcurrency;
      if (insp.toleratedFailureCount !== undefined) out.toleratedFailureCount = insp.toleratedFailureCount;
      if (insp.toleratedFailurePercentage !== undefined) out.toleratedFailurePercentage = insp.toleratedFailurePercentage;
      if (jsonpath) copy('afterResultSelector', 'afterResultPath');
      break;
    case 'Parallel':
      if (!jsonpath) break;
      if (st.io.inputPath !== undefined) copy('afterInputPath');
      if (st.io.parameters !== undefined) copy('afterParameters');
      copy('afterResultSelector', 'afterResultPath');
      break;
  }
  if (Object.keys(th.vars).length > 0) out.variables = th.vars as JsonObject;
  const rec = r.failure;
  if (rec && (rec.retryIndex !== undefined || rec.catchIndex !== undefined)) {
    const d: ErrorDetails = {};
    if (rec.catchIndex !== undefined) d.catchIndex = rec.catchIndex;
    if (rec.retryBackoffSeconds !== undefined) d.retryBackoffIntervalSeconds = rec.retryBackoffSeconds;
    if (rec.retryIndex !== undefined) d.retryIndex = rec.retryIndex;
    out.errorDetails = d;
  }
  return out;
}
