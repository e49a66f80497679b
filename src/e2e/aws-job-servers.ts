/**
 * Amazon ECS, AWS Batch, AWS Glue and Amazon Athena on the wire, for the `.sync` integrations' tests: no emulator
 * of any of them installs from npm, so these small servers speak the services' protocols (ECS, Glue and Athena:
 * AWS JSON 1.1 with `X-Amz-Target: AmazonEC2ContainerServiceV20141113.<Op>`, `AWSGlue.<Op>`,
 * `AmazonAthena.<Op>`; Batch: REST JSON, `POST /v1/<op>`) and keep tasks, jobs, job runs and query executions that
 * move on each time they are described. Every request body is checked against the operation's input shape as the
 * SDK client itself models it (its schema, from `@aws-sdk/client-ecs` / `-batch` / `-glue` / `-athena`): an
 * unknown member or a value of the wrong type is answered with a 400 SerializationException, and recorded in
 * `problems`.
 *
 * How a task, job or run ends is named by its definition (ECS task definition, Batch job definition, Glue job
 * name; Athena: a word of the query): `ok…` succeeds after two polls, `fail…` fails, `forever…` runs until it is
 * stopped; ECS `nocapacity…` is answered with a `Failures` entry and no task; ECS `missing…`, a Glue job
 * `missing…` and an Athena work group `missing…` are refused by the start call.
 * @module
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { Emulator } from './aws-emulators.js';

const require = createRequire(import.meta.url);

interface Schema {
  isStructSchema(): boolean;
  isListSchema(): boolean;
  isMapSchema(): boolean;
  isStringSchema(): boolean;
  isNumericSchema(): boolean;
  isBooleanSchema(): boolean;
  isTimestampSchema(): boolean;
  structIterator(): Iterable<[string, Schema]>;
  getValueSchema(): Schema;
}

/** The input (or output) schema of `<Op>Command` in an SDK client package, as the client resolves it. */
function opSchema(pkg: string, op: string, which: 'input' | 'output' = 'input'): Schema | undefined {
  const mod = require(pkg) as Record<string, unknown>;
  const Ctor = mod[`${op}Command`] as (new (i: unknown) => { schema?: unknown[] }) | undefined;
  if (typeof Ctor !== 'function') return undefined;
  const { NormalizedSchema } = createRequire(require.resolve(pkg))('@smithy/core/schema') as { NormalizedSchema: { of(s: unknown): Schema } };
  const s = new Ctor({}).schema![which === 'input' ? 4 : 5];
  return NormalizedSchema.of(typeof s === 'function' ? (s as () => unknown)() : s);
}

/** What in `v` does not fit the shape `ns` (member names, JSON types), as messages. */
export function shapeProblems(ns: Schema, v: unknown, where = ''): string[] {
  if (v === null || v === undefined) return [];
  if (ns.isStructSchema()) {
    if (typeof v !== 'object' || Array.isArray(v)) return [`${where || 'the body'} must be an object`];
    const members = new Map([...ns.structIterator()]);
    const out: string[] = [];
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      const m = members.get(k);
      if (!m) out.push(`unknown member ${where ? `${where}.` : ''}${k}`);
      else out.push(...shapeProblems(m, x, where ? `${where}.${k}` : k));
    }
    return out;
  }
  if (ns.isListSchema()) return Array.isArray(v) ? v.flatMap((x, i) => shapeProblems(ns.getValueSchema(), x, `${where}[${i}]`)) : [`${where} must be a list`];
  if (ns.isMapSchema()) {
    if (typeof v !== 'object' || Array.isArray(v)) return [`${where} must be a map`];
    return Object.entries(v as Record<string, unknown>).flatMap(([k, x]) => shapeProblems(ns.getValueSchema(), x, `${where}.${k}`));
  }
  if (ns.isStringSchema()) return typeof v === 'string' ? [] : [`${where} must be a string`];
  if (ns.isBooleanSchema()) return typeof v === 'boolean' ? [] : [`${where} must be a boolean`];
  if (ns.isNumericSchema() || ns.isTimestampSchema()) return typeof v === 'number' ? [] : [`${where} must be a number`];
  return [];
}

const readBody = (req: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    let s = '';
    req.setEncoding('utf8');
    req.on('data', (d: string) => (s += d));
    req.on('end', () => resolve(s));
    req.on('error', reject);
  });

const listen = (srv: Server): Promise<number> =>
  new Promise((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => resolve((srv.address() as { port: number }).port));
  });
const closeServer = (srv: Server): Promise<void> =>
  new Promise((r) => {
    srv.closeAllConnections?.();
    srv.close(() => r());
  });

export interface JobServer extends Emulator {
  /** Operations called, in order, with their (checked) bodies. */
  calls: { op: string; body: Record<string, unknown> }[];
  /** Requests that did not fit the SDK's shapes. */
  problems: string[];
}

type Outcome = 'ok' | 'fail' | 'forever';
const outcomeOf = (name: string): Outcome => (/(^|[/:])fail/.test(name) ? 'fail' : /(^|[/:])forever/.test(name) ? 'forever' : 'ok');

interface Tracked {
  outcome: Outcome;
  polls: number;
  stopped: boolean;
  reason?: string;
}

/** After how many descriptions a job that ends on its own has ended. */
const POLLS_TO_END = 2;

export async function startEcs(): Promise<JobServer> {
  const calls: JobServer['calls'] = [];
  const problems: string[] = [];
  const tasks = new Map<string, Tracked & { body: Record<string, unknown>; created: number; cluster: string }>();
  let n = 0;
  const describe = (arn: string) => {
    const t = tasks.get(arn)!;
    const id = arn.split('/').pop()!;
    const ended = t.stopped || (t.outcome !== 'forever' && t.polls >= POLLS_TO_END);
    const lastStatus = ended ? 'STOPPED' : t.polls === 0 ? 'PROVISIONING' : 'RUNNING';
    const container: Record<string, unknown> = { containerArn: `arn:aws:ecs:us-east-1:123456789012:container/${t.cluster}/${id}/app`, name: 'app', taskArn: arn, lastStatus };
    if (ended) container.exitCode = t.stopped ? 143 : t.outcome === 'fail' ? 3 : 0;
    const task: Record<string, unknown> = {
      taskArn: arn,
      clusterArn: `arn:aws:ecs:us-east-1:123456789012:cluster/${t.cluster}`,
      taskDefinitionArn: `arn:aws:ecs:us-east-1:123456789012:task-definition/${String(t.body.taskDefinition)}`,
      lastStatus,
      desiredStatus: ended ? 'STOPPED' : 'RUNNING',
      createdAt: t.created / 1000,
      containers: [container],
      overrides: t.body.overrides ?? {},
      launchType: t.body.launchType ?? 'FARGATE',
    };
    if (ended) {
      task.stopCode = t.stopped ? 'UserInitiated' : 'EssentialContainerExited';
      task.stoppedReason = t.stopped ? t.reason : 'Essential container in task exited';
      task.stoppedAt = Date.now() / 1000;
    }
    t.polls++;
    return task;
  };
  const srv = createServer((req, res) => {
    void readBody(req).then((text) => {
      const send = (status: number, body: object) => {
        const s = JSON.stringify(body);
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': `ecs-${++n}` }).end(s);
      };
      const target = String(req.headers['x-amz-target'] ?? '');
      const op = target.startsWith('AmazonEC2ContainerServiceV20141113.') ? target.slice(target.indexOf('.') + 1) : '';
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(text || '{}') as Record<string, unknown>;
      } catch {
        return send(400, { __type: 'SerializationException', message: 'Body is not JSON' });
      }
      const schema = op ? opSchema('@aws-sdk/client-ecs', op) : undefined;
      if (!schema) return send(400, { __type: 'UnknownOperationException', message: `Unknown operation ${target}` });
      const bad = shapeProblems(schema, body);
      if (bad.length) {
        problems.push(...bad.map((b) => `${op}: ${b}`));
        return send(400, { __type: 'SerializationException', message: bad.join('; ') });
      }
      calls.push({ op, body });
      const cluster = typeof body.cluster === 'string' ? body.cluster.split('/').pop()! : 'default';
      switch (op) {
        case 'RunTask': {
          if (typeof body.taskDefinition !== 'string') return send(400, { __type: 'InvalidParameterException', message: 'TaskDefinition can not be blank.' });
          if (body.taskDefinition.startsWith('nocapacity'))
            return send(200, { tasks: [], failures: [{ arn: `arn:aws:ecs:us-east-1:123456789012:container-instance/${cluster}`, reason: 'RESOURCE:CPU' }] });
          if (body.taskDefinition.startsWith('missing')) return send(400, { __type: 'ClientException', message: 'Unable to describe task definition.' });
          const arn = `arn:aws:ecs:us-east-1:123456789012:task/${cluster}/${(++n).toString(16).padStart(32, '0')}`;
          tasks.set(arn, { outcome: outcomeOf(body.taskDefinition), polls: 0, stopped: false, body, created: Date.now(), cluster });
          return send(200, { tasks: [describe(arn)], failures: [] });
        }
        case 'DescribeTasks': {
          const arns = Array.isArray(body.tasks) ? (body.tasks as string[]) : [];
          return send(200, {
            tasks: arns.filter((a) => tasks.has(a)).map(describe),
            failures: arns.filter((a) => !tasks.has(a)).map((arn) => ({ arn, reason: 'MISSING' })),
          });
        }
        case 'StopTask': {
          const t = tasks.get(String(body.task));
          if (!t) return send(400, { __type: 'InvalidParameterException', message: 'The referenced task was not found.' });
          t.stopped = true;
          t.reason = typeof body.reason === 'string' ? body.reason : undefined;
          return send(200, { task: describe(String(body.task)) });
        }
        default:
          return send(400, { __type: 'UnknownOperationException', message: `Not implemented here: ${op}` });
      }
    });
  });
  const port = await listen(srv);
  return { endpoint: `http://127.0.0.1:${port}`, calls, problems, close: () => closeServer(srv) };
}

/** AWS Batch's REST JSON operations used here, by path. */
const BATCH_OPS: Record<string, string> = { '/v1/submitjob': 'SubmitJob', '/v1/describejobs': 'DescribeJobs', '/v1/terminatejob': 'TerminateJob' };

export async function startBatch(): Promise<JobServer> {
  const calls: JobServer['calls'] = [];
  const problems: string[] = [];
  const jobs = new Map<string, Tracked & { body: Record<string, unknown>; created: number }>();
  let n = 0;
  const describe = (id: string) => {
    const j = jobs.get(id)!;
    const ended = j.stopped || (j.outcome !== 'forever' && j.polls >= POLLS_TO_END);
    const failed = j.stopped || j.outcome === 'fail';
    const job: Record<string, unknown> = {
      jobArn: `arn:aws:batch:us-east-1:123456789012:job/${id}`,
      jobId: id,
      jobName: j.body.jobName,
      jobQueue: j.body.jobQueue,
      jobDefinition: j.body.jobDefinition,
      parameters: j.body.parameters ?? {},
      status: ended ? (failed ? 'FAILED' : 'SUCCEEDED') : j.polls === 0 ? 'RUNNABLE' : 'RUNNING',
      createdAt: j.created,
    };
    if (ended) {
      job.statusReason = j.stopped ? j.reason : failed ? 'Essential container in task exited' : 'Essential container in task exited';
      job.container = { exitCode: j.stopped ? 143 : failed ? 3 : 0 };
      job.stoppedAt = Date.now();
    }
    j.polls++;
    return job;
  };
  const srv = createServer((req, res) => {
    void readBody(req).then((text) => {
      const send = (status: number, body: object, type?: string) => {
        res.writeHead(status, { 'content-type': 'application/json', 'x-amzn-requestid': `batch-${++n}`, ...(type ? { 'x-amzn-errortype': type } : {}) }).end(JSON.stringify(body));
      };
      const op = req.method === 'POST' ? BATCH_OPS[new URL(req.url!, 'http://x').pathname] : undefined;
      if (!op) return send(404, { message: `Unknown operation ${req.method} ${req.url}` }, 'UnknownOperationException');
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(text || '{}') as Record<string, unknown>;
      } catch {
        return send(400, { message: 'Body is not JSON' }, 'SerializationException');
      }
      const bad = shapeProblems(opSchema('@aws-sdk/client-batch', op)!, body);
      if (bad.length) {
        problems.push(...bad.map((b) => `${op}: ${b}`));
        return send(400, { message: bad.join('; ') }, 'SerializationException');
      }
      calls.push({ op, body });
      switch (op) {
        case 'SubmitJob': {
          for (const f of ['jobName', 'jobQueue', 'jobDefinition']) if (typeof body[f] !== 'string') return send(400, { message: `${f} is required` }, 'ClientException');
          const id = `${(++n).toString(16).padStart(8, '0')}-0000-4000-8000-000000000000`;
          jobs.set(id, { outcome: outcomeOf(String(body.jobDefinition)), polls: 0, stopped: false, body, created: Date.now() });
          return send(200, { jobArn: `arn:aws:batch:us-east-1:123456789012:job/${id}`, jobName: body.jobName, jobId: id });
        }
        case 'DescribeJobs':
          return send(200, { jobs: (Array.isArray(body.jobs) ? (body.jobs as string[]) : []).filter((id) => jobs.has(id)).map(describe) });
        case 'TerminateJob': {
          const j = jobs.get(String(body.jobId));
          if (!j) return send(400, { message: 'Job not found' }, 'ClientException');
          j.stopped = true;
          j.reason = typeof body.reason === 'string' ? body.reason : undefined;
          return send(200, {});
        }
      }
    });
  });
  const port = await listen(srv);
  return { endpoint: `http://127.0.0.1:${port}`, calls, problems, close: () => closeServer(srv) };
}

type Send = (status: number, body: object) => void;

/**
 * A server speaking AWS JSON 1.1 for one service: `X-Amz-Target: <prefix>.<Op>`, each body checked against the
 * operation's input shape in `pkg` before `handle` sees it (and recorded in `calls`); each answer too is checked
 * against the output shape (a member the SDK would drop is recorded in `problems`).
 */
async function startJson11(prefix: string, pkg: string, idPrefix: string, handle: (op: string, body: Record<string, unknown>, send: Send) => void): Promise<JobServer> {
  const calls: JobServer['calls'] = [];
  const problems: string[] = [];
  let n = 0;
  const srv = createServer((req, res) => {
    void readBody(req).then((text) => {
      const send: Send = (status, body) => {
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': `${idPrefix}-${++n}` }).end(JSON.stringify(body));
      };
      const target = String(req.headers['x-amz-target'] ?? '');
      const op = target.startsWith(`${prefix}.`) ? target.slice(prefix.length + 1) : '';
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(text || '{}') as Record<string, unknown>;
      } catch {
        return send(400, { __type: 'SerializationException', message: 'Body is not JSON' });
      }
      const schema = op ? opSchema(pkg, op) : undefined;
      if (!schema) return send(400, { __type: 'UnknownOperationException', message: `Unknown operation ${target}` });
      const bad = shapeProblems(schema, body);
      if (bad.length) {
        problems.push(...bad.map((b) => `${op}: ${b}`));
        return send(400, { __type: 'SerializationException', message: bad.join('; ') });
      }
      calls.push({ op, body });
      handle(op, body, (status, answer) => {
        if (status === 200) problems.push(...shapeProblems(opSchema(pkg, op, 'output')!, answer).map((b) => `${op} answer: ${b}`));
        send(status, answer);
      });
    });
  });
  const port = await listen(srv);
  return { endpoint: `http://127.0.0.1:${port}`, calls, problems, close: () => closeServer(srv) };
}

/**
 * AWS Glue: StartJobRun, GetJobRun (STARTING, RUNNING, then SUCCEEDED or FAILED; STOPPING then STOPPED once
 * stopped), BatchStopJobRun. The outcome is named by the job name; a job `missing…` does not exist.
 */
export function startGlue(): Promise<JobServer> {
  const runs = new Map<string, Tracked & { body: Record<string, unknown>; started: number; stopPolls: number }>();
  let n = 0;
  const runOf = (name: string, id: string) => {
    const r = runs.get(id)!;
    const ended = r.outcome !== 'forever' && r.polls >= POLLS_TO_END;
    const state = r.stopped ? (r.stopPolls++ === 0 ? 'STOPPING' : 'STOPPED') : ended ? (r.outcome === 'fail' ? 'FAILED' : 'SUCCEEDED') : r.polls === 0 ? 'STARTING' : 'RUNNING';
    r.polls++;
    const run: Record<string, unknown> = {
      Id: id,
      Attempt: 0,
      JobName: name,
      JobMode: 'SCRIPT',
      StartedOn: r.started / 1000,
      LastModifiedOn: Date.now() / 1000,
      JobRunState: state,
      Arguments: r.body.Arguments ?? {},
      PredecessorRuns: [],
      AllocatedCapacity: 10,
      ExecutionTime: Math.max(0, Math.round((Date.now() - r.started) / 1000)),
      Timeout: typeof r.body.Timeout === 'number' ? r.body.Timeout : 2880,
      MaxCapacity: 10,
      LogGroupName: '/aws-glue/jobs',
      GlueVersion: '4.0',
    };
    if (['SUCCEEDED', 'FAILED', 'STOPPED'].includes(state)) run.CompletedOn = Date.now() / 1000;
    if (state === 'FAILED') run.ErrorMessage = 'An error occurred while calling o87.getDynamicFrame. File does not exist: s3://bucket/input';
    return run;
  };
  return startJson11('AWSGlue', '@aws-sdk/client-glue', 'glue', (op, body, send) => {
    const name = String(body.JobName ?? '');
    switch (op) {
      case 'StartJobRun': {
        if (!name) return send(400, { __type: 'InvalidInputException', message: 'JobName is required' });
        if (name.startsWith('missing')) return send(400, { __type: 'EntityNotFoundException', message: `Failed to start job run due to missing metadata` });
        const id = `jr_${(++n).toString(16).padStart(64, '0')}`;
        runs.set(id, { outcome: outcomeOf(name), polls: 0, stopped: false, body, started: Date.now(), stopPolls: 0 });
        return send(200, { JobRunId: id });
      }
      case 'GetJobRun': {
        const id = String(body.RunId);
        const r = runs.get(id);
        if (!r || r.body.JobName !== name) return send(400, { __type: 'EntityNotFoundException', message: `Job run ${id} not found` });
        return send(200, { JobRun: runOf(name, id) });
      }
      case 'BatchStopJobRun': {
        const ids = Array.isArray(body.JobRunIds) ? (body.JobRunIds as string[]) : [];
        const ok = ids.filter((id) => runs.get(id)?.body.JobName === name);
        for (const id of ok) runs.get(id)!.stopped = true;
        return send(200, {
          SuccessfulSubmissions: ok.map((JobRunId) => ({ JobName: name, JobRunId })),
          Errors: ids.filter((id) => !ok.includes(id)).map((JobRunId) => ({ JobName: name, JobRunId, ErrorDetail: { ErrorCode: 'EntityNotFoundException', ErrorMessage: 'Job run not found' } })),
        });
      }
      default:
        return send(400, { __type: 'UnknownOperationException', message: `Not implemented here: ${op}` });
    }
  });
}

/** The outcome of an Athena query, named by a word in it: `SELECT * FROM fail_table`. */
const queryOutcome = (q: string): Outcome => (/\bfail/.test(q) ? 'fail' : /\bforever/.test(q) ? 'forever' : 'ok');

/**
 * Amazon Athena: StartQueryExecution, GetQueryExecution (QUEUED, RUNNING, then SUCCEEDED or FAILED; CANCELLED
 * once stopped), StopQueryExecution. The outcome is named by a word of the query; a work group `missing…` does
 * not exist.
 */
export function startAthena(): Promise<JobServer> {
  const queries = new Map<string, Tracked & { body: Record<string, unknown>; submitted: number }>();
  let n = 0;
  const executionOf = (id: string) => {
    const q = queries.get(id)!;
    const ended = q.outcome !== 'forever' && q.polls >= POLLS_TO_END;
    const state = q.stopped ? 'CANCELLED' : ended ? (q.outcome === 'fail' ? 'FAILED' : 'SUCCEEDED') : q.polls === 0 ? 'QUEUED' : 'RUNNING';
    q.polls++;
    const resultConfiguration = (q.body.ResultConfiguration ?? {}) as Record<string, unknown>;
    const base = typeof resultConfiguration.OutputLocation === 'string' ? resultConfiguration.OutputLocation.replace(/\/?$/, '/') : 's3://aws-athena-query-results-123456789012-us-east-1/';
    const status: Record<string, unknown> = { State: state, SubmissionDateTime: q.submitted / 1000 };
    if (state === 'SUCCEEDED' || state === 'FAILED' || state === 'CANCELLED') status.CompletionDateTime = Date.now() / 1000;
    if (state === 'FAILED') {
      status.StateChangeReason = "TABLE_NOT_FOUND: line 1:15: Table 'awsdatacatalog.default.fail_table' does not exist";
      status.AthenaError = { ErrorCategory: 2, ErrorType: 1301, Retryable: false, ErrorMessage: "TABLE_NOT_FOUND: line 1:15: Table 'awsdatacatalog.default.fail_table' does not exist" };
    }
    return {
      QueryExecutionId: id,
      Query: q.body.QueryString,
      StatementType: 'DML',
      ResultConfiguration: { ...resultConfiguration, OutputLocation: `${base}${id}.csv` },
      ResultReuseConfiguration: { ResultReuseByAgeConfiguration: { Enabled: false } },
      QueryExecutionContext: q.body.QueryExecutionContext ?? {},
      Status: status,
      Statistics: { EngineExecutionTimeInMillis: 120, DataScannedInBytes: 0, TotalExecutionTimeInMillis: 200, QueryQueueTimeInMillis: 40, ServiceProcessingTimeInMillis: 40 },
      WorkGroup: q.body.WorkGroup ?? 'primary',
      EngineVersion: { SelectedEngineVersion: 'AUTO', EffectiveEngineVersion: 'Athena engine version 3' },
      ...(q.body.ExecutionParameters ? { ExecutionParameters: q.body.ExecutionParameters } : {}),
      SubstatementType: 'SELECT',
    };
  };
  return startJson11('AmazonAthena', '@aws-sdk/client-athena', 'athena', (op, body, send) => {
    switch (op) {
      case 'StartQueryExecution': {
        if (typeof body.QueryString !== 'string') return send(400, { __type: 'InvalidRequestException', message: 'QueryString is required' });
        if (typeof body.WorkGroup === 'string' && body.WorkGroup.startsWith('missing')) return send(400, { __type: 'InvalidRequestException', message: `WorkGroup ${body.WorkGroup} is not found.` });
        const id = `${(++n).toString(16).padStart(8, '0')}-1111-4222-8333-444444444444`;
        queries.set(id, { outcome: queryOutcome(body.QueryString), polls: 0, stopped: false, body, submitted: Date.now() });
        return send(200, { QueryExecutionId: id });
      }
      case 'GetQueryExecution': {
        const id = String(body.QueryExecutionId);
        if (!queries.has(id)) return send(400, { __type: 'InvalidRequestException', message: `QueryExecution ${id} was not found` });
        return send(200, { QueryExecution: executionOf(id) });
      }
      case 'StopQueryExecution': {
        const q = queries.get(String(body.QueryExecutionId));
        if (!q) return send(400, { __type: 'InvalidRequestException', message: `QueryExecution ${String(body.QueryExecutionId)} was not found` });
        q.stopped = true;
        return send(200, {});
      }
      default:
        return send(400, { __type: 'UnknownOperationException', message: `Not implemented here: ${op}` });
    }
  });
}
