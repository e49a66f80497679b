/**
 * E2E: TestState for the AWS integrations through the real server (`stepwise serve` as a child process, its
 * endpoints set through the AWS SDK's variables) with @aws-sdk/client-sfn's TestStateCommand and the AWS CLI,
 * against s3rver, dynalite, fauxqs, the EventBridge wire-protocol server of aws-emulators.ts, and a second
 * Stepwise server as the Step Functions service of aws-sdk:sfn:* (a camelCase API). Without a mock a request-response Task really calls the service,
 * through the same integration registry as executions (what it wrote is read back from the emulator), with
 * the inspection data of each level; `.waitForTaskToken` and `.sync` without a mock give AWS's error; a
 * mocked result is checked against the installed SDK client's output shape per fieldValidationMode.
 * (The HTTP Task's TRACE request and response: src/e2e/local-integrations.test.ts; the seed example's ECS and
 * SNS states: src/e2e/seed-ecs-sns.test.ts.)
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CreateStateMachineCommand, TestStateCommand, type SFNClient, type TestStateCommandInput } from '@aws-sdk/client-sfn';
import { CreateBucketCommand, GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateTableCommand, DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { startChildServer, type ChildServer } from './child-server.js';
import { startDynamoDb, startEventBridge, startS3, startSqsSns, TEST_CREDENTIALS, type Emulator } from './aws-emulators.js';
import { cli, findAwsCliWith, REGION, ROLE, sdkClient } from './helpers.js';

// test-state's --mock came with the 2025 TestState inputs; an older CLI cannot send it.
const awsCli = findAwsCliWith('test-state', '--mock');
const skipCli = awsCli ? false : 'no AWS CLI here (at /usr/bin/aws or on PATH) has test-state --mock; the same checks run through the SDK above';
const cfg = { region: REGION, credentials: TEST_CREDENTIALS };
let s3: Emulator;
let ddb: Emulator;
let q: Emulator;
let eb: Awaited<ReturnType<typeof startEventBridge>>;
let srv: ChildServer;
/** A second Stepwise server, as the Step Functions service aws-sdk:sfn:* calls. */
let sfnService: ChildServer;
let c: SFNClient;
let queueUrl: string;
let dir: string;

before(async () => {
  // A Batch job definition mapped to a local process (the Stepwise config file).
  dir = mkdtempSync(join(tmpdir(), 'stepwise-teststate-'));
  writeFileSync(join(dir, 'stepwise.json'), JSON.stringify({ batch: { jobDefinitions: { report: { command: [process.execPath, '-e', 'process.exit(Number(process.argv[1] || 0))', 'Ref::code'] } } } }));
  [s3, ddb, q, eb, sfnService] = await Promise.all([startS3(), startDynamoDb(), startSqsSns(), startEventBridge(), startChildServer()]);
  srv = await startChildServer({
    STEPWISE_CONFIG: join(dir, 'stepwise.json'),
    AWS_ENDPOINT_URL_SFN: sfnService.endpoint,
    AWS_ENDPOINT_URL_S3: s3.endpoint,
    AWS_ENDPOINT_URL_DYNAMODB: ddb.endpoint,
    AWS_ENDPOINT_URL_SQS: q.endpoint,
    EVENTBRIDGE_ENDPOINT: eb.endpoint,
    AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
    AWS_REGION: REGION,
    AWS_PROFILE: '',
    AWS_EC2_METADATA_DISABLED: 'true',
  });
  c = sdkClient(srv.endpoint);
  const s3c = new S3Client({ ...cfg, endpoint: s3.endpoint, forcePathStyle: true });
  await s3c.send(new CreateBucketCommand({ Bucket: 'ts-bucket' }));
  s3c.destroy();
  const d = new DynamoDBClient({ ...cfg, endpoint: ddb.endpoint });
  await d.send(new CreateTableCommand({ TableName: 'ts-table', KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }], BillingMode: 'PAY_PER_REQUEST' }));
  d.destroy();
  const sqs = new SQSClient({ ...cfg, endpoint: q.endpoint });
  queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'ts-queue' }))).QueueUrl!;
  sqs.destroy();
});
after(async () => {
  c?.destroy();
  await srv?.close();
  await sfnService?.close();
  await Promise.all([s3, ddb, q, eb].map((e) => e?.close()));
  rmSync(dir, { recursive: true, force: true });
});

const task = (resource: string, extra: object) => JSON.stringify({ Type: 'Task', Resource: `arn:aws:states:::${resource}`, End: true, ...extra });
const testState = (input: TestStateCommandInput) => c.send(new TestStateCommand({ roleArn: ROLE, ...input }));
const json = (s: string | undefined): unknown => (s === undefined ? undefined : JSON.parse(s));

async function receiveOne(): Promise<string> {
  const sqs = new SQSClient({ ...cfg, endpoint: q.endpoint });
  try {
    for (let i = 0; i < 10; i++) {
      const m = (await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 1 }))).Messages?.[0];
      if (m) return m.Body!;
    }
    throw new Error('no message in the queue');
  } finally {
    sqs.destroy();
  }
}

describe('TestState without a mock calls the service', () => {
  it('sqs:sendMessage at INFO, DEBUG and TRACE: the message is in the queue; DEBUG and TRACE show the data flow, no HTTP exchange', async () => {
    const definition = task('sqs:sendMessage', { Parameters: { QueueUrl: queueUrl, 'MessageBody.$': '$.body' }, ResultSelector: { 'id.$': '$.MessageId', 'md5.$': '$.MD5OfMessageBody' }, ResultPath: '$.sent' });
    for (const inspectionLevel of ['INFO', 'DEBUG', 'TRACE'] as const) {
      const body = { level: inspectionLevel };
      const r = await testState({ definition, input: JSON.stringify({ body }), inspectionLevel });
      assert.equal(r.status, 'SUCCEEDED', `${r.error}: ${r.cause}`);
      const out = json(r.output) as { body: object; sent: { id: string; md5: string } };
      assert.equal(await receiveOne(), JSON.stringify(body), 'the JSON body is sent as its text');
      assert.equal(out.sent.md5, createHash('md5').update(JSON.stringify(body)).digest('hex'));
      if (inspectionLevel === 'INFO') {
        assert.equal(r.inspectionData, undefined);
        continue;
      }
      const d = r.inspectionData!;
      assert.deepEqual(json(d.input), { body });
      assert.deepEqual(json(d.afterParameters), { QueueUrl: queueUrl, MessageBody: body });
      const result = json(d.result) as { MessageId: string; SdkHttpMetadata: { HttpStatusCode: number } };
      assert.equal(result.MessageId, out.sent.id);
      assert.equal(result.SdkHttpMetadata.HttpStatusCode, 200);
      assert.deepEqual(json(d.afterResultSelector), out.sent);
      assert.deepEqual(json(d.afterResultPath), out);
      assert.equal(d.request, undefined, 'TRACE shows an HTTP exchange for the HTTP Task only');
      assert.equal(d.response, undefined);
    }
  });

  it('dynamodb:putItem writes the item to dynalite; a missing table is DynamoDB.ResourceNotFoundException, caught by the Catch', async () => {
    const put = (table: string) =>
      task('dynamodb:putItem', {
        Parameters: { TableName: table, Item: { id: { S: 'ts-1' }, 'v.$': '$.v' } },
        Catch: [{ ErrorEquals: ['DynamoDB.ResourceNotFoundException'], ResultPath: '$.err', Next: 'Handle' }],
      });
    const r = await testState({ definition: put('ts-table'), input: JSON.stringify({ v: { N: '7' } }), inspectionLevel: 'DEBUG' });
    assert.equal(r.status, 'SUCCEEDED', `${r.error}: ${r.cause}`);
    assert.equal((json(r.output) as { SdkHttpMetadata: { HttpStatusCode: number } }).SdkHttpMetadata.HttpStatusCode, 200);
    const d = new DynamoDBClient({ ...cfg, endpoint: ddb.endpoint });
    const item = await d.send(new GetItemCommand({ TableName: 'ts-table', Key: { id: { S: 'ts-1' } } }));
    d.destroy();
    assert.deepEqual(item.Item, { id: { S: 'ts-1' }, v: { N: '7' } });
    const missing = await testState({ definition: put('missing'), input: JSON.stringify({ v: { N: '1' } }), inspectionLevel: 'DEBUG' });
    assert.deepEqual([missing.status, missing.error, missing.nextState], ['CAUGHT_ERROR', 'DynamoDB.ResourceNotFoundException', 'Handle']);
    assert.match(missing.cause!, /Error Code: ResourceNotFoundException/);
    assert.deepEqual(missing.inspectionData!.errorDetails, { catchIndex: 0 });
  });

  it('aws-sdk:s3 putObject then getObject (JSONata): the object is in s3rver; a missing key is S3.NoSuchKeyException', async () => {
    const s3task = (api: string, args: object) => JSON.stringify({ QueryLanguage: 'JSONata', Type: 'Task', Resource: `arn:aws:states:::aws-sdk:s3:${api}`, Arguments: args, End: true });
    const put = await testState({ definition: s3task('putObject', { Bucket: 'ts-bucket', Key: 'k.json', Body: '{% $states.input %}' }), input: '{"n":1}', inspectionLevel: 'DEBUG' });
    assert.equal(put.status, 'SUCCEEDED', `${put.error}: ${put.cause}`);
    assert.deepEqual(json(put.inspectionData!.afterArguments), { Bucket: 'ts-bucket', Key: 'k.json', Body: { n: 1 } });
    assert.equal(typeof (json(put.output) as { ETag: string }).ETag, 'string');
    const s3c = new S3Client({ ...cfg, endpoint: s3.endpoint, forcePathStyle: true });
    assert.equal(await (await s3c.send(new GetObjectCommand({ Bucket: 'ts-bucket', Key: 'k.json' }))).Body!.transformToString(), '{"n":1}');
    s3c.destroy();
    const get = await testState({ definition: s3task('getObject', { Bucket: 'ts-bucket', Key: 'k.json' }), input: '{}' });
    assert.equal(get.status, 'SUCCEEDED', `${get.error}: ${get.cause}`);
    assert.equal((json(get.output) as { Body: string }).Body, '{"n":1}');
    const missing = await testState({ definition: s3task('getObject', { Bucket: 'ts-bucket', Key: 'nope' }), input: '{}' });
    assert.deepEqual([missing.status, missing.error], ['FAILED', 'S3.NoSuchKeyException']);
  });

  it('events:putEvents: the entry reaches EventBridge with the TestState execution and state machine as Resources', async () => {
    const before = eb.requests.length;
    const r = await testState({ definition: task('events:putEvents', { Parameters: { Entries: [{ Source: 'ts', DetailType: 'T', 'Detail.$': '$' }] } }), input: '{"a":1}', inspectionLevel: 'DEBUG' });
    assert.equal(r.status, 'SUCCEEDED', `${r.error}: ${r.cause}`);
    assert.equal((json(r.output) as { FailedEntryCount: number }).FailedEntryCount, 0);
    assert.equal(eb.requests.length, before + 1);
    const entry = (eb.requests.at(-1)!.body.Entries as { Detail: string; Resources: string[] }[])[0]!;
    assert.equal(entry.Detail, '{"a":1}');
    assert.match(entry.Resources[0]!, /^arn:aws:states:us-east-1:123456789012:express:TestState-[^:]+:[^:]+$/);
    assert.match(entry.Resources[1]!, /^arn:aws:states:us-east-1:123456789012:stateMachine:TestState-/);
  });

  it('aws-sdk:sfn (a camelCase API): PascalCase parameters reach the service, the response comes back in PascalCase', async () => {
    const other = sdkClient(sfnService.endpoint);
    const arns: string[] = [];
    for (const name of ['ts-one', 'ts-two'])
      arns.push((await other.send(new CreateStateMachineCommand({ name, roleArn: ROLE, definition: '{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}' }))).stateMachineArn!);
    other.destroy();
    const describe = await testState({ definition: task('aws-sdk:sfn:describeStateMachine', { Parameters: { StateMachineArn: arns[1] } }), input: '{}' });
    assert.equal(describe.status, 'SUCCEEDED', `${describe.error}: ${describe.cause}`);
    const d = json(describe.output) as Record<string, unknown>;
    assert.deepEqual([d.StateMachineArn, d.Name, d.Status, d.Type], [arns[1], 'ts-two', 'ACTIVE', 'STANDARD']);
    assert.equal(typeof d.CreationDate, 'string');
    assert.equal(d.stateMachineArn, undefined);
    const list = await testState({ definition: task('aws-sdk:sfn:listStateMachines', { Parameters: { MaxResults: 1 } }), input: '{}' });
    const l = json(list.output) as { StateMachines: { Name: string; StateMachineArn: string }[]; NextToken: string };
    assert.equal(l.StateMachines.length, 1, 'MaxResults reached the service as maxResults');
    assert.equal(typeof l.NextToken, 'string');
    assert.equal(l.StateMachines[0]!.StateMachineArn, arns[0]);
    const missing = await testState({ definition: task('aws-sdk:sfn:describeStateMachine', { Parameters: { StateMachineArn: `${arns[0]}-gone` } }), input: '{}' });
    assert.deepEqual([missing.status, missing.error], ['FAILED', 'Sfn.StateMachineDoesNotExistException']);
  });

  it('batch:submitJob (request-response) runs the job\'s local process; a mock is checked against SubmitJob\'s output', async () => {
    const submit = task('batch:submitJob', { Parameters: { JobName: 'nightly', JobQueue: 'q', JobDefinition: 'report', Parameters: { code: '0' } } });
    const r = await testState({ definition: submit, input: '{}' });
    assert.equal(r.status, 'SUCCEEDED', `${r.error}: ${r.cause}`);
    const out = json(r.output) as { JobName: string; JobId: string; JobArn: string };
    assert.equal(out.JobName, 'nightly');
    assert.match(out.JobArn, /^arn:aws:batch:us-east-1:123456789012:job\//);
    await assert.rejects(testState({ definition: submit, input: '{}', mock: { result: '{"JobName": "nightly"}' } }), { message: "Mock result schema validation error: Required field 'JobId' is missing" });
    const sync = task('batch:submitJob.sync', { Parameters: { JobName: 'n', JobQueue: 'q', JobDefinition: 'report' } });
    await assert.rejects(testState({ definition: sync, input: '{}', mock: { result: '{"JobName": "n", "JobId": "i", "JobQueue": "q", "Status": 1, "StartedAt": 1, "JobDefinition": "d"}' } }), {
      message: "Mock result schema validation error: Field 'Status' must be a string",
    });
  });

  it('.waitForTaskToken and .sync without a mock: AWS\'s error; with one, the mocked answer', async () => {
    const needsMock = { name: 'ValidationException', message: 'TestState supports Activity tasks and the .sync and .waitForTaskToken service integration patterns only when a mock is specified' };
    const callback = task('sqs:sendMessage.waitForTaskToken', { Parameters: { QueueUrl: queueUrl, 'MessageBody.$': '$$.Task.Token' } });
    await assert.rejects(testState({ definition: callback, input: '{}' }), needsMock);
    await assert.rejects(testState({ definition: task('states:startExecution.sync:2', { Parameters: { StateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:x' } }), input: '{}' }), needsMock);
    const r = await testState({ definition: callback, input: '{}', mock: { result: '{"approved":true}' } });
    assert.deepEqual([r.status, json(r.output)], ['SUCCEEDED', { approved: true }]);
  });
});

describe('TestState with a mock: the result checked against the installed SDK client\'s output shape', () => {
  const receive = task('aws-sdk:sqs:receiveMessage', { Parameters: { QueueUrl: 'q' } });

  it('STRICT (the default), PRESENT and NONE', async () => {
    await assert.rejects(testState({ definition: receive, input: '{}', mock: { result: '{"Messages": {"Body": "b"}}' } }), {
      name: 'ValidationException',
      message: "Mock result schema validation error: Field 'Messages' must be an array",
    });
    const noDataType = JSON.stringify({ Messages: [{ Body: 'b', MessageAttributes: { a: { StringValue: 'x' } } }] });
    await assert.rejects(testState({ definition: receive, input: '{}', mock: { result: noDataType } }), { message: "Mock result schema validation error: Required field 'DataType' is missing" });
    assert.equal((await testState({ definition: receive, input: '{}', mock: { result: noDataType, fieldValidationMode: 'PRESENT' } })).status, 'SUCCEEDED');
    assert.equal((await testState({ definition: receive, input: '{}', mock: { result: '{"Messages": 5}', fieldValidationMode: 'NONE' } })).status, 'SUCCEEDED');
    const ok = await testState({ definition: receive, input: '{}', mock: { result: '{"Messages": [{"Body": "b", "MessageId": "m"}], "Extra": 1}' } });
    assert.deepEqual(json(ok.output), { Messages: [{ Body: 'b', MessageId: 'm' }], Extra: 1 }, 'fields outside the API are accepted');
  });

  it('optimized DynamoDB: attribute values are checked as DynamoDB models them', async () => {
    const get = task('dynamodb:getItem', { Parameters: { TableName: 'ts-table', Key: { id: { S: 'x' } } } });
    await assert.rejects(testState({ definition: get, input: '{}', mock: { result: '{"Item": {"n": {"N": 5}}}' } }), { message: "Mock result schema validation error: Field 'N' must be a string" });
    assert.equal((await testState({ definition: get, input: '{}', mock: { result: '{"Item": {"n": {"N": "5"}}}' } })).status, 'SUCCEEDED');
  });

  it('through the AWS CLI (test-state --mock)', { skip: skipCli, timeout: 60000 }, async () => {
    // TestState goes to sync-<host> unless host prefixes are off (README: "disableHostPrefix").
    const noHostPrefix = { AWS_DISABLE_HOST_PREFIX_INJECTION: 'true' };
    const bad = await cli(srv.endpoint, ['test-state', '--definition', receive, '--role-arn', ROLE, '--mock', JSON.stringify({ result: '{"Messages": "x"}', fieldValidationMode: 'STRICT' })], noHostPrefix, awsCli);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /ValidationException.*Mock result schema validation error: Field 'Messages' must be an array/);
    const good = await cli(srv.endpoint, ['test-state', '--definition', receive, '--role-arn', ROLE, '--mock', JSON.stringify({ result: '{"Messages": []}' })], noHostPrefix, awsCli);
    assert.equal(good.code, 0, good.stderr);
    assert.equal(good.json!.status, 'SUCCEEDED');
  });
});
