/**
 * Tags: TagResource, UntagResource, ListTagsForResource.
 * @module
 */
import { parseStatesArn } from '../arn.js';
import type { ApiContext, Params } from '../context.js';
import { ApiError } from '../errors.js';

async function exists(ctx: ApiContext, arn: string): Promise<boolean> {
  const p = parseStatesArn(arn);
  if (p.resourceType === 'stateMachine') return !!(await ctx.store.getStateMachine(arn)) || !!(await ctx.store.getAlias(arn));
  if (p.resourceType === 'activity') return !!(await ctx.store.getActivity(arn));
  return false;
}

async function resource(ctx: ApiContext, p: Params): Promise<string> {
  const arn = p.resourceArn;
  if (typeof arn !== 'string') throw new ApiError('MissingRequiredParameter', "Missing required parameter: 'resourceArn'");
  if (!(await exists(ctx, arn))) throw new ApiError('ResourceNotFound', `Resource not found: '${arn}'`);
  return arn;
}

export async function tagResource(ctx: ApiContext, p: Params) {
  const arn = await resource(ctx, p);
  const tags = await ctx.store.getTags(arn);
  for (const t of (Array.isArray(p.tags) ? p.tags : []) as { key: string; value: string }[]) tags[t.key] = t.value;
  if (Object.keys(tags).length > 50) throw new ApiError('TooManyTags', 'Too many tags', 400);
  await ctx.store.setTags(arn, tags);
  return {};
}

export async function untagResource(ctx: ApiContext, p: Params) {
  const arn = await resource(ctx, p);
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
