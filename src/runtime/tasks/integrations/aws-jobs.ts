/**
 * AWS's optimized job integrations through the AWS SDK: `ecs:runTask`, `batch:submitJob`, `glue:startJobRun` and
 * `athena:startQueryExecution`, request-response and `.sync` (ECS also `.waitForTaskToken`, for which the
 * dispatcher waits for the token after the call). Parameters in PascalCase as Step Functions takes them (mapped to
 * the SDK's member names by the command's schema; a field the API lacks is refused); answers in PascalCase with
 * timestamps in epoch milliseconds.
 *
 * `.sync` records the start call's answer as TaskSubmitted, then polls (DescribeTasks until the task is STOPPED,
 * DescribeJobs until SUCCEEDED or FAILED, GetJobRun until the run ends, GetQueryExecution until SUCCEEDED, FAILED or
 * CANCELLED). The described job is the task's output when it succeeded, the cause of `States.TaskFailed` when it did
 * not. Stopping the execution, TimeoutSeconds and HeartbeatSeconds stop the job (StopTask, TerminateJob,
 * BatchStopJobRun, StopQueryExecution). Poll intervals: `STEPWISE_<SERVICE>_POLL_MS` (ECS, BATCH, GLUE, ATHENA),
 * else `STEPWISE_SYNC_POLL_MS`, else the service's default.
 * @module
 */
import type { IntegrationPattern } from '../../../asl/resources.js';
import { isObject, type Json, type JsonObject } from '../../../shared/json.js';
import type { InvokeTask, TaskCallbacks, TaskContext, TaskInvoker } from '../types.js';
import { commandSchemas, roleOf } from './aws/call.js';
import { AwsClients, ClientLoadError, type LoadedService } from './aws/clients.js';
import { optimizedIntegrationError, type OptimizedNames, type TaskError } from './aws/errors.js';
import { toPascalOutput, toSdkInput, UnknownMemberError } from './aws/members.js';
import { commandName } from './aws/services.js';

/** Where a described job is. */
type Progress = { k: 'running' } | { k: 'succeeded'; output: Json } | { k: 'failed'; cause: Json };

/** What the poll and the stop need to name the job: from the start call's parameters and answer. */
type Handle = Record<string, Json>;

interface JobSpec {
  sdkService: string;
  names: OptimizedNames;
  envName: string;
  defaultPollMs: number;
  patterns: readonly IntegrationPattern[];
  /** A start answer that is a failure for `.sync` and `.waitForTaskToken` (ECS's Failures). */
  startFailure?(out: JsonObject): TaskError | undefined;
  /** The start call's answer as the task gives it, where AWS adds to it (Glue: the JobName). */
  startOutput?(params: JsonObject, out: JsonObject): JsonObject;
  handle(params: JsonObject, out: JsonObject): Handle | undefined;
  describe: { action: string; params(h: Handle): JsonObject; progress(out: JsonObject): Progress };
  stop: { action: string; params(h: Handle): JsonObject };
}

const first = (v: Json | undefined): JsonObject | undefined => (Array.isArray(v) && isObject(v[0] ?? null) ? (v[0] as JsonObject) : undefined);

/** An ECS task has succeeded when it stopped with every container that exited at 0 (and at least one did). */
function ecsProgress(out: JsonObject): Progress {
  const task = first(out.Tasks);
  if (!task) return { k: 'failed', cause: out };
  if (task.LastStatus !== 'STOPPED') return { k: 'running' };
  const containers = Array.isArray(task.Containers) ? (task.Containers as JsonObject[]) : [];
  const codes = containers.map((c) => c.ExitCode).filter((c) => c !== undefined && c !== null);
  const ok = task.StopCode !== 'TaskFailedToStart' && codes.length > 0 && codes.every((c) => c === 0);
  return ok ? { k: 'succeeded', output: task } : { k: 'failed', cause: task };
}

export const JOBS: Record<string, JobSpec> = {
  'ecs:runTask': {
    sdkService: 'ecs',
    names: { prefix: 'ECS', label: 'AmazonECS', base: 'AmazonECSException' },
    envName: 'ECS',
    defaultPollMs: 6000,
    patterns: ['request-response', 'sync', 'callback'],
    startFailure: (out) => (Array.isArray(out.Failures) && out.Failures.length > 0 ? { error: 'AmazonECS.Unknown', cause: JSON.stringify(out) } : undefined),
    handle: (p, out) => {
      const arn = first(out.Tasks)?.TaskArn;
      return typeof arn === 'string' ? { Task: arn, ...(p.Cluster !== undefined ? { Cluster: p.Cluster } : {}) } : undefined;
    },
    describe: { action: 'describeTasks', params: (h) => ({ ...(h.Cluster !== undefined ? { Cluster: h.Cluster } : {}), Tasks: [h.Task!] }), progress: ecsProgress },
    stop: { action: 'stopTask', params: (h) => ({ ...(h.Cluster !== undefined ? { Cluster: h.Cluster } : {}), Task: h.Task!, Reason: 'Task stopped by Step Functions' }) },
  },
  'batch:submitJob': {
    sdkService: 'batch',
    names: { prefix: 'Batch', label: 'AWSBatch', base: 'AWSBatchException' },
    envName: 'BATCH',
    defaultPollMs: 10000,
    patterns: ['request-response', 'sync'],
    handle: (_p, out) => (typeof out.JobId === 'string' ? { JobId: out.JobId } : undefined),
    describe: {
      action: 'describeJobs',
      params: (h) => ({ Jobs: [h.JobId!] }),
      progress: (out) => {
        const job = first(out.Jobs);
        if (!job) return { k: 'failed', cause: out };
        if (job.Status === 'SUCCEEDED') return { k: 'succeeded', output: job };
        if (job.Status === 'FAILED') return { k: 'failed', cause: job };
        return { k: 'running' };
      },
    },
    stop: { action: 'terminateJob', params: (h) => ({ JobId: h.JobId!, Reason: 'Job stopped by Step Functions' }) },
  },
  'glue:startJobRun': {
    sdkService: 'glue',
    names: { prefix: 'Glue', label: 'AWSGlue', base: 'AWSGlueException' },
    envName: 'GLUE',
    defaultPollMs: 10000,
    patterns: ['request-response', 'sync'],
    // AWS adds the request's JobName to StartJobRun's answer (which has only the JobRunId).
    startOutput: (p, out) => (typeof p.JobName === 'string' ? { JobName: p.JobName, ...out } : out),
    handle: (p, out) => (typeof out.JobRunId === 'string' && typeof p.JobName === 'string' ? { JobName: p.JobName, RunId: out.JobRunId } : undefined),
    describe: {
      action: 'getJobRun',
      params: (h) => ({ JobName: h.JobName!, RunId: h.RunId! }),
      progress: (out) => {
        const run = isObject(out.JobRun ?? null) ? (out.JobRun as JsonObject) : undefined;
        if (!run) return { k: 'failed', cause: out };
        if (run.JobRunState === 'SUCCEEDED') return { k: 'succeeded', output: run };
        if (['FAILED', 'STOPPED', 'TIMEOUT', 'ERROR', 'EXPIRED'].includes(String(run.JobRunState))) return { k: 'failed', cause: run };
        return { k: 'running' };
      },
    },
    stop: { action: 'batchStopJobRun', params: (h) => ({ JobName: h.JobName!, JobRunIds: [h.RunId!] }) },
  },
  'athena:startQueryExecution': {
    sdkService: 'athena',
    names: { prefix: 'Athena', label: 'AmazonAthena', base: 'AmazonAthenaException' },
    envName: 'ATHENA',
    defaultPollMs: 2000,
    patterns: ['request-response', 'sync'],
    handle: (_p, out) => (typeof out.QueryExecutionId === 'string' ? { QueryExecutionId: out.QueryExecutionId } : undefined),
    describe: {
      action: 'getQueryExecution',
      params: (h) => ({ QueryExecutionId: h.QueryExecutionId! }),
      progress: (out) => {
        const q = isObject(out.QueryExecution ?? null) ? (out.QueryExecution as JsonObject) : undefined;
        const state = q && isObject(q.Status ?? null) ? (q.Status as JsonObject).State : undefined;
        if (state === 'SUCCEEDED') return { k: 'succeeded', output: out };
        if (state === 'FAILED' || state === 'CANCELLED' || !q) return { k: 'failed', cause: out };
        return { k: 'running' };
      },
    },
    stop: { action: 'stopQueryExecution', params: (h) => ({ QueryExecutionId: h.QueryExecutionId! }) },
  },
};

type Call = { ok: true; output: JsonObject } | { ok: false; error: string; cause: string };

export interface AwsJobsOptions {
  /** The environment read for poll intervals (default: process.env). */
  env?: Record<string, string | undefined>;
}

export class AwsJobInvoker implements TaskInvoker {
  readonly #env: Record<string, string | undefined>;
  constructor(
    readonly clients: AwsClients = new AwsClients(),
    opts: AwsJobsOptions = {},
  ) {
    this.#env = opts.env ?? process.env;
  }

  pollMs(spec: JobSpec): number {
    for (const v of [this.#env[`STEPWISE_${spec.envName}_POLL_MS`], this.#env.STEPWISE_SYNC_POLL_MS]) {
      const n = v === undefined || v === '' ? NaN : Number(v);
      if (Number.isFinite(n) && n >= 0) return n;
    }
    return spec.defaultPollMs;
  }

  invoke(cmd: InvokeTask, ctx: TaskContext, cb: TaskCallbacks): void {
    const res = cmd.resource;
    const key = res.kind === 'service' ? `${res.service}:${res.api}` : '';
    const spec = JOBS[key];
    if (!spec || res.kind !== 'service') return cb.failed('States.Runtime', `The resource '${res.arn}' is not supported by this engine.`);
    if (!spec.patterns.includes(res.pattern)) return cb.failed('States.Runtime', `The resource '${res.arn}' is not supported: ${key} has no such integration pattern.`);
    const params: JsonObject = isObject(cmd.input) ? cmd.input : {};
    if (cmd.input !== null && cmd.input !== undefined && !isObject(cmd.input)) return cb.failed('States.Runtime', `The parameters of '${res.arn}' must be an object.`);
    void this.#run(spec, res.api, res.pattern, params, cmd, ctx, cb);
  }

  async #run(spec: JobSpec, api: string, pattern: IntegrationPattern, params: JsonObject, cmd: InvokeTask, ctx: TaskContext, cb: TaskCallbacks): Promise<void> {
    const started = await this.call(spec, api, params, cmd, ctx, ctx.cancel.signal);
    if (ctx.cancel.cancelled) return;
    if (!started.ok) return cb.failed(started.error, started.cause);
    if (pattern !== 'request-response') {
      const f = spec.startFailure?.(started.output);
      if (f) return cb.failed(f.error, f.cause);
    }
    const output = spec.startOutput ? spec.startOutput(params, started.output) : started.output;
    if (pattern !== 'sync') return cb.succeeded(output);
    const handle = spec.handle(params, started.output);
    if (!handle) return cb.failed('States.TaskFailed', JSON.stringify(output));
    cb.submitted(output);

    let timer: NodeJS.Timeout | undefined;
    let over = false;
    ctx.cancel.onCancel(() => {
      if (timer) clearTimeout(timer);
      if (over) return;
      over = true;
      // Best effort, as on AWS: the stop call's failure does not change how the state ended.
      void this.call(spec, spec.stop.action, spec.stop.params(handle), cmd, ctx, AbortSignal.timeout(30_000));
    });
    const interval = this.pollMs(spec);
    const poll = async (): Promise<void> => {
      timer = undefined;
      if (ctx.cancel.cancelled) return;
      const r = await this.call(spec, spec.describe.action, spec.describe.params(handle), cmd, ctx, ctx.cancel.signal);
      if (ctx.cancel.cancelled) return;
      if (!r.ok) {
        over = true;
        return cb.failed(r.error, r.cause);
      }
      const p = spec.describe.progress(r.output);
      switch (p.k) {
        case 'running':
          timer = setTimeout(() => void poll(), interval);
          return;
        case 'succeeded':
          over = true;
          return cb.succeeded(p.output);
        case 'failed':
          over = true;
          return cb.failed('States.TaskFailed', JSON.stringify(p.cause));
      }
    };
    timer = setTimeout(() => void poll(), interval);
  }

  /** One SDK call: PascalCase parameters in, PascalCase answer out; errors named as the optimized integrations name them. */
  async call(spec: JobSpec, action: string, params: JsonObject, cmd: InvokeTask, ctx: TaskContext, signal: AbortSignal): Promise<Call> {
    const role = roleOf(cmd);
    if (role instanceof Error) return { ok: false, error: 'States.Runtime', cause: role.message };
    let loaded: LoadedService;
    try {
      loaded = await this.clients.get(spec.sdkService, ctx.region, role);
    } catch (e) {
      const msg = e instanceof ClientLoadError ? e.message : `The AWS SDK client for '${spec.sdkService}' could not be created: ${(e as Error)?.message ?? String(e)}`;
      return { ok: false, error: 'States.Runtime', cause: msg };
    }
    const name = commandName(action);
    const Ctor = loaded.mod[name] as (new (i: unknown) => { schema?: unknown[] }) | undefined;
    if (typeof Ctor !== 'function') return { ok: false, error: 'States.Runtime', cause: `${loaded.service.pkg} has no ${name}.` };
    const schemas = commandSchemas(Ctor, loaded);
    let input: unknown = params;
    try {
      if (schemas.input) input = toSdkInput(schemas.input, params, '');
    } catch (e) {
      if (e instanceof UnknownMemberError) return { ok: false, error: 'States.Runtime', cause: `${action}: ${e.message}` };
      input = params; // a schema this code cannot read: the parameters as they are
    }
    try {
      const out = await loaded.client.send(new Ctor(input), { abortSignal: signal });
      return { ok: true, output: (toPascalOutput(schemas.output, out) ?? {}) as JsonObject };
    } catch (err) {
      const e = optimizedIntegrationError(err, loaded, spec.names);
      return { ok: false, error: e.error, cause: e.cause };
    }
  }
}
