/**
 * State machine operations: Create, Describe, List, Update, Delete, ValidateStateMachineDefinition.
 * Revisions and versions follow AWS: a new state machine has no revisionId; every update that changes
 * it assigns a new one; publishing (publish: true, PublishStateMachineVersion) is idempotent per revision.
 * @module
 */
import { randomUUID } from 'node:crypto';
import { invalidDefinitionMessage, validateDefinition, validationResponse } from '../../asl/validate.js';
import type { StateMachineRecord, StateMachineType } from '../../store/store.js';
import { parseStateMachineArn, stateMachineArn } from '../arn.js';
import { epoch, paginate, type ApiContext, type Params } from '../context.js';
import { ApiError, conflict, invalidArn, notFoundStateMachine, Validator } from '../errors.js';
import { checkNameChars, nameConstraints } from '../names.js';

const TYPES = ['STANDARD', 'EXPRESS'] as const;
const LOG_LEVELS = ['ALL', 'ERROR', 'FATAL', 'OFF'] as const;
const DEFAULT_TRACING = { enabled: false };
const MAX_DEFINITION = 1048576;

/** A required ARN member: `Member must not be null` when absent, 1..256 characters. */
export function requiredArn(p: Params, field: string): string {
  new Validator().requiredString(p, field, { min: 1, max: 256 }).check();
  return p[field] as string;
}

export function checkDefinition(definition: string, type: StateMachineType): void {
  const diags = validateDefinition(definition, { type }).filter((d) => d.severity === 'ERROR');
  if (diags.length) throw new ApiError('InvalidDefinition', invalidDefinitionMessage(definition, diags));
}

function checkRoleArn(v: string): string {
  if (!/^arn:aws[a-z-]*:iam::\d{12}:role\//.test(v)) throw invalidArn(`Invalid ARN prefix: ${v}`);
  return v;
}

const invalidLogging = (msg: string) => new ApiError('InvalidLoggingConfiguration', `Invalid Logging Configuration: ${msg}`);

/** The logging configuration as AWS stores it (level OFF and includeExecutionData false by default). */
export function loggingConfiguration(v: unknown): Record<string, unknown> {
  if (v === undefined || v === null) return { level: 'OFF', includeExecutionData: false };
  if (typeof v !== 'object' || Array.isArray(v)) throw new ApiError('SerializationException', 'Start of structure or map found where not expected.');
  const c = v as Record<string, unknown>;
  const val = new Validator().optionalEnum({ 'loggingConfiguration.level': c.level }, 'loggingConfiguration.level', LOG_LEVELS);
  val.check();
  const level = (c.level as string | undefined) ?? 'OFF';
  const out: Record<string, unknown> = { level, includeExecutionData: c.includeExecutionData === true };
  if (c.destinations !== undefined && c.destinations !== null) {
    if (!Array.isArray(c.destinations)) throw new ApiError('SerializationException', 'Start of list found where not expected');
    const dests = c.destinations as unknown[];
    if (dests.length > 1 || (level !== 'OFF' && dests.length !== 1)) throw invalidLogging('Must specify exactly one Log Destination.');
    for (const d of dests) {
      const arn = (d as { cloudWatchLogsLogGroup?: { logGroupArn?: unknown } } | null)?.cloudWatchLogsLogGroup?.logGroupArn;
      if (typeof arn !== 'string' || !/^arn:aws[a-z-]*:logs:[^:]*:\d{12}:log-group:.+/.test(arn)) throw invalidLogging('Invalid Log Destination ARN.');
    }
    out.destinations = dests;
  } else if (level !== 'OFF') throw invalidLogging('Must specify exactly one Log Destination.');
  return out;
}

function tracingConfiguration(v: unknown): Record<string, unknown> {
  if (v === undefined || v === null) return { ...DEFAULT_TRACING };
  return { enabled: (v as { enabled?: unknown }).enabled === true };
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/**
 * The record for a state machine or version ARN; throws InvalidArn / StateMachineDoesNotExist (also for an
 * alias ARN: AWS looks such ARNs up among state machines and versions, as UpdateStateMachine shows).
 */
export async function getStateMachineOrThrow(ctx: ApiContext, arn: unknown): Promise<StateMachineRecord> {
  const ref = parseStateMachineArn(arn);
  const rec = ref.kind === 'alias' ? undefined : await ctx.store.getStateMachine(ref.arn);
  if (!rec) throw notFoundStateMachine(ref.arn);
  return rec;
}

/**
 * Publishes the state machine's current revision as a version, unless the newest version already is that
 * revision (then that version is returned).
 */
export async function publishVersion(ctx: ApiContext, sm: StateMachineRecord, description: string | undefined): Promise<{ arn: string; creationDate: number }> {
  const versions = await ctx.store.listVersions(sm.stateMachineArn);
  const latest = versions[versions.length - 1];
  if (latest && latest.revisionId === sm.revisionId) return { arn: latest.stateMachineArn, creationDate: latest.creationDate };
  const n = sm.versionCount + 1;
  const arn = `${sm.stateMachineArn}:${n}`;
  const creationDate = ctx.clock.now();
  const version: StateMachineRecord = { ...sm, stateMachineArn: arn, versionOf: sm.stateMachineArn, versionNumber: n, creationDate, versionCount: 0 };
  delete version.updateDate;
  if (description !== undefined) version.description = description;
  else delete version.description;
  await ctx.store.putStateMachine(version);
  await ctx.store.putStateMachine({ ...sm, versionCount: n });
  return { arn, creationDate };
}

function tagsOf(p: Params): Record<string, string> | undefined {
  if (!Array.isArray(p.tags) || !p.tags.length) return undefined;
  const tags: Record<string, string> = {};
  for (const t of p.tags as { key: string; value: string }[]) tags[t.key] = t.value;
  return tags;
}

export async function createStateMachine(ctx: ApiContext, p: Params) {
  const v = nameConstraints(new Validator(), p)
    .requiredString(p, 'definition', { min: 1, max: MAX_DEFINITION, sensitive: true })
    .requiredString(p, 'roleArn', { min: 1, max: 256 })
    .optionalEnum(p, 'type', TYPES)
    .optionalString(p, 'versionDescription', { max: 256 });
  v.check();
  const name = checkNameChars(p.name as string);
  const definition = p.definition as string;
  const roleArn = checkRoleArn(p.roleArn as string);
  const type = (p.type as StateMachineType | undefined) ?? 'STANDARD';
  if (p.versionDescription !== undefined && p.versionDescription !== null && p.publish !== true) {
    throw new ApiError('ValidationException', 'Version description can only be set when publish is true');
  }
  const logging = loggingConfiguration(p.loggingConfiguration);
  const tracing = tracingConfiguration(p.tracingConfiguration);
  checkDefinition(definition, type);
  const arn = stateMachineArn(ctx.region, ctx.accountId, name);
  const existing = await ctx.store.getStateMachine(arn);
  if (existing) {
    // Idempotent on name, definition, type, logging, tracing and encryption; roleArn and tags are ignored.
    const identical =
      existing.definition === definition &&
      existing.type === type &&
      same(existing.loggingConfiguration, logging) &&
      same(existing.tracingConfiguration, tracing) &&
      same(existing.encryptionConfiguration, p.encryptionConfiguration);
    if (!identical) throw new ApiError('StateMachineAlreadyExists', `State Machine Already Exists: '${arn}'`);
    const out: Record<string, unknown> = { stateMachineArn: arn, creationDate: epoch(existing.creationDate) };
    if (p.publish === true) out.stateMachineVersionArn = (await publishVersion(ctx, existing, p.versionDescription as string | undefined)).arn;
    return out;
  }
  const rec: StateMachineRecord = {
    stateMachineArn: arn,
    name,
    type,
    definition,
    roleArn,
    creationDate: ctx.clock.now(),
    status: 'ACTIVE',
    loggingConfiguration: logging,
    tracingConfiguration: tracing,
    versionCount: 0,
  };
  if (p.encryptionConfiguration !== undefined && p.encryptionConfiguration !== null) rec.encryptionConfiguration = p.encryptionConfiguration;
  await ctx.store.putStateMachine(rec);
  const tags = tagsOf(p);
  if (tags) await ctx.store.setTags(arn, tags);
  const out: Record<string, unknown> = { stateMachineArn: arn, creationDate: epoch(rec.creationDate) };
  if (p.publish === true) out.stateMachineVersionArn = (await publishVersion(ctx, rec, p.versionDescription as string | undefined)).arn;
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
  if (rec.revisionId !== undefined) out.revisionId = rec.revisionId;
  if (rec.versionOf && rec.description !== undefined) out.description = rec.description;
  if (rec.encryptionConfiguration) out.encryptionConfiguration = rec.encryptionConfiguration;
  return out;
}

export async function describeStateMachine(ctx: ApiContext, p: Params) {
  const arn = requiredArn(p, 'stateMachineArn');
  new Validator().optionalEnum(p, 'includedData', ['ALL_DATA', 'METADATA_ONLY']).check();
  const rec = await getStateMachineOrThrow(ctx, arn);
  return describeRecord(rec, p.includedData !== 'METADATA_ONLY');
}

export async function listStateMachines(ctx: ApiContext, p: Params) {
  const all = (await ctx.store.listStateMachines()).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const { page, nextToken } = paginate(all, p, (m) => m.name);
  const out: Record<string, unknown> = {
    stateMachines: page.map((m) => ({ stateMachineArn: m.stateMachineArn, name: m.name, type: m.type, creationDate: epoch(m.creationDate) })),
  };
  if (nextToken) out.nextToken = nextToken;
  return out;
}

export async function updateStateMachine(ctx: ApiContext, p: Params) {
  const arnText = requiredArn(p, 'stateMachineArn');
  new Validator()
    .optionalString(p, 'definition', { min: 1, max: MAX_DEFINITION, sensitive: true })
    .optionalString(p, 'roleArn', { min: 1, max: 256 })
    .optionalString(p, 'versionDescription', { max: 256 })
    .check();
  const ref = parseStateMachineArn(arnText);
  // AWS answers an update of a version (or alias) ARN as of a state machine that does not exist.
  if (ref.kind !== 'base') throw notFoundStateMachine(ref.arn);
  const rec = await ctx.store.getStateMachine(ref.arn);
  if (!rec) throw notFoundStateMachine(ref.arn);
  const given = (k: string) => p[k] !== undefined && p[k] !== null;
  if (!given('definition') && !given('roleArn') && !given('loggingConfiguration') && !given('tracingConfiguration') && !given('encryptionConfiguration') && p.publish !== true) {
    throw new ApiError('MissingRequiredParameter', 'Either the definition, the role ARN, the LoggingConfiguration, or the TracingConfiguration must be specified');
  }
  if (given('versionDescription') && p.publish !== true) {
    throw new ApiError('ValidationException', 'Version description can only be set when publish is true');
  }
  const next: StateMachineRecord = { ...rec };
  if (given('roleArn')) next.roleArn = checkRoleArn(p.roleArn as string);
  if (given('loggingConfiguration')) next.loggingConfiguration = loggingConfiguration(p.loggingConfiguration);
  if (given('tracingConfiguration')) next.tracingConfiguration = tracingConfiguration(p.tracingConfiguration);
  if (given('encryptionConfiguration')) next.encryptionConfiguration = p.encryptionConfiguration;
  if (given('definition')) {
    checkDefinition(p.definition as string, rec.type);
    next.definition = p.definition as string;
  }
  const changed =
    next.definition !== rec.definition ||
    next.roleArn !== rec.roleArn ||
    !same(next.loggingConfiguration, rec.loggingConfiguration) ||
    !same(next.tracingConfiguration, rec.tracingConfiguration) ||
    !same(next.encryptionConfiguration, rec.encryptionConfiguration);
  const now = ctx.clock.now();
  if (changed) {
    next.revisionId = randomUUID();
    next.updateDate = now;
    await ctx.store.putStateMachine(next);
  }
  const out: Record<string, unknown> = { updateDate: epoch(now) };
  if (next.revisionId !== undefined) out.revisionId = next.revisionId;
  if (p.publish === true) out.stateMachineVersionArn = (await publishVersion(ctx, next, p.versionDescription as string | undefined)).arn;
  return out;
}

/** Deletes a version unless an alias routes to it (AWS: ConflictException). */
export async function deleteVersion(ctx: ApiContext, versionArn: string, baseArn: string): Promise<void> {
  const refs = (await ctx.store.listAliases(baseArn)).filter((a) => a.routingConfiguration.some((r) => r.stateMachineVersionArn === versionArn));
  if (refs.length) {
    throw conflict(`Version to be deleted must not be referenced by an alias. Current list of aliases referencing this version: [${refs.map((a) => a.name).sort().join(', ')}]`);
  }
  await ctx.store.deleteStateMachine(versionArn);
}

export async function deleteStateMachine(ctx: ApiContext, p: Params) {
  const ref = parseStateMachineArn(requiredArn(p, 'stateMachineArn'));
  if (ref.kind === 'version') {
    await deleteVersion(ctx, ref.arn, ref.baseArn);
    return {};
  }
  if (ref.kind !== 'base') throw invalidArn(`Resource type not valid in this context: ${ref.arn}`);
  if (await ctx.store.getStateMachine(ref.arn)) {
    for (const a of await ctx.store.listAliases(ref.arn)) await ctx.store.deleteAlias(a.stateMachineAliasArn);
    for (const v of await ctx.store.listVersions(ref.arn)) await ctx.store.deleteStateMachine(v.stateMachineArn);
    await ctx.store.deleteStateMachine(ref.arn);
  }
  return {};
}

export async function validateStateMachineDefinition(_ctx: ApiContext, p: Params) {
  new Validator()
    .requiredString(p, 'definition', { min: 1, max: MAX_DEFINITION, sensitive: true })
    .optionalEnum(p, 'type', TYPES)
    .optionalEnum(p, 'severity', ['ERROR', 'WARNING'])
    .optionalInt(p, 'maxResults', 0, 100)
    .check();
  const definition = p.definition as string;
  const type = (p.type as StateMachineType | undefined) ?? 'STANDARD';
  let diags = validateDefinition(definition, { type });
  // AWS's default severity is ERROR: warnings only when asked for with severity WARNING.
  if (p.severity !== 'WARNING') diags = diags.filter((d) => d.severity === 'ERROR');
  return validationResponse(diags, typeof p.maxResults === 'number' && p.maxResults > 0 ? p.maxResults : undefined);
}

