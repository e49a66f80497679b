/**
 * Activities and task tokens: CreateActivity, DescribeActivity, ListActivities, DeleteActivity,
 * GetActivityTask (long poll), SendTaskSuccess, SendTaskFailure, SendTaskHeartbeat.
 * @module
 */
import { tryParseJson, toJsonText } from '../../shared/json.js';
import { activityArn, parseActivityArn } from '../arn.js';
import { decodeToken, encodeToken, epoch, type ApiContext, type Params } from '../context.js';
import { ApiError, invalidToken, notFoundActivity, validation } from '../errors.js';
import { checkName } from '../names.js';

/** How long GetActivityTask waits for a task (AWS: 60 s). */
export const ACTIVITY_POLL_MS = 60000;

export async function createActivity(ctx: ApiContext, p: Params) {
  const name = checkName(p.name);
  const arn = activityArn(ctx.region, ctx.accountId, name);
  const existing = await ctx.store.getActivity(arn);
  if (existing) return { activityArn: arn, creationDate: epoch(existing.creationDate) };
  const rec = { activityArn: arn, name, creationDate: ctx.clock.now() };
  await ctx.store.putActivity(rec);
  ctx.engine.activityArns.add(arn);
  if (Array.isArray(p.tags) && p.tags.length) {
    const tags: Record<string, string> = {};
    for (const t of p.tags as { key: string; value: string }[]) tags[t.key] = t.value;
    await ctx.store.setTags(arn, tags);
  }
  return { activityArn: arn, creationDate: epoch(rec.creationDate) };
}

export async function describeActivity(ctx: ApiContext, p: Params) {
  const arn = parseActivityArn(p.activityArn);
  const rec = await ctx.store.getActivity(arn);
  if (!rec) throw notFoundActivity(arn);
  return { activityArn: rec.activityArn, name: rec.name, creationDate: epoch(rec.creationDate) };
}

export async function listActivities(ctx: ApiContext, p: Params) {
  const all = await ctx.store.listActivities();
  const size = typeof p.maxResults === 'number' && p.maxResults > 0 ? Math.min(p.maxResults, 1000) : 100;
  const from = decodeToken<{ o: number }>(p.nextToken)?.o ?? 0;
  const out: Record<string, unknown> = {
    activities: all.slice(from, from + size).map((a) => ({ activityArn: a.activityArn, name: a.name, creationDate: epoch(a.creationDate) })),
  };
  if (from + size < all.length) out.nextToken = encodeToken({ o: from + size });
  return out;
}

export async function deleteActivity(ctx: ApiContext, p: Params) {
  const arn = parseActivityArn(p.activityArn);
  await ctx.store.deleteActivity(arn);
  ctx.engine.activityArns.delete(arn);
  ctx.engine.activities.forget(arn);
  return {};
}

export async function getActivityTask(ctx: ApiContext, p: Params, signal?: AbortSignal) {
  const arn = parseActivityArn(p.activityArn);
  if (!(await ctx.store.getActivity(arn))) throw notFoundActivity(arn);
  if (p.workerName !== undefined && (typeof p.workerName !== 'string' || p.workerName.length > 80)) {
    throw validation(p.workerName, 'workerName', 'Member must have length less than or equal to 80');
  }
  const task = await ctx.engine.activities.poll(arn, p.workerName as string | undefined, ACTIVITY_POLL_MS, signal);
  if (!task) return {};
  return { taskToken: task.taskToken, input: toJsonText(task.input) };
}

function tokenOf(p: Params): string {
  const t = p.taskToken;
  if (typeof t !== 'string' || !t) throw new ApiError('MissingRequiredParameter', "Missing required parameter: 'taskToken'");
  if (t.length > 2048) throw validation(t, 'taskToken', 'Member must have length less than or equal to 2048');
  return t;
}

function openTask(ctx: ApiContext, token: string) {
  const cb = ctx.engine.taskByToken(token);
  if (cb) return cb;
  // A well-formed token of ours whose task is over is TaskTimedOut; anything else is InvalidToken.
  const decoded = decodeToken<{ e?: string; s?: number }>(token);
  if (decoded && typeof decoded.e === 'string' && typeof decoded.s === 'number') {
    throw new ApiError('TaskTimedOut', 'Task Timed Out: \'Provided task does not exist anymore\'');
  }
  throw invalidToken('Invalid token');
}

export async function sendTaskSuccess(ctx: ApiContext, p: Params) {
  const token = tokenOf(p);
  const text = typeof p.output === 'string' ? p.output : undefined;
  if (text === undefined) throw new ApiError('MissingRequiredParameter', "Missing required parameter: 'output'");
  const parsed = tryParseJson(text);
  if (!parsed.ok) throw new ApiError('InvalidOutput', `Invalid Output: '${parsed.message}'`);
  openTask(ctx, token).succeeded(parsed.value);
  return {};
}

export async function sendTaskFailure(ctx: ApiContext, p: Params) {
  const token = tokenOf(p);
  openTask(ctx, token).failed(typeof p.error === 'string' ? p.error : undefined, typeof p.cause === 'string' ? p.cause : undefined);
  return {};
}

export async function sendTaskHeartbeat(ctx: ApiContext, p: Params) {
  const token = tokenOf(p);
  openTask(ctx, token).heartbeat();
  return {};
}
