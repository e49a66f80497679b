/**
 * E2E: the seed example, `examples/seed-ecs-sns/`, through the real server (`stepwise serve` as a child
 * process) with @aws-sdk/client-sfn and the AWS CLI: the ECS task runs as the local process its
 * `stepwise.json` maps it to, and the SNS message really arrives in fauxqs (an SQS queue subscribed to the
 * topic receives it); then the same workflow offline, with the example's MockConfigFile mocking the SNS step
 * (the ECS step still a real local process); and TestState on each of its two states.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { CreateStateMachineCommand, GetExecutionHistoryCommand, StartExecutionCommand, TestStateCommand, type HistoryEvent, type SFNClient } from '@aws-sdk/client-sfn';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, DeleteMessageCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { parseResource } from '../asl/resources.js';
import { validateMockResult } from '../interpreter/test-state/mock-schema.js';
import { SdkOutputShapes } from '../runtime/tasks/integrations/aws/output-shapes.js';
import { startSqsSns, TEST_CREDENTIALS, type Emulator } from './aws-emulators.js';
import { startChildServer, type ChildServer } from './child-server.js';
import { cli, findAwsCli, REGION, ROLE, sdkClient, waitForEnd } from './helpers.js';

const dir = fileURLToPath(new URL('../../examples/seed-ecs-sns/', import.meta.url));
const definition = readFileSync(join(dir, 'workflow.asl.json'), 'utf8');
/** The name the example's MockConfigFile gives the state machine. */
const NAME = 'seed-ecs-sns';
const awsCli = findAwsCli();
const skipCli = awsCli ? false : 'no AWS CLI at /usr/bin/aws or on PATH';
const cfg = { region: REGION, credentials: TEST_CREDENTIALS };
const AWS_ENV = { AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey, AWS_REGION: REGION, AWS_PROFILE: '', AWS_EC2_METADATA_DISABLED: 'true' };

let q: Emulator;
let sqs: SQSClient;
let topicArn: string;
let queueUrl: string;

before(async () => {
  q = await startSqsSns();
  const sns = new SNSClient({ ...cfg, endpoint: q.endpoint });
  sqs = new SQSClient({ ...cfg, endpoint: q.endpoint });
  topicArn = (await sns.send(new CreateTopicCommand({ Name: 'batch-done' }))).TopicArn!;
  queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'batch-done-inbox' }))).QueueUrl!;
  const queueArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
  await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: queueArn }));
  sns.destroy();
});
after(async () => {
  sqs?.destroy();
  await q?.close();
});

/** The next SNS notification the subscribed queue receives (deleted once read). */
async function nextNotification(): Promise<{ Type: string; TopicArn: string; Message: string; MessageId: string }> {
  for (let i = 0; i < 10; i++) {
    const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 1, MaxNumberOfMessages: 1 }));
    const m = r.Messages?.[0];
    if (m) {
      await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle! }));
      return JSON.parse(m.Body!);
    }
  }
  throw new Error('no message arrived in the subscribed queue');
}

async function history(c: SFNClient, executionArn: string): Promise<HistoryEvent[]> {
  return (await c.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }))).events ?? [];
}

/** The ECS task's result (TaskSucceeded of the first Task) and the SNS state's parameters (its TaskScheduled). */
function ecsAndSns(events: HistoryEvent[]) {
  const ecs = JSON.parse(events.find((e) => e.type === 'TaskSucceeded')!.taskSucceededEventDetails!.output!) as Record<string, unknown> & { Containers: { Name: string; ExitCode: number }[] };
  const scheduled = events.filter((e) => e.type === 'TaskScheduled').map((e) => e.taskScheduledEventDetails!);
  assert.deepEqual(scheduled.map((s) => `${s.resourceType}:${s.resource}`), ['ecs:runTask.sync', 'sns:publish']);
  return { ecs, snsParameters: JSON.parse(scheduled[1]!.parameters!) as { TopicArn: string; Message: string } };
}

describe('the seed example with SNS through fauxqs', () => {
  let srv: ChildServer;
  let c: SFNClient;
  let sm: string;

  before(async () => {
    srv = await startChildServer({ ...AWS_ENV, STEPWISE_CONFIG: join(dir, 'stepwise.json'), SNS_ENDPOINT: q.endpoint });
    c = sdkClient(srv.endpoint);
    sm = (await c.send(new CreateStateMachineCommand({ name: NAME, definition, roleArn: ROLE }))).stateMachineArn!;
  });
  after(async () => {
    c?.destroy();
    await srv?.close();
  });

  it('runs: the local ECS process, then the message arrives in the queue subscribed to the topic', async () => {
    const { executionArn } = await c.send(new StartExecutionCommand({ stateMachineArn: sm, input: JSON.stringify({ batchId: 'b-42', topicArn }) }));
    const d = await waitForEnd(c, executionArn!, 30000);
    assert.equal(d.status, 'SUCCEEDED', `${d.error}: ${d.cause}\n${srv.stderr().slice(-2000)}`);
    const out = JSON.parse(d.output!) as { MessageId: string; SdkHttpMetadata: { HttpStatusCode: number } };
    assert.equal(out.SdkHttpMetadata.HttpStatusCode, 200);
    const n = await nextNotification();
    assert.deepEqual([n.Type, n.TopicArn, n.Message, n.MessageId], ['Notification', topicArn, 'batch b-42 done (exit code 0)', out.MessageId]);
    assert.match(srv.stderr(), /processing batch b-42/, "the process's output goes to the server's stderr");
    const { ecs, snsParameters } = ecsAndSns(await history(c, executionArn!));
    assert.deepEqual([ecs.Containers[0]!.Name, ecs.Containers[0]!.ExitCode, ecs.LastStatus], ['app', 0, 'STOPPED']);
    assert.deepEqual(snsParameters, { TopicArn: topicArn, Message: 'batch b-42 done (exit code 0)' });
    // The local process's task conforms to ECS's own model of a task (as a mocked .sync result is checked).
    const res = parseResource('arn:aws:states:::ecs:runTask.sync');
    assert.ok(res?.kind === 'service');
    assert.equal(validateMockResult(res, ecs as never, 'STRICT', await new SdkOutputShapes().of(res)), undefined);
  });

  it('runs through the AWS CLI', { skip: skipCli, timeout: 90000 }, async () => {
    const started = await cli(srv.endpoint, ['start-execution', '--state-machine-arn', sm, '--input', JSON.stringify({ batchId: 'cli-1', topicArn })], {}, awsCli);
    assert.equal(started.code, 0, started.stderr);
    const arn = started.json!.executionArn as string;
    await waitForEnd(c, arn, 30000);
    const d = await cli(srv.endpoint, ['describe-execution', '--execution-arn', arn], {}, awsCli);
    assert.equal(d.json!.status, 'SUCCEEDED', String(d.json!.cause));
    const n = await nextNotification();
    assert.equal(n.Message, 'batch cli-1 done (exit code 0)');
    assert.equal(n.MessageId, JSON.parse(d.json!.output as string).MessageId);
  });

  it('TestState on its SNS state, without a mock, really publishes (DEBUG shows the data flow)', async () => {
    const r = await c.send(
      new TestStateCommand({ definition, stateName: 'Publish to SNS', roleArn: ROLE, inspectionLevel: 'DEBUG', input: JSON.stringify({ batchId: 'ts-1', topicArn, ecs: { exitCode: 3 } }) }),
    );
    assert.equal(r.status, 'SUCCEEDED', `${r.error}: ${r.cause}`);
    assert.deepEqual(JSON.parse(r.inspectionData!.afterParameters!), { TopicArn: topicArn, Message: 'batch ts-1 done (exit code 3)' });
    const n = await nextNotification();
    assert.equal(n.Message, 'batch ts-1 done (exit code 3)');
    assert.equal(JSON.parse(r.output!).MessageId, n.MessageId);
    assert.equal(JSON.parse(r.inspectionData!.result!).MessageId, n.MessageId);
  });

  it('TestState of ecs:runTask (request-response) without a mock starts the local process; a mock is checked against RunTask\'s output', async () => {
    const runTask = JSON.stringify({
      Type: 'Task',
      Resource: 'arn:aws:states:::ecs:runTask',
      Parameters: { TaskDefinition: 'TaskDefinitionArn', Overrides: { ContainerOverrides: [{ Name: 'app', Environment: [{ Name: 'BATCH_ID', Value: 'ts-run' }] }] } },
      End: true,
    });
    const r = await c.send(new TestStateCommand({ definition: runTask, roleArn: ROLE, input: '{}' }));
    assert.equal(r.status, 'SUCCEEDED', `${r.error}: ${r.cause}`);
    const out = JSON.parse(r.output!) as { Tasks: { TaskArn: string; TaskDefinitionArn: string }[]; Failures: unknown[] };
    assert.equal(out.Tasks.length, 1);
    assert.match(out.Tasks[0]!.TaskArn, /^arn:aws:ecs:/);
    assert.deepEqual(out.Failures, []);
    for (let i = 0; i < 100 && !/processing batch ts-run/.test(srv.stderr()); i++) await new Promise((res) => setTimeout(res, 50));
    assert.match(srv.stderr(), /processing batch ts-run/, 'the process ran');
    await assert.rejects(c.send(new TestStateCommand({ definition: runTask, input: '{}', mock: { result: '{"Tasks": {"TaskArn": "x"}}' } })), {
      name: 'ValidationException',
      message: "Mock result schema validation error: Field 'Tasks' must be an array",
    });
  });

  it('TestState on its ECS state (.sync): needs a mock, whose result is checked against the ECS task shape', async () => {
    const base = { definition, stateName: 'ECS Execution', roleArn: ROLE, input: JSON.stringify({ batchId: 'ts-2', topicArn }) };
    await assert.rejects(c.send(new TestStateCommand(base)), {
      name: 'ValidationException',
      message: 'TestState supports Activity tasks and the .sync and .waitForTaskToken service integration patterns only when a mock is specified',
    });
    const task = { TaskArn: 'arn:aws:ecs:us-east-1:123456789012:task/default/1', LastStatus: 'STOPPED', StoppedReason: 'Essential container in task exited', Containers: [{ Name: 'app', ExitCode: 0 }] };
    const bad = { ...task, Containers: [{ Name: 'app', ExitCode: '0' }] };
    await assert.rejects(c.send(new TestStateCommand({ ...base, mock: { result: JSON.stringify(bad) } })), {
      name: 'ValidationException',
      message: "Mock result schema validation error: Field 'ExitCode' must be a number",
    });
    assert.equal((await c.send(new TestStateCommand({ ...base, mock: { result: JSON.stringify(bad), fieldValidationMode: 'NONE' } }))).status, 'SUCCEEDED');
    const ok = await c.send(new TestStateCommand({ ...base, mock: { result: JSON.stringify(task) } }));
    assert.equal(ok.status, 'SUCCEEDED');
    assert.equal(ok.nextState, 'Publish to SNS');
    assert.deepEqual(JSON.parse(ok.output!).ecs, { taskArn: task.TaskArn, exitCode: 0, stoppedReason: task.StoppedReason });
  });
});

describe('the seed example offline: the SNS step mocked by its MockConfigFile', () => {
  let srv: ChildServer;
  let c: SFNClient;
  let sm: string;

  before(async () => {
    // No SNS anywhere: its endpoint is a closed port, so only a mocked SNS step can succeed.
    srv = await startChildServer({
      ...AWS_ENV,
      STEPWISE_CONFIG: join(dir, 'stepwise.json'),
      SFN_MOCK_CONFIG: join(dir, 'MockConfigFile.json'),
      AWS_ENDPOINT_URL_SNS: 'http://127.0.0.1:9',
      SNS_ENDPOINT: '',
    });
    c = sdkClient(srv.endpoint);
    sm = (await c.send(new CreateStateMachineCommand({ name: NAME, definition, roleArn: ROLE }))).stateMachineArn!;
  });
  after(async () => {
    c?.destroy();
    await srv?.close();
  });

  const start = async (testCase: string | undefined, batchId: string) => {
    const { executionArn } = await c.send(new StartExecutionCommand({ stateMachineArn: testCase ? `${sm}#${testCase}` : sm, input: JSON.stringify({ batchId, topicArn }) }));
    return { d: await waitForEnd(c, executionArn!, 30000), events: await history(c, executionArn!) };
  };

  it('without a test case the SNS call is made, and fails (there is no SNS)', async () => {
    const { d } = await start(undefined, 'off-0');
    assert.equal(d.status, 'FAILED');
    assert.match(d.error!, /^SNS\./);
  });

  it('SnsPublished: the ECS step runs as the local process, the SNS step returns the mocked response', async () => {
    const { d, events } = await start('SnsPublished', 'off-1');
    assert.equal(d.status, 'SUCCEEDED', `${d.error}: ${d.cause}`);
    const mock = JSON.parse(readFileSync(join(dir, 'MockConfigFile.json'), 'utf8')) as { MockedResponses: { MessagePublished: { '0': { Return: unknown } } } };
    assert.deepEqual(JSON.parse(d.output!), mock.MockedResponses.MessagePublished['0'].Return);
    const { ecs, snsParameters } = ecsAndSns(events);
    assert.equal(ecs.Containers[0]!.ExitCode, 0);
    assert.equal(snsParameters.Message, 'batch off-1 done (exit code 0)');
    assert.match(srv.stderr(), /processing batch off-1/);
  });

  it('SnsUnavailable: the mocked SNS error fails the execution with its error and cause', async () => {
    const { d } = await start('SnsUnavailable', 'off-2');
    assert.deepEqual([d.status, d.error, d.cause], ['FAILED', 'SNS.NotFoundException', 'Topic does not exist']);
  });

  it('SnsPublished through the AWS CLI', { skip: skipCli, timeout: 90000 }, async () => {
    const started = await cli(srv.endpoint, ['start-execution', '--state-machine-arn', `${sm}#SnsPublished`, '--input', JSON.stringify({ batchId: 'off-cli', topicArn })], {}, awsCli);
    assert.equal(started.code, 0, started.stderr);
    await waitForEnd(c, started.json!.executionArn as string, 30000);
    const d = await cli(srv.endpoint, ['describe-execution', '--execution-arn', started.json!.executionArn as string], {}, awsCli);
    assert.equal(d.json!.status, 'SUCCEEDED', String(d.json!.cause));
    assert.equal(JSON.parse(d.json!.output as string).MessageId, '5b8a1d2e-0c4f-4e7a-9d3b-7f6e2a1c9b40');
  });
});
