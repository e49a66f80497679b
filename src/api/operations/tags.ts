/**
 * Tags: TagResource, UntagResource, ListTagsForResource. Only state machines and activities take tags
 * (AWS: a version or alias ARN is "Resource not found").
 * @module
 */
import { parseStatesArn } from '../arn.js';
import type { ApiContext, Params } from '../context.js';
import { ApiError, shortened, Validator } from '../errors.js';
import { requiredArn } from './state-machines.js';

const MAX_TAGS = 50;

async function exists(ctx: ApiContext, arn: string): Promise<boolean> {
  const p = parseStatesArn(arn);
  if (p.resourceType === 'stateMachine') return p.rest.length === 1 && !!(await ctx.store.getStateMachine(arn));
  if (p.resourceType === 'activity') return !!(await ctx.store.getActivity(arn));
  return false;
}

async function resource(ctx: ApiContext, p: Params, v = new Validator()): Promise<string> {
  const arn = requiredArn(p, 'resourceArn');
  v.check();
  if (!(await exists(ctx, arn))) throw new ApiError('ResourceNotFound', `Resource not found: '${shortened(arn)}'`);
  return arn;
}

export async function tagResource(ctx: ApiContext, p: Params) {
  const v = new Validator();
  if (p.tags === undefined || p.tags === null) v.add(null, 'tags', 'Member must not be null');
  const list = (Array.isArray(p.tags) ? p.tags : []) as { key?: unknown; value?: unknown }[];
  list.forEach((t, i) => {
    v.requiredString(t as Params, 'key', { min: 1, max: 128 });
    v.optionalString(t as Params, 'value', { max: 256 });
    for (const x of v.violations) if (x.field === 'key' || x.field === 'value') x.field = `tags.${i + 1}.member.${x.field}`;
  });
  const arn = await resource(ctx, p, v);
  const tags = await ctx.store.getTags(arn);
  for (const t of list) tags[t.key as string] = typeof t.value === 'string' ? t.value : '';
  if (Object.keys(tags).length > MAX_TAGS) throw new ApiError('TooManyTags', `Too many tags: a resource can have at most ${MAX_TAGS} tags`);
  await ctx.store.setTags(arn, tags);
  return {};
}

export async function untagResource(ctx: ApiContext, p: Params) {
  const v = new Validator();
  if (p.tagKeys === undefined || p.tagKeys === null) v.add(null, 'tagKeys', 'Member must not be null');
  const arn = await resource(ctx, p, v);
  const tags = await ctx.store.getTags(arn);
  for (const k of (Array.isArray(p.tagKeys) ? p.tagKeys : []) as string[]) delete tags[k];
  await ctx.store.setTags(arn, tags);
  return {};
}

export async function listTagsForResource(ctx: ApiContext, p: Params) {
  const arn = await resource(ctx, p);
  const tags = await ctx.store.getTags(arn);
  return { tags: Object.entries(tags).map(([key, value]) => ({ key, value })) };
}
