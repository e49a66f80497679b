/**
 * Activities and task tokens: CreateActivity, DescribeActivity, ListActivities, DeleteActivity,
 * GetActivityTask (long poll), SendTaskSuccess, SendTaskFailure, SendTaskHeartbeat.
 * @module
 */
import { tryParseJson, toJsonText } from '../../shared/json.js';
import { activityArn, parseActivityArn } from '../arn.js';
import { epoch, paginate, type ApiContext, type Params } from '../context.js';
import { isTaskTokenShaped } from '../../interpreter/states/task.js';
import { ApiError, invalidToken, notFoundActivity, shortened, Validator } from '../errors.js';
import { checkNameChars, nameConstraints } from '../names.js';
import { requiredArn } from './state-machines.js';

export async function createActivity(ctx: ApiContext, p: Params) {
  nameConstraints(new Validator(), p).check();
  const name = checkNameChars(p.name as string);
  const arn = activityArn(ctx.region, ctx.accountId, name);
  const existing = await ctx.store.getActivity(arn);
  if (existing) return { activityArn: arn, creationDate: epoch(existing.creationDate) };
  const rec = { activityArn: arn, name, creationDate: ctx.clock.now() };
  await ctx.store.putActivity(rec);
  ctx.engine.activities.arns.add(arn);
  if (Array.isArray(p.tags) && p.tags.length) {
    const tags: Record<string, string> = {};
    for (const t of p.tags as { key: string; value: string }[]) tags[t.key] = t.value;
    await ctx.store.setTags(arn, tags);
  }
  return { activityArn: arn, creationDate: epoch(rec.creationDate) };
}

export async function describeActivity(ctx: ApiContext, p: Params) {
  const arn = parseActivityArn(requiredArn(p, 'activityArn'));
  const rec = await ctx.store.getActivity(arn);
  if (!rec) throw notFoundActivity(arn);
  return { activityArn: rec.activityArn, name: rec.name, creationDate: epoch(rec.creationDate) };
}

export async function listActivities(ctx: ApiContext, p: Params) {
  const all = (await ctx.store.listActivities()).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const { page, nextToken } = paginate(all, p, (a) => a.name);
  const out: Record<string, unknown> = {
    activities: page.map((a) => ({ activityArn: a.activityArn, name: a.name, creationDate: epoch(a.creationDate) })),
  };
  if (nextToken) out.nextToken = nextToken;
  return out;
}

export async function deleteActivity(ctx: ApiContext, p: Params) {
  const arn = parseActivityArn(requiredArn(p, 'activityArn'));
  await ctx.store.deleteActivity(arn);
  ctx.engine.activities.arns.delete(arn);
  return {};
}

export async function getActivityTask(ctx: ApiContext, p: Params, signal?: AbortSignal) {
  const arnText = requiredArn(p, 'activityArn');
  new Validator().optionalString(p, 'workerName', { min: 1, max: 80 }).check();
  const arn = parseActivityArn(arnText);
  if (!(await ctx.store.getActivity(arn))) throw notFoundActivity(arn);
  const task = await ctx.engine.activities.poll(arn, p.workerName as string | undefined, undefined, signal);
  if (!task) return {};
  return { taskToken: task.taskToken, input: toJsonText(task.input) };
}

function tokenOf(p: Params, v = new Validator()): string {
  v.requiredString(p, 'taskToken', { min: 1, max: 2048 }).check();
  return p.taskToken as string;
}

/** No open task has the token: a well-formed token of ours is TaskTimedOut; anything else InvalidToken. */
function noTask(token: string): ApiError {
  if (isTaskTokenShaped(token)) return new ApiError('TaskTimedOut', 'Task Timed Out: \'Provided task does not exist anymore\'');
  return invalidToken('Invalid token');
}

export async function sendTaskSuccess(ctx: ApiContext, p: Params) {
  const token = tokenOf(p, new Validator().requiredString(p, 'output', { max: 262144, sensitive: true }));
  const text = p.output as string;
  const parsed = tryParseJson(text);
  if (!parsed.ok) throw new ApiError('InvalidOutput', `Invalid Output: '${shortened(parsed.message)}'`);
  if (!(await ctx.engine.tokens.complete(token, { k: 'succeeded', output: parsed.value }))) throw noTask(token);
  return {};
}

export async function sendTaskFailure(ctx: ApiContext, p: Params) {
  const token = tokenOf(p, new Validator().optionalString(p, 'error', { max: 256, sensitive: true }).optionalString(p, 'cause', { max: 32768, sensitive: true }));
  const outcome: { k: 'failed'; error?: string; cause?: string } = { k: 'failed' };
  if (typeof p.error === 'string') outcome.error = p.error;
  if (typeof p.cause === 'string') outcome.cause = p.cause;
  if (!(await ctx.engine.tokens.complete(token, outcome))) throw noTask(token);
  return {};
}

export async function sendTaskHeartbeat(ctx: ApiContext, p: Params) {
  const token = tokenOf(p);
  if (!(await ctx.engine.tokens.heartbeat(token))) throw noTask(token);
  return {};
}
