import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TEST_CREDENTIALS } from '../../../e2e/aws-emulators.js';
import { startAthena, startBatch, startEcs, startGlue, type JobServer } from '../../../e2e/aws-job-servers.js';
import { StateMachine } from '../../../library/state-machine.js';
import type { Json, JsonObject } from '../../../shared/json.js';
import { MemoryStore } from '../../../store/memory/memory-store.js';
import { Engine } from '../../engine.js';
import type { TaskInvoker } from '../types.js';
import { AwsClients } from './aws/clients.js';
import { AwsJobInvoker, JOBS } from './aws-jobs.js';
import { AwsSdkInvoker } from './aws-sdk.js';
import { BatchSubmitJob } from './batch.js';
import { runIntegrationContract, until, type ContractHost } from './contract.js';
import { EcsRunTask } from './ecs.js';
import { emptyLocalConfig } from './local-config.js';

let ecs: JobServer;
let batch: JobServer;
let glue: JobServer;
let athena: JobServer;
let jobs: AwsJobInvoker;
let clients: AwsClients;
before(async () => {
  ecs = await startEcs();
  batch = await startBatch();
  glue = await startGlue();
  athena = await startAthena();
  clients = new AwsClients({
    credentials: TEST_CREDENTIALS,
    env: { AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL_ECS: ecs.endpoint, AWS_ENDPOINT_URL_BATCH: batch.endpoint, AWS_ENDPOINT_URL_GLUE: glue.endpoint, AWS_ENDPOINT_URL_ATHENA: athena.endpoint },
  });
  jobs = new AwsJobInvoker(clients, { env: { STEPWISE_SYNC_POLL_MS: '20' } });
});
after(async () => {
  await ecs?.close();
  await batch?.close();
  await glue?.close();
  await athena?.close();
});

const ECS_SYNC = 'arn:aws:states:::ecs:runTask.sync';
const BATCH_SYNC = 'arn:aws:states:::batch:submitJob.sync';
const GLUE_SYNC = 'arn:aws:states:::glue:startJobRun.sync';
const ATHENA_SYNC = 'arn:aws:states:::athena:startQueryExecution.sync';
const services = (): Record<string, TaskInvoker> => ({ 'ecs:runTask': jobs, 'batch:submitJob': jobs, 'glue:startJobRun': jobs, 'athena:startQueryExecution': jobs });
const run = (resource: string, params: JsonObject, extra: JsonObject = {}) =>
  new StateMachine({ StartAt: 'Run', States: { Run: { Type: 'Task', Resource: resource, Parameters: params, End: true, ...extra } } }, { services: services() }).run({});
const opsOf = (s: JobServer, from: number) => s.calls.slice(from).map((c) => c.op);

describe('ecs:runTask through the SDK', () => {
  test('.sync: PascalCase parameters reach ECS as its members; DescribeTasks until STOPPED; the task in PascalCase', async () => {
    const from = ecs.calls.length;
    const r = await run(ECS_SYNC, {
      Cluster: 'arn:aws:ecs:us-east-1:123456789012:cluster/work',
      TaskDefinition: 'ok-task:3',
      LaunchType: 'FARGATE',
      NetworkConfiguration: { AwsvpcConfiguration: { Subnets: ['subnet-1'], AssignPublicIp: 'ENABLED' } },
      Overrides: { ContainerOverrides: [{ Name: 'app', Command: ['run', 'it'], Environment: [{ Name: 'A', Value: '1' }] }] },
      Tags: [{ Key: 'team', Value: 'x' }],
    });
    assert.equal(r.status, 'SUCCEEDED', r.cause);
    assert.deepEqual(ecs.problems, []);
    const runTask = ecs.calls[from]!;
    assert.equal(runTask.op, 'RunTask');
    assert.deepEqual(runTask.body.overrides, { containerOverrides: [{ name: 'app', command: ['run', 'it'], environment: [{ name: 'A', value: '1' }] }] });
    assert.deepEqual(runTask.body.networkConfiguration, { awsvpcConfiguration: { subnets: ['subnet-1'], assignPublicIp: 'ENABLED' } });
    assert.deepEqual(runTask.body.tags, [{ key: 'team', value: 'x' }]);
    const ops = opsOf(ecs, from);
    assert.deepEqual(ops.slice(0, 1), ['RunTask']);
    assert.ok(ops.slice(1).every((o) => o === 'DescribeTasks') && ops.length >= 3, ops.join());
    const task = r.output as JsonObject;
    assert.equal(task.LastStatus, 'STOPPED');
    assert.equal(task.StopCode, 'EssentialContainerExited');
    assert.equal((task.Containers as JsonObject[])[0]!.ExitCode, 0);
    assert.equal(typeof task.CreatedAt, 'number');
    assert.ok((task.CreatedAt as number) > 1e12, 'epoch milliseconds');
    assert.deepEqual((task.Overrides as JsonObject).ContainerOverrides, [{ Name: 'app', Command: ['run', 'it'], Environment: [{ Name: 'A', Value: '1' }] }]);
    assert.deepEqual(
      r.events.filter((e) => e.type.startsWith('Task') && !e.type.startsWith('TaskState')).map((e) => e.type),
      ['TaskScheduled', 'TaskStarted', 'TaskSubmitted', 'TaskSucceeded'],
    );
    const submitted = r.events.find((e) => e.type === 'TaskSubmitted')!;
    assert.equal((((submitted.details as JsonObject).output as JsonObject).Tasks as JsonObject[])[0]!.LastStatus, 'PROVISIONING');
  });

  test('.sync: a container exiting non-zero is States.TaskFailed with the task as the cause', async () => {
    const r = await run(ECS_SYNC, { TaskDefinition: 'fail-task' });
    assert.equal(r.status, 'FAILED');
    assert.equal(r.error, 'States.TaskFailed');
    const task = JSON.parse(r.cause!) as JsonObject;
    assert.equal((task.Containers as JsonObject[])[0]!.ExitCode, 3);
    assert.equal(task.LastStatus, 'STOPPED');
  });

  test("Failures in RunTask's answer: AmazonECS.Unknown for .sync and .waitForTaskToken; request-response returns them", async () => {
    const s = await run(ECS_SYNC, { TaskDefinition: 'nocapacity' });
    assert.equal(s.error, 'AmazonECS.Unknown');
    assert.match(s.cause!, /RESOURCE:CPU/);
    const t = await run('arn:aws:states:::ecs:runTask.waitForTaskToken', { TaskDefinition: 'nocapacity' });
    assert.equal(t.error, 'AmazonECS.Unknown');
    const rr = await run('arn:aws:states:::ecs:runTask', { TaskDefinition: 'nocapacity' });
    assert.equal(rr.status, 'SUCCEEDED', rr.cause);
    assert.deepEqual(rr.output, { Failures: [{ Arn: 'arn:aws:ecs:us-east-1:123456789012:container-instance/default', Reason: 'RESOURCE:CPU' }], Tasks: [] });
  });

  test('errors as the optimized integration names them; a field RunTask lacks is refused before any call', async () => {
    const e = await run(ECS_SYNC, { TaskDefinition: 'missing-def' });
    assert.equal(e.error, 'ECS.ClientException');
    assert.match(e.cause!, /^Unable to describe task definition\. \(Service: AmazonECS; Status Code: 400; Error Code: ClientException; Request ID: ecs-\d+; Proxy: null\)$/);
    const from = ecs.calls.length;
    const u = await run(ECS_SYNC, { TaskDefinition: 'ok-task', Overrides: { Command: ['x'] } });
    assert.equal(u.error, 'States.Runtime');
    assert.match(u.cause!, /runTask: The field 'Overrides.Command' is not a parameter of this API \(its parameters: ContainerOverrides, /);
    assert.equal(ecs.calls.length, from);
  });

  test('a task definition the config file does not map goes to ECS when the engine has the SDK remote; a mapped one stays local', async () => {
    const sm = new StateMachine(
      { StartAt: 'Run', States: { Run: { Type: 'Task', Resource: ECS_SYNC, Parameters: { TaskDefinition: 'ok-remote' }, End: true } } },
      { services: { 'ecs:runTask': new EcsRunTask(emptyLocalConfig(), jobs), 'batch:submitJob': new BatchSubmitJob(emptyLocalConfig(), jobs) } },
    );
    const from = ecs.calls.length;
    const r = await sm.run({});
    assert.equal(r.status, 'SUCCEEDED', r.cause);
    assert.equal(ecs.calls[from]?.body.taskDefinition, 'ok-remote');
    const without = await new StateMachine(
      { StartAt: 'Run', States: { Run: { Type: 'Task', Resource: ECS_SYNC, Parameters: { TaskDefinition: 'ok-remote' }, End: true } } },
      { services: { 'ecs:runTask': new EcsRunTask(emptyLocalConfig()) } },
    ).run({});
    assert.match(without.cause!, /is not mapped in the Stepwise config file.*configure AWS access/);
  });
});

describe('batch:submitJob through the SDK', () => {
  test('.sync: DescribeJobs until SUCCEEDED; the job in PascalCase; Parameters keep their own keys', async () => {
    const from = batch.calls.length;
    const r = await run(BATCH_SYNC, { JobName: 'nightly', JobQueue: 'q1', JobDefinition: 'ok-def:2', Parameters: { inputFile: 's3://b/k' }, ContainerOverrides: { Command: ['go'] } });
    assert.equal(r.status, 'SUCCEEDED', r.cause);
    assert.deepEqual(batch.problems, []);
    assert.deepEqual(batch.calls[from]!.body, { jobName: 'nightly', jobQueue: 'q1', jobDefinition: 'ok-def:2', parameters: { inputFile: 's3://b/k' }, containerOverrides: { command: ['go'] } });
    const job = r.output as JsonObject;
    assert.equal(job.Status, 'SUCCEEDED');
    assert.equal(job.JobName, 'nightly');
    assert.deepEqual(job.Parameters, { inputFile: 's3://b/k' });
    assert.equal((job.Container as JsonObject).ExitCode, 0);
    const submitted = r.events.find((e) => e.type === 'TaskSubmitted')!;
    assert.deepEqual(Object.keys((submitted.details as JsonObject).output as JsonObject).sort(), ['JobArn', 'JobId', 'JobName']);
  });

  test('.sync: FAILED is States.TaskFailed with the job; request-response returns SubmitJob; .waitForTaskToken is refused', async () => {
    const f = await run(BATCH_SYNC, { JobName: 'bad', JobQueue: 'q1', JobDefinition: 'fail-def' });
    assert.equal(f.error, 'States.TaskFailed');
    assert.equal((JSON.parse(f.cause!) as JsonObject).Status, 'FAILED');
    const rr = await run('arn:aws:states:::batch:submitJob', { JobName: 'rr', JobQueue: 'q1', JobDefinition: 'ok-def' });
    assert.equal(rr.status, 'SUCCEEDED', rr.cause);
    assert.equal((rr.output as JsonObject).JobName, 'rr');
    const cb = await run('arn:aws:states:::batch:submitJob.waitForTaskToken', { JobName: 'cb', JobQueue: 'q1', JobDefinition: 'ok-def' });
    assert.match(cb.cause!, /batch:submitJob has no such integration pattern/);
  });
});

describe('aws-sdk:ecs (a camelCase API) through the SDK', () => {
  test('PascalCase parameters reach ECS as its members, the answer comes back in PascalCase; a field the API lacks is refused', async () => {
    const sdk = (resource: string, params: JsonObject) =>
      new StateMachine({ StartAt: 'Run', States: { Run: { Type: 'Task', Resource: resource, Parameters: params, End: true } } }, { services: { 'aws-sdk:*': new AwsSdkInvoker(clients) } }).run({});
    const started = await sdk('arn:aws:states:::aws-sdk:ecs:runTask', { Cluster: 'sdk', TaskDefinition: 'forever-sdk', Overrides: { ContainerOverrides: [{ Name: 'app', Command: ['x'] }] } });
    assert.equal(started.status, 'SUCCEEDED', started.cause);
    const arn = (((started.output as JsonObject).Tasks as JsonObject[])[0]!).TaskArn as string;
    assert.match(arn, /^arn:aws:ecs:us-east-1:123456789012:task\/sdk\//);
    const described = await sdk('arn:aws:states:::aws-sdk:ecs:describeTasks', { Cluster: 'sdk', Tasks: [arn] });
    assert.equal(described.status, 'SUCCEEDED', described.cause);
    const task = ((described.output as JsonObject).Tasks as JsonObject[])[0]!;
    assert.equal(task.TaskArn, arn);
    assert.equal((task.Containers as JsonObject[])[0]!.Name, 'app');
    assert.equal(typeof task.CreatedAt, 'string', 'SDK integrations give timestamps as ISO-8601 text');
    assert.deepEqual(ecs.problems, []);
    const stopped = await sdk('arn:aws:states:::aws-sdk:ecs:stopTask', { Cluster: 'sdk', Task: arn, Reason: 'done' });
    assert.equal(stopped.status, 'SUCCEEDED', stopped.cause);
    assert.equal(ecs.calls.at(-1)!.body.reason, 'done');
    const bad = await sdk('arn:aws:states:::aws-sdk:ecs:describeTasks', { Cluster: 'sdk', Tasks: [arn], Verbose: true });
    assert.equal(bad.error, 'States.Runtime');
    assert.match(bad.cause!, /ecs:describeTasks: The field 'Verbose' is not a parameter of this API/);
  });
});

describe('glue:startJobRun through the SDK', () => {
  test('request-response: StartJobRun with the JobName AWS adds; the parameters reach Glue as its members', async () => {
    const from = glue.calls.length;
    const r = await run('arn:aws:states:::glue:startJobRun', { JobName: 'ok-etl', Arguments: { '--day': '2026-12-07' }, WorkerType: 'G.1X', NumberOfWorkers: 2, Timeout: 30 });
    assert.equal(r.status, 'SUCCEEDED', r.cause);
    assert.deepEqual(glue.problems, []);
    assert.deepEqual(opsOf(glue, from), ['StartJobRun']);
    assert.deepEqual(glue.calls[from]!.body, { JobName: 'ok-etl', Arguments: { '--day': '2026-12-07' }, WorkerType: 'G.1X', NumberOfWorkers: 2, Timeout: 30 });
    const out = r.output as JsonObject;
    assert.deepEqual(Object.keys(out).sort(), ['JobName', 'JobRunId']);
    assert.equal(out.JobName, 'ok-etl');
    assert.match(String(out.JobRunId), /^jr_[0-9a-f]{64}$/);
  });

  test('.sync: GetJobRun until SUCCEEDED; the JobRun as the output, timestamps in epoch milliseconds', async () => {
    const from = glue.calls.length;
    const r = await run(GLUE_SYNC, { JobName: 'ok-etl', Arguments: { '--day': '1' } });
    assert.equal(r.status, 'SUCCEEDED', r.cause);
    assert.deepEqual(glue.problems, []);
    const ops = opsOf(glue, from);
    assert.equal(ops[0], 'StartJobRun');
    assert.ok(ops.slice(1).every((o) => o === 'GetJobRun') && ops.length >= 3, ops.join());
    const runId = ((r.events.find((e) => e.type === 'TaskSubmitted')!.details as JsonObject).output as JsonObject).JobRunId;
    for (const c of glue.calls.slice(from + 1)) assert.deepEqual(c.body, { JobName: 'ok-etl', RunId: runId });
    const jobRun = r.output as JsonObject;
    assert.equal(jobRun.JobRunState, 'SUCCEEDED');
    assert.equal(jobRun.Id, runId);
    assert.equal(jobRun.JobName, 'ok-etl');
    assert.deepEqual(jobRun.Arguments, { '--day': '1' }, 'the Arguments map keeps its own keys');
    assert.ok((jobRun.StartedOn as number) > 1e12 && (jobRun.CompletedOn as number) >= (jobRun.StartedOn as number), 'epoch milliseconds');
    assert.deepEqual(
      r.events.filter((e) => e.type.startsWith('Task') && !e.type.startsWith('TaskState')).map((e) => e.type),
      ['TaskScheduled', 'TaskStarted', 'TaskSubmitted', 'TaskSucceeded'],
    );
    const submitted = (r.events.find((e) => e.type === 'TaskSubmitted')!.details as JsonObject).output as JsonObject;
    assert.deepEqual(Object.keys(submitted).sort(), ['JobName', 'JobRunId']);
  });

  test('.sync: FAILED is States.TaskFailed with the JobRun as the cause; a start error is named Glue.<Exception>', async () => {
    const f = await run(GLUE_SYNC, { JobName: 'fail-etl' });
    assert.equal(f.status, 'FAILED');
    assert.equal(f.error, 'States.TaskFailed');
    const jobRun = JSON.parse(f.cause!) as JsonObject;
    assert.equal(jobRun.JobRunState, 'FAILED');
    assert.equal(jobRun.JobName, 'fail-etl');
    assert.match(String(jobRun.ErrorMessage), /File does not exist/);
    const m = await run(GLUE_SYNC, { JobName: 'missing-job' });
    assert.equal(m.error, 'Glue.EntityNotFoundException');
    assert.match(m.cause!, /^Failed to start job run due to missing metadata \(Service: AWSGlue; Status Code: 400; Error Code: EntityNotFoundException; Request ID: glue-\d+; Proxy: null\)$/);
  });

  test('a field StartJobRun lacks is refused before any call; .waitForTaskToken is refused', async () => {
    const from = glue.calls.length;
    const u = await run(GLUE_SYNC, { JobName: 'ok-etl', Workers: 2 });
    assert.equal(u.error, 'States.Runtime');
    assert.match(u.cause!, /startJobRun: The field 'Workers' is not a parameter of this API/);
    const cb = await run('arn:aws:states:::glue:startJobRun.waitForTaskToken', { JobName: 'ok-etl' });
    assert.match(cb.cause!, /glue:startJobRun has no such integration pattern/);
    assert.equal(glue.calls.length, from);
  });
});

describe('athena:startQueryExecution through the SDK', () => {
  const params = { QueryString: 'SELECT * FROM orders', WorkGroup: 'primary', QueryExecutionContext: { Database: 'sales' }, ResultConfiguration: { OutputLocation: 's3://results/q/' } };

  test('request-response: StartQueryExecution, the parameters reaching Athena as its members', async () => {
    const from = athena.calls.length;
    const r = await run('arn:aws:states:::athena:startQueryExecution', params);
    assert.equal(r.status, 'SUCCEEDED', r.cause);
    assert.deepEqual(athena.problems, []);
    assert.deepEqual(opsOf(athena, from), ['StartQueryExecution']);
    const body = { ...athena.calls[from]!.body };
    assert.equal(typeof body.ClientRequestToken, 'string', 'the SDK fills the idempotency token');
    delete body.ClientRequestToken;
    assert.deepEqual(body, params);
    const out = r.output as JsonObject;
    assert.deepEqual(Object.keys(out), ['QueryExecutionId']);
  });

  test('.sync: GetQueryExecution until SUCCEEDED; its answer ({QueryExecution}) as the output', async () => {
    const from = athena.calls.length;
    const r = await run(ATHENA_SYNC, params);
    assert.equal(r.status, 'SUCCEEDED', r.cause);
    assert.deepEqual(athena.problems, []);
    const ops = opsOf(athena, from);
    assert.equal(ops[0], 'StartQueryExecution');
    assert.ok(ops.slice(1).every((o) => o === 'GetQueryExecution') && ops.length >= 3, ops.join());
    const out = r.output as JsonObject;
    assert.deepEqual(Object.keys(out), ['QueryExecution']);
    const q = out.QueryExecution as JsonObject;
    const id = ((r.events.find((e) => e.type === 'TaskSubmitted')!.details as JsonObject).output as JsonObject).QueryExecutionId;
    assert.equal(q.QueryExecutionId, id);
    assert.equal((q.Status as JsonObject).State, 'SUCCEEDED');
    assert.ok(((q.Status as JsonObject).SubmissionDateTime as number) > 1e12, 'epoch milliseconds');
    assert.equal((q.ResultConfiguration as JsonObject).OutputLocation, `s3://results/q/${String(id)}.csv`);
    assert.deepEqual(q.QueryExecutionContext, { Database: 'sales' });
  });

  test('.sync: FAILED is States.TaskFailed with the answer as the cause; a start error is named Athena.<Exception>', async () => {
    const f = await run(ATHENA_SYNC, { QueryString: 'SELECT * FROM fail_table' });
    assert.equal(f.status, 'FAILED');
    assert.equal(f.error, 'States.TaskFailed');
    const q = (JSON.parse(f.cause!) as JsonObject).QueryExecution as JsonObject;
    assert.equal((q.Status as JsonObject).State, 'FAILED');
    assert.match(String((q.Status as JsonObject).StateChangeReason), /TABLE_NOT_FOUND/);
    const m = await run(ATHENA_SYNC, { QueryString: 'SELECT 1', WorkGroup: 'missing-wg' });
    assert.equal(m.error, 'Athena.InvalidRequestException');
    assert.match(m.cause!, /^WorkGroup missing-wg is not found\. \(Service: AmazonAthena; Status Code: 400; Error Code: InvalidRequestException; Request ID: athena-\d+; Proxy: null\)$/);
  });
});

describe('client packages that are not installed', () => {
  test('glue and athena: the task fails with States.Runtime naming the package to install', async () => {
    // Each package name resolved as one that really is not installed, so that Node's own resolution fails.
    const missing = new AwsClients({ credentials: TEST_CREDENTIALS, env: { AWS_REGION: 'us-east-1' }, importPackage: (pkg) => import(`${pkg}-not-installed`) as Promise<Record<string, unknown>> });
    const invoker = new AwsJobInvoker(missing, { env: { STEPWISE_SYNC_POLL_MS: '20' } });
    for (const [resource, params, key, pkg] of [
      [GLUE_SYNC, { JobName: 'etl' }, 'glue:startJobRun', '@aws-sdk/client-glue'],
      [ATHENA_SYNC, { QueryString: 'SELECT 1' }, 'athena:startQueryExecution', '@aws-sdk/client-athena'],
    ] as const) {
      const r = await new StateMachine({ StartAt: 'Run', States: { Run: { Type: 'Task', Resource: resource, Parameters: params, End: true } } }, { services: { [key]: invoker } }).run({});
      assert.equal(r.status, 'FAILED');
      assert.equal(r.error, 'States.Runtime');
      assert.match(r.cause!, new RegExp(`npm install ${pkg.replace('/', '\\/')}\\)`));
    }
  });

  test('aws-sdk:<service> whose client package is not installed: the same error, naming @aws-sdk/client-<service>', async () => {
    const r = await new StateMachine(
      { StartAt: 'Run', States: { Run: { Type: 'Task', Resource: 'arn:aws:states:::aws-sdk:rds:describeDBInstances', Parameters: {}, End: true } } },
      { services: { 'aws-sdk:*': new AwsSdkInvoker(clients) } },
    ).run({});
    assert.equal(r.status, 'FAILED');
    assert.equal(r.error, 'States.Runtime');
    assert.match(r.cause!, /The AWS SDK client @aws-sdk\/client-rds is not installed: install it next to Stepwise \(npm install @aws-sdk\/client-rds\)\./);
  });

  test('poll intervals: STEPWISE_<SERVICE>_POLL_MS, then STEPWISE_SYNC_POLL_MS, then the default', () => {
    const spec = JOBS['glue:startJobRun']!;
    assert.equal(new AwsJobInvoker(new AwsClients(), { env: { STEPWISE_GLUE_POLL_MS: '7', STEPWISE_SYNC_POLL_MS: '9' } }).pollMs(spec), 7);
    assert.equal(new AwsJobInvoker(new AwsClients(), { env: { STEPWISE_SYNC_POLL_MS: '9' } }).pollMs(spec), 9);
    assert.equal(new AwsJobInvoker(new AwsClients(), { env: { STEPWISE_SYNC_POLL_MS: 'soon' } }).pollMs(spec), spec.defaultPollMs);
  });
});

async function host(): Promise<ContractHost> {
  const engine = new Engine({ store: new MemoryStore(), region: 'us-east-1', accountId: '123456789012', waitTimeScale: 1 /* the calls go over HTTP: TimeoutSeconds 1 must outlast them on a loaded machine */, tasks: { services: services() } });
  await engine.init();
  return { engine, close: () => engine.close() };
}

/** The task token the state put in RunTask's overrides, for the execution named in the same overrides. */
const tokenFor = (arn: string) =>
  until(() => {
    for (const c of ecs.calls) {
      if (c.op !== 'RunTask') continue;
      const env = ((c.body.overrides as { containerOverrides?: { environment?: { name: string; value: string }[] }[] } | undefined)?.containerOverrides?.[0]?.environment ?? []) as { name: string; value: string }[];
      if (env.find((e) => e.name === 'EXECUTION')?.value === arn) return env.find((e) => e.name === 'TASK_TOKEN')?.value;
    }
    return undefined;
  }, 'the token in RunTask');
const withToken = { TaskDefinition: 'forever-cb', Overrides: { ContainerOverrides: [{ Name: 'app', Environment: [{ Name: 'TASK_TOKEN', 'Value.$': '$$.Task.Token' }, { Name: 'EXECUTION', 'Value.$': '$$.Execution.Id' }] }] } };
const answer = (outcome: { k: 'succeeded'; output: Json } | { k: 'failed'; error: string; cause: string }) => async (h: ContractHost, arn: string) => {
  assert.equal(await h.engine.tokens.complete(await tokenFor(arn), outcome), true);
};

/** The job the execution started was stopped with the service's stop call. */
const stoppedWith = (server: () => JobServer, op: string, idOf: (submitted: JsonObject) => string, names: (body: Record<string, unknown>, id: string) => boolean) => async (_h: ContractHost, _arn: string, events: { type: string; details?: unknown }[]) => {
  const submitted = events.find((e) => e.type === 'TaskSubmitted')!;
  const id = idOf((submitted.details as JsonObject).output as JsonObject);
  await until(() => server().calls.some((c) => c.op === op && names(c.body, id)), `${op} for ${id}`);
};
const field = (name: string) => (body: Record<string, unknown>, id: string) => body[name] === id;

runIntegrationContract({
  name: 'ecs:runTask, batch:submitJob, glue:startJobRun and athena:startQueryExecution through the SDK',
  host,
  cases: [
    {
      name: 'ecs:runTask.sync',
      succeed: { fields: { Resource: ECS_SYNC, Parameters: { TaskDefinition: 'ok-task' } }, output: (o) => assert.equal((o as JsonObject).LastStatus, 'STOPPED') },
      fail: { fields: { Resource: ECS_SYNC, Parameters: { TaskDefinition: 'fail-task' } }, error: 'States.TaskFailed', cause: /"ExitCode":3/ },
      wait: {
        fields: { Resource: ECS_SYNC, Parameters: { Cluster: 'work', TaskDefinition: 'forever-task' } },
        letGo: stoppedWith(() => ecs, 'StopTask', (o) => String((o.Tasks as JsonObject[])[0]!.TaskArn), field('task')),
      },
    },
    {
      name: 'ecs:runTask (request-response)',
      succeed: { fields: { Resource: 'arn:aws:states:::ecs:runTask', Parameters: { TaskDefinition: 'ok-task' } }, output: (o) => assert.equal(((o as JsonObject).Tasks as JsonObject[])[0]!.LastStatus, 'PROVISIONING') },
      fail: { fields: { Resource: 'arn:aws:states:::ecs:runTask', Parameters: { TaskDefinition: 'missing' } }, error: 'ECS.ClientException' },
    },
    {
      name: 'ecs:runTask.waitForTaskToken',
      succeed: { fields: { Resource: 'arn:aws:states:::ecs:runTask.waitForTaskToken', Parameters: withToken }, play: answer({ k: 'succeeded', output: { done: 1 } }), output: (o) => assert.deepEqual(o, { done: 1 }) },
      fail: { fields: { Resource: 'arn:aws:states:::ecs:runTask.waitForTaskToken', Parameters: withToken }, play: answer({ k: 'failed', error: 'Job.Broke', cause: 'x' }), error: 'Job.Broke', cause: 'x' },
      wait: {
        fields: { Resource: 'arn:aws:states:::ecs:runTask.waitForTaskToken', Parameters: withToken },
        // As on AWS, the ECS task is not stopped; the token no longer answers.
        letGo: async (h, arn, events) => {
          assert.equal(await h.engine.tokens.complete(await tokenFor(arn), { k: 'succeeded', output: {} }), false);
          const submitted = events.find((e) => e.type === 'TaskSubmitted')!;
          const taskArn = (((submitted.details as JsonObject).output as JsonObject).Tasks as JsonObject[])[0]!.TaskArn;
          await new Promise((r) => setTimeout(r, 100));
          assert.ok(!ecs.calls.some((c) => c.op === 'StopTask' && c.body.task === taskArn), 'no StopTask for a .waitForTaskToken task');
        },
      },
    },
    {
      name: 'batch:submitJob.sync',
      succeed: { fields: { Resource: BATCH_SYNC, Parameters: { JobName: 'j', JobQueue: 'q', JobDefinition: 'ok-def' } }, output: (o) => assert.equal((o as JsonObject).Status, 'SUCCEEDED') },
      fail: { fields: { Resource: BATCH_SYNC, Parameters: { JobName: 'j', JobQueue: 'q', JobDefinition: 'fail-def' } }, error: 'States.TaskFailed', cause: /"Status":"FAILED"/ },
      wait: {
        fields: { Resource: BATCH_SYNC, Parameters: { JobName: 'j', JobQueue: 'q', JobDefinition: 'forever-def' } },
        letGo: stoppedWith(() => batch, 'TerminateJob', (o) => String(o.JobId), field('jobId')),
      },
    },
    {
      name: 'glue:startJobRun.sync',
      succeed: { fields: { Resource: GLUE_SYNC, Parameters: { JobName: 'ok-job' } }, output: (o) => assert.equal((o as JsonObject).JobRunState, 'SUCCEEDED') },
      fail: { fields: { Resource: GLUE_SYNC, Parameters: { JobName: 'fail-job' } }, error: 'States.TaskFailed', cause: /"JobRunState":"FAILED"/ },
      wait: {
        fields: { Resource: GLUE_SYNC, Parameters: { JobName: 'forever-job' } },
        letGo: stoppedWith(() => glue, 'BatchStopJobRun', (o) => String(o.JobRunId), (b, id) => b.JobName === 'forever-job' && Array.isArray(b.JobRunIds) && b.JobRunIds.length === 1 && b.JobRunIds[0] === id),
      },
    },
    {
      name: 'glue:startJobRun (request-response)',
      succeed: { fields: { Resource: 'arn:aws:states:::glue:startJobRun', Parameters: { JobName: 'ok-job' } }, output: (o) => assert.equal((o as JsonObject).JobName, 'ok-job') },
      fail: { fields: { Resource: 'arn:aws:states:::glue:startJobRun', Parameters: { JobName: 'missing' } }, error: 'Glue.EntityNotFoundException' },
    },
    {
      name: 'athena:startQueryExecution.sync',
      succeed: { fields: { Resource: ATHENA_SYNC, Parameters: { QueryString: 'SELECT 1' } }, output: (o) => assert.equal((((o as JsonObject).QueryExecution as JsonObject).Status as JsonObject).State, 'SUCCEEDED') },
      fail: { fields: { Resource: ATHENA_SYNC, Parameters: { QueryString: 'SELECT * FROM fail_table' } }, error: 'States.TaskFailed', cause: /"State":"FAILED"/ },
      wait: {
        fields: { Resource: ATHENA_SYNC, Parameters: { QueryString: 'SELECT * FROM forever_stream' } },
        letGo: stoppedWith(() => athena, 'StopQueryExecution', (o) => String(o.QueryExecutionId), field('QueryExecutionId')),
      },
    },
    {
      name: 'athena:startQueryExecution (request-response)',
      succeed: { fields: { Resource: 'arn:aws:states:::athena:startQueryExecution', Parameters: { QueryString: 'SELECT 1' } }, output: (o) => assert.equal(typeof (o as JsonObject).QueryExecutionId, 'string') },
      fail: { fields: { Resource: 'arn:aws:states:::athena:startQueryExecution', Parameters: { QueryString: 'SELECT 1', WorkGroup: 'missing' } }, error: 'Athena.InvalidRequestException' },
    },
  ],
});
