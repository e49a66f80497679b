/**
 * The console's read endpoints (JSON): state machines with execution counts, executions (filtered,
 * paged, with the number of task tokens a running one waits on), open task tokens (of an execution, or
 * of all), an execution's log lines. Standard executions are read from the store; Express ones from
 * the engine's memory (running ones, and the most recently ended within the engine's bound: see
 * runtime/express.ts).
 * @module
 */
import { logLines, type AwsEvent, type LogLevel } from '../../history/timeline.js';
import { toAwsEvent, type HistoryEvent } from '../../interpreter/history.js';
import { toJsonText } from '../../shared/json.js';
import { matchesExecutionQuery, type ExecutionQuery, type ExecutionRecord, type ExecutionStatus, type TaskRow } from '../../store/store.js';
import type { ApiContext } from '../context.js';
import { invalid, notFound } from './http.js';

const STATUSES: ExecutionStatus[] = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'PENDING_REDRIVE'];
const LEVELS: LogLevel[] = ['ALL', 'ERROR', 'FATAL', 'OFF'];
export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 1000;

const seconds = (ms: number) => ms / 1000;

export async function stateMachines(ctx: ApiContext) {
  const express = ctx.engine.expressExecutions();
  const out = [];
  for (const sm of await ctx.store.listStateMachines()) {
    const counts: Partial<Record<ExecutionStatus, number>> = { ...(await ctx.store.countExecutions(sm.stateMachineArn)) };
    for (const e of express) if (e.stateMachineArn === sm.stateMachineArn) counts[e.status] = (counts[e.status] ?? 0) + 1;
    out.push({
      stateMachineArn: sm.stateMachineArn,
      name: sm.name,
      type: sm.type,
      creationDate: seconds(sm.creationDate),
      loggingConfiguration: sm.loggingConfiguration ?? { level: 'OFF', includeExecutionData: false },
      counts,
    });
  }
  return { stateMachines: out };
}

/** A non-negative integer query parameter, or undefined when absent or empty. */
function intParam(q: URLSearchParams, name: string, min = 0, max = Number.MAX_SAFE_INTEGER): number | undefined {
  const raw = q.get(name);
  if (raw === null || raw === '') return undefined;
  if (!/^\d+$/.test(raw)) throw invalid(`${name} must be an integer, got '${raw}'`);
  const n = Number(raw);
  if (n < min || n > max) throw invalid(`${name} must be between ${min} and ${max}, got ${raw}`);
  return n;
}

function executionItem(e: ExecutionRecord) {
  const item: Record<string, unknown> = {
    executionArn: e.executionArn,
    stateMachineArn: e.stateMachineArn,
    stateMachineName: e.stateMachineArn.split(':')[6] ?? '',
    name: e.name,
    type: e.type,
    status: e.status,
    startDate: seconds(e.startDate),
    redriveCount: e.redriveCount,
  };
  if (e.stopDate !== undefined) item.stopDate = seconds(e.stopDate);
  return item;
}

/** `executions?stateMachineArn=&status=&name=&from=&to=&offset=&limit=` (from/to epoch ms, inclusive). */
export async function executions(ctx: ApiContext, params: URLSearchParams) {
  const status = params.get('status') || undefined;
  if (status !== undefined && !STATUSES.includes(status as ExecutionStatus)) throw invalid(`status must be one of ${STATUSES.join(', ')}, got '${status}'`);
  const q: ExecutionQuery = {};
  const sm = params.get('stateMachineArn');
  if (sm) q.stateMachineArn = sm;
  if (status) q.status = status as ExecutionStatus;
  const name = params.get('name');
  if (name) q.name = name;
  const from = intParam(params, 'from');
  const to = intParam(params, 'to');
  if (from !== undefined) q.startedFrom = from;
  if (to !== undefined) q.startedTo = to;
  const offset = intParam(params, 'offset') ?? 0;
  const limit = intParam(params, 'limit', 1, MAX_LIMIT) ?? DEFAULT_LIMIT;
  const express = ctx.engine.expressExecutions().filter((r) => matchesExecutionQuery(r, q));
  let rows: ExecutionRecord[];
  if (express.length === 0) rows = await ctx.store.listExecutions({ ...q, offset, limit: limit + 1 });
  else {
    // Express executions live in memory only: merged into the store's newest-first order.
    const stored = await ctx.store.listExecutions({ ...q, offset: 0, limit: offset + limit + 1 });
    rows = [...stored, ...express].sort((a, b) => b.startDate - a.startDate).slice(offset, offset + limit + 1);
  }
  const items = [];
  for (const rec of rows.slice(0, limit)) {
    const item = executionItem(rec);
    // Running executions say how many task tokens they wait on (the list marks them).
    if (rec.status === 'RUNNING' && rec.type !== 'EXPRESS') item.waitingTasks = (await openTaskItems(ctx, rec)).length;
    items.push(item);
  }
  return { executions: items, hasMore: rows.length > limit };
}

/** The execution's record (Standard: store; Express: memory); 404 when unknown. */
export async function executionOf(ctx: ApiContext, arn: string): Promise<ExecutionRecord> {
  const ex = ctx.engine.express(arn);
  if (ex) return ex.rec;
  const rec = await ctx.store.getExecution(arn);
  if (!rec) throw notFound(`Execution Does Not Exist: '${arn}'`);
  return rec;
}

/** The execution's events with id > `after`, in order. */
export async function historyAfter(ctx: ApiContext, rec: ExecutionRecord, after: number): Promise<HistoryEvent[]> {
  if (rec.type === 'EXPRESS') return (ctx.engine.expressHistory(rec.executionArn) ?? []).filter((e) => e.id > after);
  const out: HistoryEvent[] = [];
  for (let last = after; ; ) {
    const page = await ctx.store.getHistory(rec.executionArn, { afterId: last, limit: 1000 });
    out.push(...page);
    if (page.length < 1000) return out;
    last = page[page.length - 1]!.id;
  }
}

/** A task row as the console shows it; undefined for tasks that wait on no token. */
function taskItem(row: TaskRow): Record<string, unknown> | undefined {
  const c = row.command;
  const r = c.resource;
  const kind = r.kind === 'activity' ? 'activity' : r.kind === 'service' && r.pattern === 'callback' ? 'callback' : undefined;
  if (!kind || !row.token) return undefined;
  const item: Record<string, unknown> = { stateName: c.stateName, kind, token: row.token, input: toJsonText(c.input), createdAt: row.createdAt };
  if (c.heartbeatSeconds !== undefined) item.heartbeatSeconds = c.heartbeatSeconds;
  if (c.timeoutSeconds !== undefined) item.timeoutSeconds = c.timeoutSeconds;
  if (r.kind === 'activity') item.activityArn = r.arn;
  return item;
}

/** The open task tokens of a record: callback tasks (`.waitForTaskToken`) and activity tasks. */
async function openTaskItems(ctx: ApiContext, rec: ExecutionRecord): Promise<Record<string, unknown>[]> {
  if (rec.type === 'EXPRESS' || rec.status !== 'RUNNING') return [];
  const out = [];
  for (const row of await ctx.store.openTasks(rec.executionArn)) {
    const item = taskItem(row);
    if (item) out.push(item);
  }
  return out;
}

/**
 * The open task tokens of an execution. Express executions' tasks are not listed (their tokens cannot
 * be answered through the API here).
 */
export async function tasks(ctx: ApiContext, arn: string) {
  return { tasks: await openTaskItems(ctx, await executionOf(ctx, arn)) };
}

/** How many open task tokens the Waiting view lists at most (the oldest). */
const MAX_WAITING = 1000;

/**
 * Every open task token of every running Standard execution, with its execution; oldest first, at
 * most MAX_WAITING (`truncated` says when there are more). One store query, however many executions run.
 */
export async function allTasks(ctx: ApiContext) {
  const rows = await ctx.store.tokenTasks(MAX_WAITING + 1);
  const records = new Map<string, ExecutionRecord | undefined>();
  const out: Record<string, unknown>[] = [];
  for (const row of rows.slice(0, MAX_WAITING)) {
    const item = taskItem(row);
    if (!item) continue;
    if (!records.has(row.executionArn)) records.set(row.executionArn, await ctx.store.getExecution(row.executionArn));
    const rec = records.get(row.executionArn);
    if (!rec) continue;
    out.push({ executionArn: rec.executionArn, executionName: rec.name, stateMachineArn: rec.stateMachineArn, stateMachineName: rec.stateMachineArn.split(':')[6] ?? '', ...item });
  }
  return { tasks: out, truncated: rows.length > MAX_WAITING };
}

/** `logs?level=`: the execution's log lines at a level (default: the state machine's configured one). */
export async function logs(ctx: ApiContext, arn: string, params: URLSearchParams) {
  const rec = await executionOf(ctx, arn);
  const asked = params.get('level') || undefined;
  if (asked !== undefined && !LEVELS.includes(asked as LogLevel)) throw invalid(`level must be one of ${LEVELS.join(', ')}, got '${asked}'`);
  const sm = (rec.stateMachineVersionArn && (await ctx.store.getStateMachine(rec.stateMachineVersionArn))) || (await ctx.store.getStateMachine(rec.stateMachineArn));
  const configuredRaw = (sm?.loggingConfiguration as { level?: unknown } | undefined)?.level;
  const configuredLevel: LogLevel = LEVELS.includes(configuredRaw as LogLevel) ? (configuredRaw as LogLevel) : 'OFF';
  const level = (asked as LogLevel | undefined) ?? configuredLevel;
  const events = (await historyAfter(ctx, rec, 0)).map((e) => toAwsEvent(e) as AwsEvent);
  return { level, configuredLevel, lines: logLines(events, level) };
}
