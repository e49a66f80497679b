/**
 * E2E: the `.sync` job integrations through the AWS SDK (ECS, Batch, Glue) and apigateway:invoke, through the real
 * server (`stepwise serve` as a child process, endpoints set with AWS_ENDPOINT_URL_ECS / _BATCH / _GLUE /
 * _EXECUTE_API), driven with @aws-sdk/client-sfn, against the ECS, Batch and Glue wire-protocol servers and a local
 * HTTP server in API Gateway's place.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { CreateStateMachineCommand, GetExecutionHistoryCommand, StartExecutionCommand, StopExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { startChildServer, type ChildServer } from './child-server.js';
import { TEST_CREDENTIALS } from './aws-emulators.js';
import { startBatch, startEcs, startGlue, type JobServer } from './aws-job-servers.js';
import { REGION, ROLE, sdkClient, uniqueName, waitForEnd } from './helpers.js';

let ecs: JobServer;
let batch: JobServer;
let glue: JobServer;
let api: Server;
const seen: { path: string; headers: IncomingHttpHeaders; body: string }[] = [];
let srv: ChildServer;
let c: SFNClient;

before(async () => {
  [ecs, batch, glue] = await Promise.all([startEcs(), startBatch(), startGlue()]);
  api = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString('utf8')));
    req.on('end', () => {
      seen.push({ path: req.url!, headers: req.headers, body });
      res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ created: JSON.parse(body || 'null') as unknown }));
    });
  });
  await new Promise<void>((r) => api.listen(0, '127.0.0.1', () => r()));
  srv = await startChildServer({
    AWS_ENDPOINT_URL_ECS: ecs.endpoint,
    AWS_ENDPOINT_URL_BATCH: batch.endpoint,
    AWS_ENDPOINT_URL_GLUE: glue.endpoint,
    AWS_ENDPOINT_URL_EXECUTE_API: `http://127.0.0.1:${(api.address() as AddressInfo).port}`,
    STEPWISE_SYNC_POLL_MS: '50',
    AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
    AWS_REGION: REGION,
    AWS_PROFILE: '',
    AWS_EC2_METADATA_DISABLED: 'true',
  });
  c = sdkClient(srv.endpoint);
});
after(async () => {
  c?.destroy();
  await srv?.close();
  await Promise.all([ecs?.close(), batch?.close(), glue?.close(), new Promise((r) => (api ? (api.closeAllConnections(), api.close(r)) : r(undefined)))]);
});

async function start(task: object): Promise<string> {
  const def = { StartAt: 'T', States: { T: { Type: 'Task', ...task, End: true } } };
  const { stateMachineArn } = await c.send(new CreateStateMachineCommand({ name: uniqueName('jobs'), definition: JSON.stringify(def), roleArn: ROLE }));
  const { executionArn } = await c.send(new StartExecutionCommand({ stateMachineArn, input: '{}' }));
  return executionArn!;
}
const taskEvents = async (arn: string) =>
  ((await c.send(new GetExecutionHistoryCommand({ executionArn: arn }))).events ?? []).map((e) => e.type!).filter((t) => t.startsWith('Task') && !t.startsWith('TaskState'));

describe('job integrations and API Gateway through the server', () => {
  it('ecs:runTask.sync: the task as DescribeTasks gives it, with TaskSubmitted in the history', async () => {
    const arn = await start({ Resource: 'arn:aws:states:::ecs:runTask.sync', Parameters: { Cluster: 'e2e', TaskDefinition: 'ok-e2e' } });
    const d = await waitForEnd(c, arn, 20000);
    assert.equal(d.status, 'SUCCEEDED', d.cause);
    assert.equal((JSON.parse(d.output!) as { LastStatus: string }).LastStatus, 'STOPPED');
    assert.deepEqual(await taskEvents(arn), ['TaskScheduled', 'TaskStarted', 'TaskSubmitted', 'TaskSucceeded']);
    assert.deepEqual(ecs.problems, []);
  });

  it('batch:submitJob.sync: StopExecution terminates the job', async () => {
    const arn = await start({ Resource: 'arn:aws:states:::batch:submitJob.sync', Parameters: { JobName: 'e2e', JobQueue: 'q', JobDefinition: 'forever-e2e' } });
    for (let i = 0; i < 400 && !(await taskEvents(arn)).includes('TaskSubmitted'); i++) await new Promise((r) => setTimeout(r, 25));
    await c.send(new StopExecutionCommand({ executionArn: arn }));
    const d = await waitForEnd(c, arn, 20000);
    assert.equal(d.status, 'ABORTED');
    for (let i = 0; i < 400 && !batch.calls.some((x) => x.op === 'TerminateJob'); i++) await new Promise((r) => setTimeout(r, 25));
    const submit = batch.calls.find((x) => x.op === 'SubmitJob' && x.body.jobDefinition === 'forever-e2e');
    assert.ok(submit);
    assert.ok(batch.calls.some((x) => x.op === 'TerminateJob' && x.body.reason === 'Job stopped by Step Functions'));
  });

  it('glue:startJobRun.sync: the JobRun as GetJobRun gives it; StopExecution stops the run with BatchStopJobRun', async () => {
    const arn = await start({ Resource: 'arn:aws:states:::glue:startJobRun.sync', Parameters: { JobName: 'ok-e2e', Arguments: { '--day': '7' } } });
    const d = await waitForEnd(c, arn, 20000);
    assert.equal(d.status, 'SUCCEEDED', d.cause);
    const run = JSON.parse(d.output!) as { JobName: string; JobRunState: string; Id: string; Arguments: Record<string, string>; StartedOn: number };
    assert.equal(run.JobRunState, 'SUCCEEDED');
    assert.equal(run.JobName, 'ok-e2e');
    assert.deepEqual(run.Arguments, { '--day': '7' });
    assert.ok(run.StartedOn > 1e12, 'epoch milliseconds');
    assert.deepEqual(await taskEvents(arn), ['TaskScheduled', 'TaskStarted', 'TaskSubmitted', 'TaskSucceeded']);
    const history = (await c.send(new GetExecutionHistoryCommand({ executionArn: arn }))).events ?? [];
    const submitted = JSON.parse(history.find((e) => e.type === 'TaskSubmitted')!.taskSubmittedEventDetails!.output!) as { JobName: string; JobRunId: string };
    assert.deepEqual(submitted, { JobName: 'ok-e2e', JobRunId: run.Id });

    const forever = await start({ Resource: 'arn:aws:states:::glue:startJobRun.sync', Parameters: { JobName: 'forever-e2e' } });
    for (let i = 0; i < 400 && !(await taskEvents(forever)).includes('TaskSubmitted'); i++) await new Promise((r) => setTimeout(r, 25));
    await c.send(new StopExecutionCommand({ executionArn: forever }));
    assert.equal((await waitForEnd(c, forever, 20000)).status, 'ABORTED');
    const runId = (JSON.parse(((await c.send(new GetExecutionHistoryCommand({ executionArn: forever }))).events ?? []).find((e) => e.type === 'TaskSubmitted')!.taskSubmittedEventDetails!.output!) as { JobRunId: string }).JobRunId;
    for (let i = 0; i < 400 && !glue.calls.some((x) => x.op === 'BatchStopJobRun'); i++) await new Promise((r) => setTimeout(r, 25));
    assert.ok(glue.calls.some((x) => x.op === 'BatchStopJobRun' && x.body.JobName === 'forever-e2e' && (x.body.JobRunIds as string[])[0] === runId), JSON.stringify(glue.calls.at(-1)));
    assert.deepEqual(glue.problems, []);
  });

  it('apigateway:invoke with IAM_ROLE: signed, sent to AWS_ENDPOINT_URL_EXECUTE_API, AWS output shape', async () => {
    const arn = await start({
      Resource: 'arn:aws:states:::apigateway:invoke',
      Parameters: { ApiEndpoint: 'abc123.execute-api.us-east-1.amazonaws.com', Method: 'POST', Stage: 'prod', Path: 'orders', RequestBody: { id: 7 }, AuthType: 'IAM_ROLE' },
    });
    const d = await waitForEnd(c, arn, 20000);
    assert.equal(d.status, 'SUCCEEDED', d.cause);
    const out = JSON.parse(d.output!) as { StatusCode: number; StatusText: string; ResponseBody: unknown };
    assert.equal(out.StatusCode, 201);
    assert.equal(out.StatusText, 'Created');
    assert.deepEqual(out.ResponseBody, { created: { id: 7 } });
    const got = seen.at(-1)!;
    assert.equal(got.path, '/prod/orders');
    assert.match(String(got.headers.authorization), /^AWS4-HMAC-SHA256 Credential=S3RVER\/\d{8}\/us-east-1\/execute-api\/aws4_request/);
  });
});
