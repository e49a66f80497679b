/**
 * State machine operations: Create, Describe, List, Update, Delete, ValidateStateMachineDefinition.
 * @module
 */
import { randomUUID } from 'node:crypto';
import { invalidDefinitionMessage, validateDefinition, validationResponse } from '../../asl/validate.js';
import type { StateMachineRecord, StateMachineType } from '../../store/store.js';
import { parseStateMachineArn, stateMachineArn } from '../arn.js';
import { decodeToken, encodeToken, epoch, type ApiContext, type Params } from '../context.js';
import { ApiError, invalidArn, notFoundStateMachine, validation } from '../errors.js';
import { checkName } from '../names.js';

const DEFAULT_LOGGING = { level: 'OFF', includeExecutionData: false };
const DEFAULT_TRACING = { enabled: false };

function requireString(p: Params, field: string): string {
  const v = p[field];
  if (v === undefined || v === null) throw new ApiError('MissingRequiredParameter', `Missing required parameter: '${field}'`);
  if (typeof v !== 'string') throw validation(v, field, 'Member must be a string');
  return v;
}

function smType(v: unknown): StateMachineType {
  if (v === undefined || v === null) return 'STANDARD';
  if (v !== 'STANDARD' && v !== 'EXPRESS') throw validation(v, 'type', 'Member must satisfy enum value set: [STANDARD, EXPRESS]');
  return v;
}

export function checkDefinition(definition: string, type: StateMachineType): void {
  const diags = validateDefinition(definition, { type }).filter((d) => d.severity === 'ERROR');
  if (diags.length) throw new ApiError('InvalidDefinition', invalidDefinitionMessage(definition, diags));
}

function checkRoleArn(v: unknown): string {
  if (typeof v !== 'string' || !v) throw new ApiError('MissingRequiredParameter', "Missing required parameter: 'roleArn'");
  if (!/^arn:aws[a-z-]*:iam::\d{12}:role\//.test(v)) throw invalidArn(`Invalid ARN prefix: ${v}`);
  return v;
}

/** The record for any state machine ARN (base or version); throws StateMachineDoesNotExist. */
export async function getStateMachineOrThrow(ctx: ApiContext, arn: unknown): Promise<StateMachineRecord> {
  const ref = parseStateMachineArn(arn);
  if (ref.kind === 'alias') throw invalidArn(`Resource type not valid in this context: ${ref.arn}`);
  const rec = await ctx.store.getStateMachine(ref.arn);
  if (!rec) throw notFoundStateMachine(ref.arn);
  return rec;
}

export async function publishVersion(ctx: ApiContext, sm: StateMachineRecord, description: string | undefined): Promise<string> {
  const n = sm.versionCount + 1;
  const arn = `${sm.stateMachineArn}:${n}`;
  await ctx.store.putStateMachine({ ...sm, stateMachineArn: arn, versionOf: sm.stateMachineArn, versionNumber: n, creationDate: ctx.clock.now(), description, versionCount: 0 });
  await ctx.store.putStateMachine({ ...sm, versionCount: n });
  return arn;
}

export async function createStateMachine(ctx: ApiContext, p: Params) {
  const name = checkName(p.name);
  const definition = requireString(p, 'definition');
  const roleArn = checkRoleArn(p.roleArn);
  const type = smType(p.type);
  if (p.versionDescription !== undefined && p.publish !== true) {
    throw new ApiError('ValidationException', 'Version description can only be set when publish is true');
  }
  checkDefinition(definition, type);
  const arn = stateMachineArn(ctx.region, ctx.accountId, name);
  const existing = await ctx.store.getStateMachine(arn);
  if (existing) {
    if (existing.definition === definition && existing.roleArn === roleArn && existing.type === type) {
      return { stateMachineArn: arn, creationDate: epoch(existing.creationDate) };
    }
    throw new ApiError('StateMachineAlreadyExists', `State Machine Already Exists: '${arn}'`);
  }
  const rec: StateMachineRecord = {
    stateMachineArn: arn,
    name,
    type,
    definition,
    roleArn,
    creationDate: ctx.clock.now(),
    status: 'ACTIVE',
    revisionId: randomUUID(),
    loggingConfiguration: p.loggingConfiguration ?? DEFAULT_LOGGING,
    tracingConfiguration: p.tracingConfiguration ?? DEFAULT_TRACING,
    encryptionConfiguration: p.encryptionConfiguration,
    versionCount: 0,
  };
  await ctx.store.putStateMachine(rec);
  if (Array.isArray(p.tags) && p.tags.length) {
    const tags: Record<string, string> = {};
    for (const t of p.tags as { key: string; value: string }[]) tags[t.key] = t.value;
    await ctx.store.setTags(arn, tags);
  }
  const out: Record<string, unknown> = { stateMachineArn: arn, creationDate: epoch(rec.creationDate) };
  if (p.publish === true) out.stateMachineVersionArn = await publishVersion(ctx, rec, p.versionDescription as string | undefined);
  return out;
}

export function describeRecord(rec: StateMachineRecord, includeDefinition = true) {
  const out: Record<string, unknown> = {
    stateMachineArn: rec.stateMachineArn,
    name: rec.name,
    status: rec.status,
    roleArn: rec.roleArn,
    type: rec.type,
    creationDate: epoch(rec.creationDate),
    loggingConfiguration: rec.loggingConfiguration,
    tracingConfiguration: rec.tracingConfiguration,
  };
  if (includeDefinition) out.definition = rec.definition;
  if (rec.versionOf) {
    if (rec.description !== undefined) out.description = rec.description;
  } else out.revisionId = rec.revisionId;
  if (rec.encryptionConfiguration) out.encryptionConfiguration = rec.encryptionConfiguration;
  return out;
}

export async function describeStateMachine(ctx: ApiContext, p: Params) {
  const rec = await getStateMachineOrThrow(ctx, p.stateMachineArn);
  return describeRecord(rec, p.includedData !== 'METADATA_ONLY');
}

function pageSize(v: unknown): number {
  if (v === undefined || v === null || v === 0) return 100;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 1000) throw validation(v, 'maxResults', 'Member must have value less than or equal to 1000');
  return v;
}

export async function listStateMachines(ctx: ApiContext, p: Params) {
  const all = await ctx.store.listStateMachines();
  const size = pageSize(p.maxResults);
  const from = decodeToken<{ o: number }>(p.nextToken)?.o ?? 0;
  const page = all.slice(from, from + size);
  const out: Record<string, unknown> = {
    stateMachines: page.map((m) => ({ stateMachineArn: m.stateMachineArn, name: m.name, type: m.type, creationDate: epoch(m.creationDate) })),
  };
  if (from + size < all.length) out.nextToken = encodeToken({ o: from + size });
  return out;
}

export async function updateStateMachine(ctx: ApiContext, p: Params) {
  const ref = parseStateMachineArn(p.stateMachineArn);
  if (ref.kind !== 'base') throw invalidArn(`Resource type not valid in this context: ${ref.arn}`);
  const rec = await ctx.store.getStateMachine(ref.arn);
  if (!rec) throw notFoundStateMachine(ref.arn);
  if (p.definition === undefined && p.roleArn === undefined && p.loggingConfiguration === undefined && p.tracingConfiguration === undefined && p.publish !== true) {
    throw new ApiError('MissingRequiredParameter', 'Either the definition, the role ARN, the LoggingConfiguration, the EncryptionConfiguration or the TracingConfiguration must be specified');
  }
  if (p.versionDescription !== undefined && p.publish !== true) {
    throw new ApiError('ValidationException', 'Version description can only be set when publish is true');
  }
  const next = { ...rec };
  if (p.definition !== undefined) {
    const def = requireString(p, 'definition');
    checkDefinition(def, rec.type);
    next.definition = def;
  }
  if (p.roleArn !== undefined) next.roleArn = checkRoleArn(p.roleArn);
  if (p.loggingConfiguration !== undefined) next.loggingConfiguration = p.loggingConfiguration;
  if (p.tracingConfiguration !== undefined) next.tracingConfiguration = p.tracingConfiguration;
  if (p.encryptionConfiguration !== undefined) next.encryptionConfiguration = p.encryptionConfiguration;
  const changed = next.definition !== rec.definition || next.roleArn !== rec.roleArn || JSON.stringify(next.loggingConfiguration) !== JSON.stringify(rec.loggingConfiguration) || JSON.stringify(next.tracingConfiguration) !== JSON.stringify(rec.tracingConfiguration);
  if (changed) {
    next.revisionId = randomUUID();
    next.updateDate = ctx.clock.now();
  }
  await ctx.store.putStateMachine(next);
  const out: Record<string, unknown> = { updateDate: epoch(next.updateDate ?? ctx.clock.now()), revisionId: next.revisionId };
  if (p.publish === true) out.stateMachineVersionArn = await publishVersion(ctx, next, p.versionDescription as string | undefined);
  return out;
}

export async function deleteStateMachine(ctx: ApiContext, p: Params) {
  const ref = parseStateMachineArn(p.stateMachineArn);
  if (ref.kind === 'version') {
    await ctx.store.deleteStateMachine(ref.arn);
    return {};
  }
  if (ref.kind !== 'base') throw invalidArn(`Resource type not valid in this context: ${ref.arn}`);
  const rec = await ctx.store.getStateMachine(ref.arn);
  if (rec) {
    for (let n = 1; n <= rec.versionCount; n++) await ctx.store.deleteStateMachine(`${ref.arn}:${n}`);
    for (const a of await ctx.store.listAliases(ref.arn)) await ctx.store.deleteAlias(a.stateMachineAliasArn);
    await ctx.store.deleteStateMachine(ref.arn);
  }
  return {};
}

export async function validateStateMachineDefinition(_ctx: ApiContext, p: Params) {
  const definition = requireString(p, 'definition');
  const type = smType(p.type);
  let diags = validateDefinition(definition, { type });
  if (p.severity === 'ERROR') diags = diags.filter((d) => d.severity === 'ERROR');
  return validationResponse(diags, typeof p.maxResults === 'number' && p.maxResults > 0 ? p.maxResults : undefined);
}
