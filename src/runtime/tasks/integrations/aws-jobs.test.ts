import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TEST_CREDENTIALS } from '../../../e2e/aws-emulators.js';
import { startBatch, startEcs, type JobServer } from '../../../e2e/aws-job-servers.js';
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
let jobs: AwsJobInvoker;
let clients: AwsClients;
before(async () => {
  ecs = await startEcs();
  batch = await startBatch();
  clients = new AwsClients({ credentials: TEST_CREDENTIALS, env: { AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL_ECS: ecs.endpoint, AWS_ENDPOINT_URL_BATCH: batch.endpoint } });
  jobs = new AwsJobInvoker(clients, { env: { STEPWISE_SYNC_POLL_MS: '20' } });
});
after(async () => {
  await ecs?.close();
  await batch?.close();
});

const ECS_SYNC = 'arn:aws:states:::ecs:runTask.sync';
const BATCH_SYNC = 'arn:aws:states:::batch:submitJob.sync';
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

describe('glue and athena through the SDK', () => {
  test('without their client packages the task fails saying which package to install', async () => {
    for (const [resource, params, pkg] of [
      ['arn:aws:states:::glue:startJobRun.sync', { JobName: 'etl' }, '@aws-sdk/client-glue'],
      ['arn:aws:states:::athena:startQueryExecution.sync', { QueryString: 'SELECT 1' }, '@aws-sdk/client-athena'],
    ] as const) {
      const r = await run(resource, params);
      assert.equal(r.status, 'FAILED');
      assert.equal(r.error, 'States.Runtime');
      assert.match(r.cause!, new RegExp(`npm install ${pkg.replace('/', '\\/')}`));
    }
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
const stoppedWith = (server: () => JobServer, op: string, idOf: (submitted: JsonObject) => string, field: string) => async (_h: ContractHost, _arn: string, events: { type: string; details?: unknown }[]) => {
  const submitted = events.find((e) => e.type === 'TaskSubmitted')!;
  const id = idOf((submitted.details as JsonObject).output as JsonObject);
  await until(() => server().calls.some((c) => c.op === op && c.body[field] === id), `${op} for ${id}`);
};

runIntegrationContract({
  name: 'ecs:runTask and batch:submitJob through the SDK',
  host,
  cases: [
    {
      name: 'ecs:runTask.sync',
      succeed: { fields: { Resource: ECS_SYNC, Parameters: { TaskDefinition: 'ok-task' } }, output: (o) => assert.equal((o as JsonObject).LastStatus, 'STOPPED') },
      fail: { fields: { Resource: ECS_SYNC, Parameters: { TaskDefinition: 'fail-task' } }, error: 'States.TaskFailed', cause: /"ExitCode":3/ },
      wait: {
        fields: { Resource: ECS_SYNC, Parameters: { Cluster: 'work', TaskDefinition: 'forever-task' } },
        letGo: stoppedWith(() => ecs, 'StopTask', (o) => String((o.Tasks as JsonObject[])[0]!.TaskArn), 'task'),
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
        letGo: stoppedWith(() => batch, 'TerminateJob', (o) => String(o.JobId), 'jobId'),
      },
    },
  ],
});
