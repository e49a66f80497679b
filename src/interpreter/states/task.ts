/**
 * Task: schedules work (a Lambda function, an activity, a service integration) through an `invokeTask`
 * command, waits for its outcome, and handles Retry / Catch.
 * @module
 */
import { createHmac } from 'node:crypto';
import { jsonBoundWithin, type Json, type JsonObject } from '../../shared/json.js';
import { AslFailure } from '../../expr/failure.js';
import type { CompiledTemplate } from '../../expr/template.js';
import type { TaskState } from '../../asl/model.js';
import { parseResource, type TaskResource } from '../../asl/resources.js';
import {
  dataLimitExceeded,
  effectiveInput,
  MAX_PAYLOAD_BYTES,
  } from '../data-flow.js';
import type { TaskFamily, Thread, TokenAnswer, Wait } from '../exec-state.js';
import { BLOCKED, type Flow, type Maybe } from '../flow.js';
import type { EngineInput } from '../inputs.js';
import type { Runner } from '../runner.js';
import { WITH_RETRY_COUNT } from '../context.js';
import { NOT_TRUNCATED } from '../history.js';
import { exitWithResult } from './result.js';
import { evalDynJsonata, evalDynPath } from './dyn.js';

export function enterTask(r: Runner, th: Thread, st: TaskState): Maybe<Flow> {
  return attempt(r, th, st);
}

interface Family {
  family: TaskFamily;
  resource: string;
  resourceType: string;
}

const families = new WeakMap<TaskResource, Family>();

/** Which events describe a task (memoised: a compiled resource's family never changes). */
function familyOf(res: TaskResource): Family {
  let f = families.get(res);
  if (!f) families.set(res, (f = computeFamily(res)));
  return f;
}

function computeFamily(res: TaskResource): Family {
  switch (res.kind) {
    case 'lambda-function':
      return { family: 'lambda', resource: res.arn, resourceType: 'lambda' };
    case 'activity':
      return { family: 'activity', resource: res.arn, resourceType: 'activity' };
    case 'service':
      return { family: 'task', resource: res.action, resourceType: res.service };
  }
}

function needsToken(res: TaskResource): boolean {
  return res.kind === 'activity' || (res.kind === 'service' && res.pattern === 'callback');
}

/**
 * A task token: opaque (it tells nothing of the execution) and unforgeable (an HMAC, under the runtime's
 * secret, of the execution, the task and a nonce of the step): 64 hex digits (never a leading `-` a
 * command line would take for an option). The runtime finds the task from it by lookup (the store's open
 * tasks, or the driver's).
 */
function makeToken(r: Runner, seq: number): string {
  return createHmac('sha256', r.opts.tokenKey ?? '').update(`${r.s.info.executionArn}\n${seq}\n${r.rng.uuid()}`).digest('hex');
}

/** Whether a string has the shape of our task tokens (it may be one that is no longer open). */
export const isTaskTokenShaped = (token: string): boolean => /^[0-9a-f]{64}$/.test(token);

interface Prepared {
  params: Json;
  timeoutSeconds: number | undefined;
  heartbeatSeconds: number | undefined;
  credentials: Json | undefined;
}

function positiveInt(v: Json | undefined, field: string): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) {
    throw new AslFailure('States.Runtime', `The value of the field '${field}' must be a positive integer, but was: ${JSON.stringify(v)}`);
  }
  return v;
}

function preparePath(r: Runner, th: Thread, st: TaskState, token: string | undefined): Prepared {
  if (st.io.inputPath === undefined && !st.io.parameters && !st.timeoutSeconds && !st.heartbeatSeconds && !st.credentials && !r.opts.trace) {
    return { params: th.input, timeoutSeconds: undefined, heartbeatSeconds: undefined, credentials: undefined };
  }
  const scope = r.scope(th, th.input, token === undefined ? WITH_RETRY_COUNT : { token, retryCount: true });
  const params = effectiveInput(st.io, scope, r.opts.trace);
  return {
    params,
    timeoutSeconds: st.timeoutSeconds ? positiveInt(evalDynPath(st.timeoutSeconds, scope), st.timeoutSeconds.k === 'path' ? st.timeoutSeconds.field : 'TimeoutSeconds') : undefined,
    heartbeatSeconds: st.heartbeatSeconds ? positiveInt(evalDynPath(st.heartbeatSeconds, scope), st.heartbeatSeconds.k === 'path' ? st.heartbeatSeconds.field : 'HeartbeatSeconds') : undefined,
    credentials: st.credentials ? ((st.credentials as CompiledTemplate).evaluate(scope) as Json) : undefined,
  };
}

async function prepareJsonata(r: Runner, th: Thread, st: TaskState, token: string | undefined): Promise<Prepared> {
  const js = r.jscope(th, th.input, { token, retryCount: true });
  const params = st.jio.arguments ? await st.jio.arguments.evaluate(js) : th.input;
  const t = st.timeoutSeconds ? await evalDynJsonata(st.timeoutSeconds, js) : undefined;
  const h = st.heartbeatSeconds ? await evalDynJsonata(st.heartbeatSeconds, js) : undefined;
  const creds = st.credentials ? await (st.credentials.evaluate as (s: unknown) => Promise<Json>)(js) : undefined;
  return { params, timeoutSeconds: positiveInt(t, 'TimeoutSeconds'), heartbeatSeconds: positiveInt(h, 'HeartbeatSeconds'), credentials: creds };
}

/** One attempt: evaluate the parameters, schedule the task, block. */
function attempt(r: Runner, th: Thread, st: TaskState): Maybe<Flow> {
  const res = st.parsedResource;
  if (!res) {
    return r.stateError(th, st, new AslFailure('States.Runtime', `The resource '${st.resource.k === 'const' ? st.resource.v : ''}' is not a valid resource.`));
  }
  const seq = r.newSeq(th);
  const token = needsToken(res) ? makeToken(r, seq) : undefined;
  if (st.ql === 'JSONata') {
    return (async () => {
      let p: Prepared;
      try {
        p = await prepareJsonata(r, th, st, token);
      } catch (e) {
        delete r.s.pending[seq];
        return failOrHandle(r, th, st, r.stateError(th, st, e));
      }
      return schedule(r, th, st, res, seq, token, p);
    })();
  }
  let p: Prepared;
  try {
    p = preparePath(r, th, st, token);
  } catch (e) {
    delete r.s.pending[seq];
    return failOrHandle(r, th, st, r.stateError(th, st, e));
  }
  return schedule(r, th, st, res, seq, token, p);
}

function failOrHandle(r: Runner, th: Thread, st: TaskState, f: Extract<Flow, { k: 'fail' }>): Maybe<Flow> {
  return r.handleFailure(th, st, f);
}

function schedule(r: Runner, th: Thread, st: TaskState, res: TaskResource, seq: number, token: string | undefined, p: Prepared): Maybe<Flow> {
  const fam = familyOf(res);
  if (res.kind === 'activity' && r.opts.activityExists && !r.opts.activityExists(res.arn)) {
    delete r.s.pending[seq];
    return r.stateError(th, st, new AslFailure('States.Runtime', `The activity ${res.arn} does not exist.`));
  }
  if (r.recording) scheduledEvents(r, th, fam, p);
  else {
    r.emit(th, '');
    if (fam.family !== 'activity') r.emit(th, '');
  }
  th.wait = { k: 'task', seq, family: fam.family, resource: fam.resource, resourceType: fam.resourceType, started: fam.family !== 'activity', token };
  r.commands.push({
    k: 'invokeTask',
    seq,
    stateName: st.name,
    resource: res,
    input: p.params,
    timeoutSeconds: p.timeoutSeconds,
    heartbeatSeconds: p.heartbeatSeconds,
    token,
    attempt: th.retryCount,
    credentials: p.credentials,
  });
  return BLOCKED;
}

function scheduledEvents(r: Runner, th: Thread, fam: Family, p: Prepared): void {
  switch (fam.family) {
    case 'lambda': {
      const d: JsonObject = { resource: fam.resource, input: p.params, inputDetails: NOT_TRUNCATED };
      if (p.timeoutSeconds !== undefined) d.timeoutInSeconds = p.timeoutSeconds;
      r.emit(th, 'LambdaFunctionScheduled', d);
      r.emit(th, 'LambdaFunctionStarted');
      break;
    }
    case 'activity': {
      const d: JsonObject = { resource: fam.resource, input: p.params, inputDetails: NOT_TRUNCATED };
      if (p.timeoutSeconds !== undefined) d.timeoutInSeconds = p.timeoutSeconds;
      if (p.heartbeatSeconds !== undefined) d.heartbeatInSeconds = p.heartbeatSeconds;
      r.emit(th, 'ActivityScheduled', d);
      break;
    }
    case 'task': {
      const d: JsonObject = { resourceType: fam.resourceType, resource: fam.resource, region: regionOf(r), parameters: p.params };
      if (p.timeoutSeconds !== undefined) d.timeoutInSeconds = p.timeoutSeconds;
      if (p.heartbeatSeconds !== undefined) d.heartbeatInSeconds = p.heartbeatSeconds;
      r.emit(th, 'TaskScheduled', d);
      r.emit(th, 'TaskStarted', { resourceType: fam.resourceType, resource: fam.resource });
      break;
    }
  }
}

function regionOf(r: Runner): string {
  return r.s.info.stateMachineArn.split(':')[3] || 'us-east-1';
}

export function resumeTask(r: Runner, th: Thread, st: TaskState, input: EngineInput): Maybe<Flow> {
  const w = th.wait;
  if (!w) return BLOCKED;
  if (input.k === 'timerFired') {
    if (w.k !== 'timer' || w.seq !== input.seq) return BLOCKED;
    th.wait = null;
    return attempt(r, th, st);
  }
  if (w.k !== 'task' || !('seq' in input) || w.seq !== input.seq) return BLOCKED;
  const base = (): JsonObject => baseOf(w);
  switch (input.k) {
    case 'taskStarted':
      if (w.family === 'activity' && !w.started) {
        w.started = true;
        r.emit(th, 'ActivityStarted', input.workerName === undefined ? {} : { workerName: input.workerName });
      }
      return BLOCKED;
    case 'taskSubmitted': {
      // The call returned; the task now waits for its job or its token. A call made again after a
      // restart records nothing more.
      if (w.family !== 'task' || w.submitted) return BLOCKED;
      w.submitted = true;
      r.emit(th, 'TaskSubmitted', r.recording ? { ...base(), output: input.output, outputDetails: NOT_TRUNCATED } : undefined);
      const answer = w.answer;
      if (!answer) return BLOCKED;
      // The token was answered while the call was still out: the answer takes effect now.
      delete w.answer;
      delete r.s.pending[w.seq];
      return resumeTask(r, th, st, { ...answer, seq: w.seq });
    }
    case 'taskSucceeded':
    case 'taskFailed':
      if (input.byToken && awaitsCall(w)) {
        // The token came back before the call that handed it over returned (a quick external system, a
        // function answering its own token, or a call made again after a restart): as on AWS, the task
        // records the call's response (TaskSubmitted) first. The answer is kept in the state, so it
        // survives a restart; a second answer meanwhile changes nothing. The call is still awaited.
        w.answer ??= answerOf(input);
        r.s.pending[w.seq] = th.path;
        return BLOCKED;
      }
      return input.k === 'taskSucceeded' ? succeeded(r, th, st, w, input.output) : failed(r, th, st, w, input.error, input.cause);
    case 'taskScheduleFailed':
      return failed(r, th, st, w, input.error, input.cause);
    case 'taskTimedOut': {
      th.wait = null;
      // Service integrations report an empty cause; Lambda functions and activities none. A service
      // integration's missed heartbeat is reported as States.Timeout (as AWS records it), still caught and
      // retried as States.HeartbeatTimeout too.
      const cause = input.cause ?? (w.family === 'task' ? '' : undefined);
      const heartbeat = input.error === 'States.HeartbeatTimeout' && w.family === 'task';
      const error = heartbeat ? 'States.Timeout' : input.error;
      const d: JsonObject = { ...baseOf(w), error };
      if (cause !== undefined) d.cause = cause;
      r.emit(th, `${prefixOf(w)}TimedOut`, d);
      return r.handleFailure(th, st, heartbeat ? { error, cause, alias: 'States.HeartbeatTimeout' } : { error, cause });
    }
    default:
      return BLOCKED;
  }
}

type TaskWait = Extract<Wait, { k: 'task' }>;

/**
 * A callback task (`.waitForTaskToken`) whose call has not returned yet, as far as the state knows: an
 * answer to its token waits for the call's response (TaskSubmitted).
 */
export function awaitsCall(w: Wait | null | undefined): boolean {
  return w?.k === 'task' && w.family === 'task' && w.token !== undefined && !w.submitted;
}

function answerOf(input: Extract<EngineInput, { k: 'taskSucceeded' | 'taskFailed' }>): TokenAnswer {
  if (input.k === 'taskSucceeded') return { k: 'taskSucceeded', output: input.output };
  const a: TokenAnswer = { k: 'taskFailed' };
  if (input.error !== undefined) a.error = input.error;
  if (input.cause !== undefined) a.cause = input.cause;
  return a;
}

const prefixOf = (w: TaskWait): string => (w.family === 'lambda' ? 'LambdaFunction' : w.family === 'activity' ? 'Activity' : 'Task');
const baseOf = (w: TaskWait): JsonObject => (w.family === 'task' ? { resourceType: w.resourceType, resource: w.resource } : {});

function succeeded(r: Runner, th: Thread, st: TaskState, w: TaskWait, output: Json): Maybe<Flow> {
  th.wait = null;
  const resultBound = jsonBoundWithin(output, MAX_PAYLOAD_BYTES);
  if (resultBound === undefined) {
    const f = dataLimitExceeded(w.family === 'task' ? w.resourceType : w.resource);
    r.emit(th, `${prefixOf(w)}Failed`, { ...baseOf(w), error: f.error, cause: f.cause_ });
    return r.handleFailure(th, st, { error: f.error, cause: f.cause_ });
  }
  r.emit(th, `${prefixOf(w)}Succeeded`, r.recording ? { ...baseOf(w), output, outputDetails: NOT_TRUNCATED } : undefined);
  return exitWithResult(r, th, st, output, resultBound);
}

function failed(r: Runner, th: Thread, st: TaskState, w: TaskWait, error: string | undefined, cause: string | undefined): Maybe<Flow> {
  th.wait = null;
  const d: JsonObject = baseOf(w);
  if (error !== undefined) d.error = error;
  if (cause !== undefined) d.cause = cause;
  r.emit(th, `${prefixOf(w)}Failed`, d);
  return r.handleFailure(th, st, { error: error ?? '', cause });
}


export { parseResource };
