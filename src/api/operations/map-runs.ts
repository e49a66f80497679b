/**
 * Map Run operations (Distributed Map): DescribeMapRun, ListMapRuns, UpdateMapRun. The records are
 * the steps' (see runtime/map-runs.ts); UpdateMapRun changes a running Map Run at once.
 * @module
 */
import type { MapRunCounts } from '../../interpreter/exec-state.js';
import type { MapRunRecord } from '../../store/store.js';
import { mapRunStateMachineArn, parseExecutionArn, parseMapRunArn } from '../arn.js';
import { epoch, paginate, type ApiContext, type Params } from '../context.js';
import { ApiError, notFoundExecution, resourceNotFound, Validator } from '../errors.js';

/** The Map Run ARN a request names (1..2000 characters, then its form), and its record. */
async function mapRunOrThrow(ctx: ApiContext, p: Params, v: Validator = new Validator()): Promise<MapRunRecord> {
  v.requiredString(p, 'mapRunArn', { min: 1, max: 2000 }).check();
  const arn = parseMapRunArn(p.mapRunArn);
  const rec = await ctx.engine.mapRuns.get(arn);
  if (!rec) throw resourceNotFound();
  return rec;
}

const counts = (c: MapRunCounts) => ({
  pending: c.pending,
  running: c.running,
  succeeded: c.succeeded,
  failed: c.failed,
  timedOut: c.timedOut,
  aborted: c.aborted,
  total: c.total,
  resultsWritten: c.resultsWritten,
  failuresNotRedrivable: c.failuresNotRedrivable,
  pendingRedrive: c.pendingRedrive,
});

export async function describeMapRun(ctx: ApiContext, p: Params) {
  const r = await mapRunOrThrow(ctx, p);
  const out: Record<string, unknown> = {
    mapRunArn: r.mapRunArn,
    executionArn: r.executionArn,
    status: r.status,
    startDate: epoch(r.startDate),
  };
  if (r.stopDate !== undefined) out.stopDate = epoch(r.stopDate);
  Object.assign(out, {
    maxConcurrency: r.maxConcurrency,
    toleratedFailurePercentage: r.toleratedFailurePercentage,
    toleratedFailureCount: r.toleratedFailureCount,
    itemCounts: counts(r.itemCounts),
    executionCounts: counts(r.executionCounts),
    redriveCount: r.redriveCount,
  });
  if (r.redriveDate !== undefined) out.redriveDate = epoch(r.redriveDate);
  return out;
}

export async function listMapRuns(ctx: ApiContext, p: Params) {
  new Validator().requiredString(p, 'executionArn', { min: 1, max: 256 }).check();
  const ref = parseExecutionArn(p.executionArn);
  // Express executions run no recorded Map Runs; one kept in memory has none to list.
  const exists = ref.express ? ctx.engine.express(ref.arn) !== undefined : (await ctx.store.getExecution(ref.arn)) !== undefined;
  if (!exists) throw notFoundExecution(ref.arn);
  const all = ref.express ? [] : await ctx.engine.mapRuns.list(ref.arn);
  const { page, nextToken } = paginate(all, p, (m) => m.mapRunArn);
  const out: Record<string, unknown> = {
    mapRuns: page.map((m) => {
      const item: Record<string, unknown> = {
        executionArn: m.executionArn,
        mapRunArn: m.mapRunArn,
        stateMachineArn: mapRunStateMachineArn(m.mapRunArn),
        startDate: epoch(m.startDate),
      };
      if (m.stopDate !== undefined) item.stopDate = epoch(m.stopDate);
      return item;
    }),
  };
  if (nextToken) out.nextToken = nextToken;
  return out;
}

/** A Float member (toleratedFailurePercentage) within its range, as AWS's model checks it. */
function optionalFloat(v: Validator, p: Params, field: string, min: number, max: number): void {
  const x = p[field];
  if (x === undefined || x === null) return;
  if (typeof x !== 'number' || !Number.isFinite(x)) throw new ApiError('SerializationException', 'NUMBER_VALUE can not be converted to a Float');
  if (x < min) v.add(x, field, `Member must have value greater than or equal to ${min}`);
  if (x > max) v.add(x, field, `Member must have value less than or equal to ${max}`);
}

/** The largest Integer (maxConcurrency) and Long (toleratedFailureCount) AWS's model takes. */
const INT_MAX = 2 ** 31 - 1;

export async function updateMapRun(ctx: ApiContext, p: Params) {
  const v = new Validator().requiredString(p, 'mapRunArn', { min: 1, max: 2000 }).optionalInt(p, 'maxConcurrency', 0, INT_MAX).optionalInt(p, 'toleratedFailureCount', 0, Number.MAX_SAFE_INTEGER);
  optionalFloat(v, p, 'toleratedFailurePercentage', 0, 100);
  v.check();
  const arn = parseMapRunArn(p.mapRunArn);
  const given = (k: string) => p[k] !== undefined && p[k] !== null;
  if (!given('maxConcurrency') && !given('toleratedFailureCount') && !given('toleratedFailurePercentage')) {
    throw new ApiError('ValidationException', 'At least one of maxConcurrency, toleratedFailureCount or toleratedFailurePercentage must be provided.', 400, { reason: 'MISSING_REQUIRED_PARAMETER' });
  }
  const limits: { maxConcurrency?: number; toleratedFailureCount?: number; toleratedFailurePercentage?: number } = {};
  if (given('maxConcurrency')) limits.maxConcurrency = p.maxConcurrency as number;
  if (given('toleratedFailureCount')) limits.toleratedFailureCount = p.toleratedFailureCount as number;
  if (given('toleratedFailurePercentage')) limits.toleratedFailurePercentage = p.toleratedFailurePercentage as number;
  const r = await ctx.engine.mapRuns.update(arn, limits);
  switch (r.k) {
    case 'missing':
      throw resourceNotFound();
    case 'completed':
      throw new ApiError('ValidationException', `Map Run ${arn} is ${r.status} and cannot be updated.`, 400, { reason: 'CANNOT_UPDATE_COMPLETED_MAP_RUN' });
    case 'updated':
      return {};
  }
}
