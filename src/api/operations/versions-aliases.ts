/**
 * State machine versions and aliases: PublishStateMachineVersion, ListStateMachineVersions,
 * DeleteStateMachineVersion, and Create/Describe/Update/Delete/ListStateMachineAlias(es).
 *
 * An alias routes StartExecution to one or two versions of one state machine by weight (0..100, summing
 * to 100); its ARN is the state machine ARN qualified by the alias name. Versions are numbered 1, 2, … and
 * numbers are never reused, even after a deletion.
 * @module
 */
import type { AliasRecord } from '../../store/store.js';
import { parseStateMachineArn } from '../arn.js';
import { epoch, paginate, type ApiContext, type Params } from '../context.js';
import { ApiError, conflict, invalidArn, notFoundStateMachine, resourceNotFound, Validator } from '../errors.js';
import { deleteVersion, publishVersion, requiredArn } from './state-machines.js';

const ALIAS_NAME = /^(?=.*[a-zA-Z_\-.])[a-zA-Z0-9_\-.]+$/;
const ALIAS_NAME_TEXT = '^(?=.*[a-zA-Z_\\-\\.])[a-zA-Z0-9_\\-\\.]+$';
const MAX_DESCRIPTION = 256;

type Routing = { stateMachineVersionArn: string; weight: number }[];

// ---------------------------------------------------------------------------------------------------
// Versions

export async function publishStateMachineVersion(ctx: ApiContext, p: Params) {
  const arn = requiredArn(p, 'stateMachineArn');
  new Validator().optionalString(p, 'description', { max: MAX_DESCRIPTION }).optionalString(p, 'revisionId', { max: 2048 }).check();
  const ref = parseStateMachineArn(arn);
  if (ref.kind !== 'base') throw invalidArn(`Resource type not valid in this context: ${ref.arn}`);
  const sm = await ctx.store.getStateMachine(ref.arn);
  if (!sm) throw notFoundStateMachine(ref.arn);
  if (p.revisionId !== undefined && p.revisionId !== null) {
    // "INITIAL" names the revision of a state machine that was never updated.
    const current = sm.revisionId ?? 'INITIAL';
    if (p.revisionId !== current) {
      throw conflict(`Failed to publish the State Machine version for revision ${String(p.revisionId)}. The current State Machine revision is ${current}.`);
    }
  }
  const v = await publishVersion(ctx, sm, p.description as string | undefined);
  return { stateMachineVersionArn: v.arn, creationDate: epoch(v.creationDate) };
}

export async function listStateMachineVersions(ctx: ApiContext, p: Params) {
  const arn = requiredArn(p, 'stateMachineArn');
  const ref = parseStateMachineArn(arn);
  if (ref.kind !== 'base') throw invalidArn(`Resource type not valid in this context: ${ref.arn}`);
  if (!(await ctx.store.getStateMachine(ref.arn))) throw notFoundStateMachine(ref.arn);
  const versions = (await ctx.store.listVersions(ref.arn)).reverse(); // newest first
  const { page, nextToken } = paginate(versions, p, (v) => v.stateMachineArn);
  const out: Record<string, unknown> = {
    stateMachineVersions: page.map((v) => ({ stateMachineVersionArn: v.stateMachineArn, creationDate: epoch(v.creationDate) })),
  };
  if (nextToken) out.nextToken = nextToken;
  return out;
}

export async function deleteStateMachineVersion(ctx: ApiContext, p: Params) {
  const arn = requiredArn(p, 'stateMachineVersionArn');
  const ref = parseStateMachineArn(arn);
  if (ref.kind !== 'version') throw invalidArn(`Resource type not valid in this context: ${ref.arn}`);
  // Deleting a version that does not exist (any more) succeeds.
  if (await ctx.store.getStateMachine(ref.arn)) await deleteVersion(ctx, ref.arn, ref.baseArn);
  return {};
}

// ---------------------------------------------------------------------------------------------------
// Aliases

/** The Java text AWS's validation prints for a routing configuration list. */
function routingText(list: unknown[]): string {
  return `[${list
    .map((r) => {
      const o = (r ?? {}) as Record<string, unknown>;
      return `RoutingConfigurationListItem(stateMachineVersionArn=${String(o.stateMachineVersionArn ?? null)}, weight=${String(o.weight ?? null)})`;
    })
    .join(', ')}]`;
}

/** Model constraints of a routingConfiguration member (1..2 items, each a version ARN and a weight 0..100). */
function routingConstraints(v: Validator, p: Params, required: boolean): void {
  const rc = p.routingConfiguration;
  if (rc === undefined || rc === null) {
    if (required) v.add(null, 'routingConfiguration', 'Member must not be null');
    return;
  }
  if (!Array.isArray(rc)) throw new ApiError('SerializationException', 'Start of list found where not expected');
  if (rc.length < 1) v.add('[]', 'routingConfiguration', 'Member must have length greater than or equal to 1');
  if (rc.length > 2) v.add(routingText(rc), 'routingConfiguration', 'Member must have length less than or equal to 2');
  rc.forEach((item, i) => {
    const o = (item ?? {}) as Params;
    const at = `routingConfiguration.${i + 1}.member`;
    const arn = o.stateMachineVersionArn;
    if (arn === undefined || arn === null) v.add(null, `${at}.stateMachineVersionArn`, 'Member must not be null');
    else if (typeof arn !== 'string') throw new ApiError('SerializationException', 'STRING_VALUE can not be converted to a String');
    else if (arn.length < 1) v.add(arn, `${at}.stateMachineVersionArn`, 'Member must have length greater than or equal to 1');
    else if (arn.length > 2048) v.add(arn, `${at}.stateMachineVersionArn`, 'Member must have length less than or equal to 2048');
    const w = o.weight;
    if (w === undefined || w === null) v.add(null, `${at}.weight`, 'Member must not be null');
    else if (typeof w !== 'number' || !Number.isInteger(w)) throw new ApiError('SerializationException', 'NUMBER_VALUE can not be converted to an Integer');
    else if (w < 0) v.add(w, `${at}.weight`, 'Member must have value greater than or equal to 0');
    else if (w > 100) v.add(w, `${at}.weight`, 'Member must have value less than or equal to 100');
  });
}

/**
 * The service's rules for a routing configuration that passed the model constraints: version ARNs only,
 * distinct, weights summing to 100, all versions of one state machine (`baseArn` when given), existing.
 * Returns the state machine ARN the versions belong to.
 */
async function checkRouting(ctx: ApiContext, routing: Routing, baseArn?: string): Promise<string> {
  const arns = routing.map((r) => r.stateMachineVersionArn);
  const received = `[${arns.join(', ')}]`;
  const refs = arns.map((a) => {
    try {
      return parseStateMachineArn(a);
    } catch {
      return undefined;
    }
  });
  if (refs.some((r) => r?.kind !== 'version')) {
    throw new ApiError('ValidationException', `Routing configuration must contain state machine version ARNs. Received: ${received}`);
  }
  if (new Set(arns).size !== arns.length) {
    throw new ApiError('ValidationException', `Routing configuration must contain distinct state machine version ARNs. Received: ${received}`);
  }
  const sum = routing.reduce((n, r) => n + r.weight, 0);
  if (sum !== 100) {
    throw new ApiError('ValidationException', `Sum of routing configuration weights must equal 100. Received: [${routing.map((r) => r.weight).join(', ')}]`);
  }
  const bases = new Set(refs.map((r) => (r as { baseArn: string }).baseArn));
  const base = baseArn ?? [...bases][0]!;
  if (bases.size !== 1 || !bases.has(base)) {
    throw new ApiError('ValidationException', `Routing configuration must contain state machine version ARNs of the same state machine. Received: ${received}`);
  }
  if (!(await ctx.store.getStateMachine(base))) throw notFoundStateMachine(base);
  for (const a of arns) if (!(await ctx.store.getStateMachine(a))) throw resourceNotFound();
  return base;
}

function routingOf(p: Params): Routing {
  return (p.routingConfiguration as Params[]).map((r) => ({ stateMachineVersionArn: r.stateMachineVersionArn as string, weight: r.weight as number }));
}

const sameRouting = (a: Routing, b: Routing) =>
  a.length === b.length && a.every((r, i) => r.stateMachineVersionArn === b[i]!.stateMachineVersionArn && r.weight === b[i]!.weight);

function requiredAliasArn(p: Params): ReturnType<typeof parseStateMachineArn> & { kind: 'alias' } {
  const ref = parseStateMachineArn(requiredArn(p, 'stateMachineAliasArn'));
  if (ref.kind !== 'alias') throw invalidArn(`Resource type not valid in this context: ${ref.arn}`);
  return ref;
}

export async function createStateMachineAlias(ctx: ApiContext, p: Params) {
  const v = new Validator()
    .optionalString(p, 'description', { max: MAX_DESCRIPTION })
    .requiredString(p, 'name', { min: 1, max: 80, pattern: ALIAS_NAME, patternText: ALIAS_NAME_TEXT });
  routingConstraints(v, p, true);
  v.check();
  const name = p.name as string;
  const routing = routingOf(p);
  const base = await checkRouting(ctx, routing);
  const arn = `${base}:${name}`;
  const description = p.description as string | undefined;
  const existing = await ctx.store.getAlias(arn);
  if (existing) {
    if ((existing.description ?? undefined) === (description ?? undefined) && sameRouting(existing.routingConfiguration, routing)) {
      return { stateMachineAliasArn: arn, creationDate: epoch(existing.creationDate) };
    }
    throw conflict('Failed to create alias because an alias with the same name and a different routing configuration already exists.');
  }
  const now = ctx.clock.now();
  const rec: AliasRecord = { stateMachineAliasArn: arn, stateMachineArn: base, name, routingConfiguration: routing, creationDate: now, updateDate: now };
  if (description !== undefined && description !== null) rec.description = description;
  await ctx.store.putAlias(rec);
  return { stateMachineAliasArn: arn, creationDate: epoch(now) };
}

export async function describeStateMachineAlias(ctx: ApiContext, p: Params) {
  const ref = requiredAliasArn(p);
  const a = await ctx.store.getAlias(ref.arn);
  if (!a) throw resourceNotFound();
  const out: Record<string, unknown> = {
    stateMachineAliasArn: a.stateMachineAliasArn,
    name: a.name,
    routingConfiguration: a.routingConfiguration,
    creationDate: epoch(a.creationDate),
    updateDate: epoch(a.updateDate ?? a.creationDate),
  };
  if (a.description !== undefined) out.description = a.description;
  return out;
}

export async function updateStateMachineAlias(ctx: ApiContext, p: Params) {
  const ref = requiredAliasArn(p);
  const v = new Validator().optionalString(p, 'description', { max: MAX_DESCRIPTION });
  routingConstraints(v, p, false);
  v.check();
  const given = (k: string) => p[k] !== undefined && p[k] !== null;
  if (!given('description') && !given('routingConfiguration')) {
    throw new ApiError('ValidationException', 'Either the description or the routing configuration must be specified');
  }
  const a = await ctx.store.getAlias(ref.arn);
  if (!a) throw resourceNotFound();
  if (given('routingConfiguration')) {
    const routing = routingOf(p);
    await checkRouting(ctx, routing, a.stateMachineArn);
    a.routingConfiguration = routing;
  }
  if (given('description')) a.description = p.description as string;
  a.updateDate = ctx.clock.now();
  await ctx.store.putAlias(a);
  return { updateDate: epoch(a.updateDate) };
}

export async function deleteStateMachineAlias(ctx: ApiContext, p: Params) {
  const ref = requiredAliasArn(p);
  await ctx.store.deleteAlias(ref.arn);
  return {};
}

export async function listStateMachineAliases(ctx: ApiContext, p: Params) {
  const ref = parseStateMachineArn(requiredArn(p, 'stateMachineArn'));
  if (ref.kind === 'alias') throw invalidArn(`Resource type not valid in this context: ${ref.arn}`);
  const baseArn = ref.kind === 'base' ? ref.arn : ref.baseArn;
  if (!(await ctx.store.getStateMachine(baseArn))) throw notFoundStateMachine(baseArn);
  if (ref.kind === 'version' && !(await ctx.store.getStateMachine(ref.arn))) throw resourceNotFound();
  let aliases = (await ctx.store.listAliases(baseArn)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  if (ref.kind === 'version') aliases = aliases.filter((a) => a.routingConfiguration.some((r) => r.stateMachineVersionArn === ref.arn));
  const { page, nextToken } = paginate(aliases, p, (a) => a.name);
  const out: Record<string, unknown> = {
    stateMachineAliases: page.map((a) => ({ stateMachineAliasArn: a.stateMachineAliasArn, creationDate: epoch(a.creationDate) })),
  };
  if (nextToken) out.nextToken = nextToken;
  return out;
}
