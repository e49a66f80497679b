/**
 * Execution operations: StartExecution, StartSyncExecution, DescribeExecution, ListExecutions,
 * GetExecutionHistory, StopExecution, DescribeStateMachineForExecution.
 * @module
 */
import { randomUUID } from 'node:crypto';
import { isObject, tryParseJson, type Json } from '../../shared/json.js';
import { toAwsEvent } from '../../interpreter/history.js';
import type { ExecutionInfo } from '../../interpreter/exec-state.js';
import type { ExecutionRecord, ExecutionStatus, StateMachineRecord } from '../../store/store.js';
import { executionArn, expressExecutionArn, parseExecutionArn, parseMapRunArn, parseStateMachineArn } from '../arn.js';
import { decodeToken, encodeToken, epoch, pageParams, type ApiContext, type Params } from '../context.js';
import { ApiError, invalidArn, invalidPageToken, notFoundExecution, notFoundStateMachine, resourceNotFound, SENSITIVE, validation, Validator } from '../errors.js';
import { checkNameChars, nameConstraints } from '../names.js';
import { requiredArn } from './state-machines.js';
import { scanJson } from '../../asl/validate/jackson.js';
import { notRedrivableMessage } from '../../interpreter/redrive.js';
import type { Machine } from '../../asl/model.js';
import type { ExecutionDriver } from '../../runtime/driver.js';
import { ExpressAtCapacity } from '../../runtime/express.js';
import { describeRecord, type ExecutionLauncher, type StartOutcome } from '../../runtime/executions.js';

const MAX_INPUT_BYTES = 262144;

/** Resolves a state machine, version or alias ARN to the record to run (aliases route by weight). */
async function resolveTarget(ctx: ApiContext, arn: unknown): Promise<{ sm: StateMachineRecord; base: StateMachineRecord; versionArn?: string; aliasArn?: string }> {
  const ref = parseStateMachineArn(arn);
  if (ref.kind === 'alias') {
    const alias = await ctx.store.getAlias(ref.arn);
    if (!alias) throw notFoundStateMachine(ref.arn);
    let pick = Math.random() * 100;
    let chosen = alias.routingConfiguration[0]!.stateMachineVersionArn;
    for (const r of alias.routingConfiguration) {
      if (pick < r.weight) {
        chosen = r.stateMachineVersionArn;
        break;
      }
      pick -= r.weight;
    }
    const sm = await ctx.store.getStateMachine(chosen);
    const base = await ctx.store.getStateMachine(ref.baseArn);
    if (!sm || !base) throw notFoundStateMachine(ref.arn);
    return { sm, base, versionArn: chosen, aliasArn: ref.arn };
  }
  const sm = await ctx.store.getStateMachine(ref.arn);
  if (!sm) throw notFoundStateMachine(ref.arn);
  if (ref.kind === 'version') {
    const base = await ctx.store.getStateMachine(ref.baseArn);
    if (!base) throw notFoundStateMachine(ref.arn);
    return { sm, base, versionArn: ref.arn };
  }
  return { sm, base: sm };
}

function parseInput(p: Params): { text: string; value: Json } {
  const raw = p.input;
  if (raw === undefined || raw === null) return { text: '{}', value: {} };
  if (typeof raw !== 'string') throw validation(raw, 'input', 'Member must be a string');
  if (Buffer.byteLength(raw) > MAX_INPUT_BYTES) {
    throw validation(SENSITIVE, 'input', `Member must have length less than or equal to ${MAX_INPUT_BYTES}`);
  }
  const parsed = tryParseJson(raw);
  if (!parsed.ok) {
    // AWS gives Jackson's message without its location line; an empty input is "Invalid execution input.".
    const scan = scanJson(raw);
    const msg = raw.trim() === '' ? 'Invalid execution input.' : (scan.ok ? parsed.message : scan.error.message).split('\n at [Source')[0];
    throw new ApiError('InvalidExecutionInput', `Invalid State Machine Execution Input: '${msg}'`);
  }
  return { text: raw, value: parsed.value };
}

export interface PreparedExecution {
  rec: ExecutionRecord;
  info: ExecutionInfo;
  sm: StateMachineRecord;
}

/** StartExecution's checks (parameters, target, name, input): the execution to start, not started yet. */
export async function prepareExecution(ctx: ApiContext, p: Params): Promise<PreparedExecution> {
  const v = new Validator().requiredString(p, 'stateMachineArn', { min: 1, max: 256 });
  nameConstraints(v, p, 'name', true).optionalString(p, 'traceHeader', { max: 256 });
  v.check();
  // Without a mock configuration the ARN is taken as it is, as AWS takes it.
  const { arn: targetArn, testCase } = ctx.engine.mocks ? splitTestCase(p.stateMachineArn as string) : { arn: p.stateMachineArn as string, testCase: undefined };
  const { sm, base, versionArn, aliasArn } = await resolveTarget(ctx, targetArn);
  if (testCase !== undefined) checkTestCase(ctx, base.name, testCase);
  const name = p.name === undefined || p.name === null ? randomUUID() : checkNameChars(p.name as string);
  const input = parseInput(p);
  const arn = sm.type === 'EXPRESS' ? expressExecutionArn(base.stateMachineArn, name, randomUUID()) : executionArn(base.stateMachineArn, name);
  const now = ctx.clock.now();
  const rec: ExecutionRecord = {
    executionArn: arn,
    stateMachineArn: base.stateMachineArn,
    name,
    type: sm.type,
    status: 'RUNNING',
    startDate: now,
    input: input.text,
    definition: sm.definition,
    roleArn: sm.roleArn,
    redriveCount: 0,
  };
  if (versionArn) rec.stateMachineVersionArn = versionArn;
  if (aliasArn) rec.stateMachineAliasArn = aliasArn;
  if (typeof p.traceHeader === 'string') rec.traceHeader = p.traceHeader;
  if (sm.revisionId !== undefined) rec.revisionId = sm.revisionId;
  if (testCase !== undefined) rec.testCase = testCase;
  const info: ExecutionInfo = {
    executionArn: arn,
    name,
    stateMachineArn: base.stateMachineArn,
    stateMachineName: base.name,
    roleArn: sm.roleArn,
    startTime: now,
    input: input.value,
    redriveCount: 0,
  };
  if (versionArn) info.stateMachineVersionArn = versionArn;
  if (aliasArn) info.stateMachineAliasArn = aliasArn;
  if (testCase !== undefined) info.testCase = testCase;
  return { rec, info, sm };
}

/** Step Functions Local's `stateMachineArn#TestCase`: the ARN, and the mock configuration's test case. */
function splitTestCase(arn: string): { arn: string; testCase?: string } {
  const at = arn.indexOf('#');
  return at < 0 ? { arn } : { arn: arn.slice(0, at), testCase: arn.slice(at + 1) };
}

/** A test case must be one the server's mock configuration defines for the state machine. */
function checkTestCase(ctx: ApiContext, stateMachineName: string, testCase: string): void {
  const mocks = ctx.engine.mocks!;
  const cases = mocks.stateMachines.get(stateMachineName);
  if (!cases) throw invalidArn(`The mock configuration ${mocks.source} defines no test cases for the state machine '${stateMachineName}'`);
  if (!cases.has(testCase)) throw invalidArn(`The mock configuration ${mocks.source} defines no test case '${testCase}' for the state machine '${stateMachineName}' (it defines: ${[...cases.keys()].join(', ') || 'none'})`);
}

export async function startExecution(ctx: ApiContext, p: Params) {
  const rec = await launchExecution(ctx, await prepareExecution(ctx, p));
  return { executionArn: rec.executionArn, startDate: epoch(rec.startDate) };
}

/**
 * Starts a prepared execution and returns its record. A Standard execution of that name that is running
 * with the same input is returned as it is (StartExecution is idempotent so far); `adopt` may accept a
 * closed one with the same input too (a caller that knows it started it). Anything else of that name is
 * ExecutionAlreadyExists.
 */
export async function launchExecution(ctx: ApiContext, prepared: PreparedExecution, adopt?: (existing: ExecutionRecord) => boolean | Promise<boolean>): Promise<ExecutionRecord> {
  const { rec, info, sm } = prepared;
  const machine = ctx.machine(sm.definition);
  if (sm.type === 'EXPRESS') {
    startExpress(ctx, rec, machine, info);
    return rec;
  }
  const same = async (existing: ExecutionRecord | undefined): Promise<boolean> =>
    existing !== undefined && existing.input === rec.input && (existing.status === 'RUNNING' || (adopt !== undefined && (await adopt(existing))));
  let existing = await ctx.store.getExecution(rec.executionArn);
  if (!existing && (await ctx.engine.startStandard(rec, machine, info))) return rec;
  // Started meanwhile by someone else: the same answer as if it had been there before.
  existing ??= await ctx.store.getExecution(rec.executionArn);
  if (await same(existing)) return existing!;
  throw new ApiError('ExecutionAlreadyExists', `Execution Already Exists: '${rec.executionArn}'`);
}

/** StartExecution for a Task that starts an execution (`states:startExecution`): a refusal is an outcome, not a throw. */
export function executionLauncher(ctx: () => ApiContext): ExecutionLauncher {
  return {
    async start(request, adopt): Promise<StartOutcome> {
      const api = ctx();
      try {
        return { k: 'started', rec: await launchExecution(api, await prepareExecution(api, { ...request }), adopt) };
      } catch (e) {
        if (e instanceof ApiError) return { k: 'refused', code: e.code, message: e.message, status: e.status };
        throw e;
      }
    },
  };
}

/** Starts an Express execution; AWS's throttling answer when the server runs as many as it may at once. */
function startExpress(ctx: ApiContext, rec: ExecutionRecord, machine: Machine, info: ExecutionInfo): ExecutionDriver {
  try {
    return ctx.engine.startExpress(rec, machine, info);
  } catch (e) {
    if (e instanceof ExpressAtCapacity) throw new ApiError('ThrottlingException', 'Rate exceeded');
    throw e;
  }
}

export async function startSyncExecution(ctx: ApiContext, p: Params) {
  const { rec, info, sm } = await prepareExecution(ctx, p);
  if (sm.type !== 'EXPRESS') throw new ApiError('StateMachineTypeNotSupported', 'This operation is not supported by this type of state machine');
  info.startedSync = true;
  const driver = startExpress(ctx, rec, ctx.machine(sm.definition), info);
  const s = await driver.done;
  const stop = ctx.clock.now();
  const out: Record<string, unknown> = {
    executionArn: rec.executionArn,
    stateMachineArn: rec.stateMachineArn,
    name: rec.name,
    startDate: epoch(rec.startDate),
    stopDate: epoch(stop),
    status: s.status,
    input: rec.input,
    inputDetails: { included: true },
    billingDetails: { billedMemoryUsedInMB: 64, billedDurationInMilliseconds: Math.max(100, Math.ceil((stop - rec.startDate) / 100) * 100) },
  };
  if (s.output !== undefined) {
    out.output = JSON.stringify(s.output);
    out.outputDetails = { included: true };
  }
  if (s.error !== undefined) out.error = s.error;
  if (s.cause !== undefined) out.cause = s.cause;
  if (rec.traceHeader) out.traceHeader = rec.traceHeader;
  return out;
}

async function getExecutionOrThrow(ctx: ApiContext, p: Params): Promise<ExecutionRecord> {
  const ref = parseExecutionArn(requiredArn(p, 'executionArn'));
  if (ref.express) {
    const e = ctx.engine.express(ref.arn);
    if (e) return e.rec;
    throw notFoundExecution(ref.arn);
  }
  const rec = await ctx.store.getExecution(ref.arn);
  if (!rec) throw notFoundExecution(ref.arn);
  return rec;
}

export async function redriveExecution(ctx: ApiContext, p: Params) {
  const arnText = requiredArn(p, 'executionArn');
  new Validator().optionalString(p, 'clientToken', { min: 1, max: 64 }).check();
  const ref = parseExecutionArn(arnText);
  if (ref.express) throw invalidArn('Resource type not valid in this context: express');
  const r = await ctx.engine.redrive(ref.arn, p.clientToken as string | undefined);
  switch (r.k) {
    case 'missing':
      throw notFoundExecution(ref.arn);
    case 'refused':
      throw new ApiError('ExecutionNotRedrivable', notRedrivableMessage(ref.arn, r.reason));
    case 'redriven':
      return { redriveDate: epoch(r.redriveDate) };
  }
}

export async function describeExecution(ctx: ApiContext, p: Params) {
  new Validator().optionalEnum(p, 'includedData', ['ALL_DATA', 'METADATA_ONLY']).check();
  const rec = await getExecutionOrThrow(ctx, p);
  return describeRecord(ctx.engine, rec, p.includedData !== 'METADATA_ONLY');
}

export async function listExecutions(ctx: ApiContext, p: Params) {
  new Validator()
    .optionalString(p, 'stateMachineArn', { min: 1, max: 256 })
    .optionalString(p, 'mapRunArn', { min: 1, max: 2000 })
    .optionalEnum(p, 'statusFilter', ['SUCCEEDED', 'TIMED_OUT', 'PENDING_REDRIVE', 'ABORTED', 'FAILED', 'RUNNING'])
    .optionalEnum(p, 'redriveFilter', ['REDRIVEN', 'NOT_REDRIVEN'])
    .check();
  pageParams(p, { tokenMax: 3096 });
  if ((p.stateMachineArn === undefined || p.stateMachineArn === null) && (p.mapRunArn === undefined || p.mapRunArn === null)) {
    throw new ApiError('MissingRequiredParameter', 'Must provide a StateMachine ARN or MapRun ARN');
  }
  if (p.stateMachineArn !== undefined && p.stateMachineArn !== null && p.redriveFilter !== undefined && p.redriveFilter !== null) {
    // AWS filters redriven executions of Map Runs only.
    throw new ApiError('ValidationException', 'RedriveFilter cannot be applied to ListExecutions call with StateMachine ARN');
  }
  if (p.mapRunArn !== undefined && p.mapRunArn !== null) {
    if (p.stateMachineArn !== undefined && p.stateMachineArn !== null) {
      throw new ApiError('ValidationException', 'Only one of stateMachineArn or mapRunArn can be provided.');
    }
    // A Map Run's iterations run inside its parent execution here, not as child executions of their
    // own: a known Map Run lists none.
    if (!(await ctx.engine.mapRuns.get(parseMapRunArn(p.mapRunArn)))) throw resourceNotFound();
    return { executions: [] };
  }
  const ref = parseStateMachineArn(p.stateMachineArn);
  const baseArn = ref.kind === 'base' ? ref.arn : ref.baseArn;
  const exists = ref.kind === 'alias' ? await ctx.store.getAlias(ref.arn) : await ctx.store.getStateMachine(ref.arn);
  if (!exists) throw notFoundStateMachine(ref.arn);
  const base = ref.kind === 'base' ? (exists as StateMachineRecord) : await ctx.store.getStateMachine(baseArn);
  if (base?.type === 'EXPRESS') throw new ApiError('StateMachineTypeNotSupported', 'This operation is not supported by this type of state machine');
  // One page (and one more row, to know whether there is a next) straight from the store.
  const { size, token } = pageParams(p, { tokenMax: 3096 });
  const offset = token?.o ?? 0;
  const rows = await ctx.store.listExecutions({
    stateMachineArn: baseArn,
    status: p.statusFilter as ExecutionStatus | undefined,
    stateMachineVersionArn: ref.kind === 'version' ? ref.arn : undefined,
    stateMachineAliasArn: ref.kind === 'alias' ? ref.arn : undefined,
    offset,
    limit: size + 1,
  });
  const page = rows.slice(0, size);
  const nextToken = rows.length > size ? encodeToken({ o: offset + size, k: page[page.length - 1]!.executionArn }) : undefined;
  const out: Record<string, unknown> = {
    executions: page.map((e) => {
      const item: Record<string, unknown> = {
        executionArn: e.executionArn,
        stateMachineArn: e.stateMachineArn,
        name: e.name,
        status: e.status,
        startDate: epoch(e.startDate),
      };
      if (e.stopDate !== undefined) item.stopDate = epoch(e.stopDate);
      if (e.stateMachineVersionArn) item.stateMachineVersionArn = e.stateMachineVersionArn;
      if (e.stateMachineAliasArn) item.stateMachineAliasArn = e.stateMachineAliasArn;
      item.redriveCount = e.redriveCount;
      if (e.redriveDate !== undefined) item.redriveDate = epoch(e.redriveDate);
      return item;
    }),
  };
  if (nextToken) out.nextToken = nextToken;
  return out;
}

export async function getExecutionHistory(ctx: ApiContext, p: Params) {
  const arnText = requiredArn(p, 'executionArn');
  new Validator().optionalInt(p, 'maxResults', 0, 1000).optionalString(p, 'nextToken', { min: 1, max: 3096 }).check();
  const ref = parseExecutionArn(arnText);
  const size = typeof p.maxResults === 'number' && p.maxResults > 0 ? p.maxResults : 100;
  const reverse = p.reverseOrder === true;
  const includeData = p.includeExecutionData !== false;
  const tok = decodeToken<{ a?: number; b?: number }>(p.nextToken);
  const given = p.nextToken !== undefined && p.nextToken !== null;
  // A token remembers its direction; one from the other direction (or not ours) is invalid.
  if (given && (!tok || (reverse ? typeof tok.b !== 'number' : typeof tok.a !== 'number'))) throw invalidPageToken();
  let events;
  if (ref.express) {
    const all = ctx.engine.expressHistory(ref.arn);
    if (!all) throw notFoundExecution(ref.arn);
    const list = reverse ? [...all].reverse() : all;
    const start = tok ? list.findIndex((e) => (reverse ? e.id < tok.b! : e.id > tok.a!)) : 0;
    // One more than a page, to know whether there is a next (as for Standard below).
    events = start < 0 ? [] : list.slice(start, start + size + 1);
  } else {
    if (!(await ctx.store.getExecution(ref.arn))) throw notFoundExecution(ref.arn);
    events = await ctx.store.getHistory(ref.arn, { afterId: tok?.a, beforeId: tok?.b, reverse, limit: size + 1 });
  }
  const more = events.length > size;
  const page = events.slice(0, size);
  const out: Record<string, unknown> = { events: page.map((e) => toAwsEvent(e, includeData)) };
  if (more && page.length) {
    const last = page[page.length - 1]!;
    out.nextToken = encodeToken(reverse ? { b: last.id } : { a: last.id });
  }
  return out;
}

export async function stopExecution(ctx: ApiContext, p: Params) {
  requiredArn(p, 'executionArn');
  new Validator().optionalString(p, 'error', { max: 256, sensitive: true }).optionalString(p, 'cause', { max: 32768, sensitive: true }).check();
  const rec = await getExecutionOrThrow(ctx, p);
  if (rec.type === 'EXPRESS') {
    throw new ApiError('ValidationException', 'This operation is not supported by Express state machines.');
  }
  const error = typeof p.error === 'string' ? p.error : undefined;
  const cause = typeof p.cause === 'string' ? p.cause : undefined;
  if (rec.status === 'RUNNING') await ctx.engine.stop(rec.executionArn, error, cause);
  const after = await ctx.store.getExecution(rec.executionArn);
  return { stopDate: epoch(after?.stopDate ?? ctx.clock.now()) };
}

export async function describeStateMachineForExecution(ctx: ApiContext, p: Params) {
  new Validator().optionalEnum(p, 'includedData', ['ALL_DATA', 'METADATA_ONLY']).check();
  const rec = await getExecutionOrThrow(ctx, p);
  // AWS names the state machine (not the version) and shows the revision the execution ran.
  const sm = (rec.stateMachineVersionArn && (await ctx.store.getStateMachine(rec.stateMachineVersionArn))) || (await ctx.store.getStateMachine(rec.stateMachineArn));
  const base = await ctx.store.getStateMachine(rec.stateMachineArn);
  const out: Record<string, unknown> = {
    stateMachineArn: rec.stateMachineArn,
    name: base?.name ?? sm?.name ?? rec.stateMachineArn.split(':')[6],
    roleArn: rec.roleArn,
    updateDate: epoch(base?.updateDate ?? base?.creationDate ?? rec.startDate),
    loggingConfiguration: sm?.loggingConfiguration ?? { level: 'OFF', includeExecutionData: false },
    tracingConfiguration: sm?.tracingConfiguration ?? { enabled: false },
  };
  if (p.includedData !== 'METADATA_ONLY') out.definition = rec.definition;
  if (rec.revisionId !== undefined) out.revisionId = rec.revisionId;
  return out;
}

export const _internal = { isObject };
