/**
 * E2E: AWS service integrations through the real server (`stepwise serve` as a child process, its endpoints set
 * through the AWS SDK's and Step Functions Local's variables) with @aws-sdk/client-sfn and the AWS CLI, against
 * s3rver, dynalite, fauxqs and an EventBridge wire-protocol server started here.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateStateMachineCommand, GetExecutionHistoryCommand, SendTaskSuccessCommand, StartExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { CreateBucketCommand, GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateTableCommand, DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { startChildServer, type ChildServer } from './child-server.js';
import { startDynamoDb, startEventBridge, startS3, startSqsSns, TEST_CREDENTIALS, type Emulator } from './aws-emulators.js';
import { AWS_CLI, cli, hasCli, REGION, ROLE, sdkClient, uniqueName, waitForEnd } from './helpers.js';

const skipCli = hasCli() ? false : `AWS CLI v2 not found at ${AWS_CLI}`;
let s3: Emulator;
let ddb: Emulator;
let q: Emulator;
let eb: Awaited<ReturnType<typeof startEventBridge>>;
let srv: ChildServer;
let c: SFNClient;
const cfg = { region: REGION, credentials: TEST_CREDENTIALS };

before(async () => {
  [s3, ddb, q, eb] = await Promise.all([startS3(), startDynamoDb(), startSqsSns(), startEventBridge()]);
  srv = await startChildServer({
    AWS_ENDPOINT_URL_S3: s3.endpoint,
    AWS_ENDPOINT_URL_DYNAMODB: ddb.endpoint,
    AWS_ENDPOINT_URL_SQS: q.endpoint,
    SNS_ENDPOINT: q.endpoint,
    EVENTBRIDGE_ENDPOINT: eb.endpoint,
    AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
    AWS_REGION: REGION,
    AWS_PROFILE: '',
    AWS_EC2_METADATA_DISABLED: 'true',
  });
  c = sdkClient(srv.endpoint);
  const s3c = new S3Client({ ...cfg, endpoint: s3.endpoint, forcePathStyle: true });
  await s3c.send(new CreateBucketCommand({ Bucket: 'e2e-bucket' }));
  s3c.destroy();
  const d = new DynamoDBClient({ ...cfg, endpoint: ddb.endpoint });
  await d.send(new CreateTableCommand({ TableName: 'e2e', KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }], BillingMode: 'PAY_PER_REQUEST' }));
  d.destroy();
});
after(async () => {
  c?.destroy();
  await srv?.close();
  await Promise.all([s3, ddb, q, eb].map((e) => e?.close()));
});

async function machine(def: object): Promise<string> {
  const r = await c.send(new CreateStateMachineCommand({ name: uniqueName('aws'), definition: JSON.stringify(def), roleArn: ROLE }));
  return r.stateMachineArn!;
}
async function execute(def: object, input: object = {}) {
  const sm = await machine(def);
  const { executionArn } = await c.send(new StartExecutionCommand({ stateMachineArn: sm, input: JSON.stringify(input) }));
  return waitForEnd(c, executionArn!, 20000);
}

describe('AWS integrations through the server', () => {
  it('aws-sdk:s3: putObject, getObject, and S3.NoSuchKeyException caught', async () => {
    const def = {
      StartAt: 'Put',
      States: {
        Put: { Type: 'Task', Resource: 'arn:aws:states:::aws-sdk:s3:putObject', Parameters: { Bucket: 'e2e-bucket', Key: 'o.json', 'Body.$': '$' }, ResultPath: null, Next: 'Get' },
        Get: { Type: 'Task', Resource: 'arn:aws:states:::aws-sdk:s3:getObject', Parameters: { Bucket: 'e2e-bucket', Key: 'o.json' }, ResultSelector: { 'Body.$': '$.Body' }, ResultPath: '$.got', Next: 'Missing' },
        Missing: {
          Type: 'Task',
          Resource: 'arn:aws:states:::aws-sdk:s3:getObject',
          Parameters: { Bucket: 'e2e-bucket', Key: 'nope' },
          Catch: [{ ErrorEquals: ['S3.NoSuchKeyException'], ResultPath: '$.err', Next: 'Done' }],
          Next: 'Done',
        },
        Done: { Type: 'Succeed' },
      },
    };
    const d = await execute(def, { x: 1 });
    assert.equal(d.status, 'SUCCEEDED', d.cause);
    const out = JSON.parse(d.output!);
    assert.equal(out.got.Body, '{"x":1}');
    assert.equal(out.err.Error, 'S3.NoSuchKeyException');
    const s3c = new S3Client({ ...cfg, endpoint: s3.endpoint, forcePathStyle: true });
    const o = await s3c.send(new GetObjectCommand({ Bucket: 'e2e-bucket', Key: 'o.json' }));
    assert.equal(await o.Body!.transformToString(), '{"x":1}');
    s3c.destroy();
  });

  it('dynamodb:putItem through the AWS CLI; the item is in dynalite; the history has the Task events', { skip: skipCli, timeout: 60000 }, async () => {
    const sm = await machine({ StartAt: 'P', States: { P: { Type: 'Task', Resource: 'arn:aws:states:::dynamodb:putItem', Parameters: { TableName: 'e2e', Item: { id: { S: 'cli' }, 'v.$': '$.v' } }, End: true } } });
    const started = await cli(srv.endpoint, ['start-execution', '--state-machine-arn', sm, '--input', JSON.stringify({ v: { S: 'from-cli' } })]);
    assert.equal(started.code, 0, started.stderr);
    const arn = started.json!.executionArn as string;
    await waitForEnd(c, arn, 20000);
    const d = await cli(srv.endpoint, ['describe-execution', '--execution-arn', arn]);
    assert.equal(d.json!.status, 'SUCCEEDED', String(d.json!.cause));
    const out = JSON.parse(d.json!.output as string);
    assert.equal(out.SdkHttpMetadata.HttpStatusCode, 200);
    const h = await c.send(new GetExecutionHistoryCommand({ executionArn: arn }));
    const sched = h.events!.find((e) => e.type === 'TaskScheduled')!.taskScheduledEventDetails!;
    assert.deepEqual([sched.resourceType, sched.resource], ['dynamodb', 'putItem']);
    assert.deepEqual(h.events!.map((e) => e.type), ['ExecutionStarted', 'TaskStateEntered', 'TaskScheduled', 'TaskStarted', 'TaskSucceeded', 'TaskStateExited', 'ExecutionSucceeded']);
    const dc = new DynamoDBClient({ ...cfg, endpoint: ddb.endpoint });
    const item = await dc.send(new GetItemCommand({ TableName: 'e2e', Key: { id: { S: 'cli' } } }));
    dc.destroy();
    assert.deepEqual(item.Item, { id: { S: 'cli' }, v: { S: 'from-cli' } });
  });

  it('aws-sdk:s3:listObjectsV2 and S3.NoSuchBucketException through the AWS CLI', { skip: skipCli, timeout: 60000 }, async () => {
    const sm = await machine({
      StartAt: 'L',
      States: {
        L: { Type: 'Task', Resource: 'arn:aws:states:::aws-sdk:s3:listObjectsV2', Parameters: { 'Bucket.$': '$.bucket' }, ResultSelector: { 'Keys.$': '$.Contents[*].Key' }, End: true },
      },
    });
    const runs: string[] = [];
    for (const bucket of ['e2e-bucket', 'no-such-bucket']) {
      const started = await cli(srv.endpoint, ['start-execution', '--state-machine-arn', sm, '--input', JSON.stringify({ bucket })]);
      assert.equal(started.code, 0, started.stderr);
      runs.push(started.json!.executionArn as string);
    }
    for (const arn of runs) await waitForEnd(c, arn, 20000);
    const ok = await cli(srv.endpoint, ['describe-execution', '--execution-arn', runs[0]!]);
    assert.equal(ok.json!.status, 'SUCCEEDED', String(ok.json!.cause));
    assert.ok((JSON.parse(ok.json!.output as string).Keys as string[]).includes('o.json'));
    const bad = await cli(srv.endpoint, ['describe-execution', '--execution-arn', runs[1]!]);
    assert.deepEqual([bad.json!.status, bad.json!.error], ['FAILED', 'S3.NoSuchBucketException']);
    assert.match(String(bad.json!.cause), /^The specified bucket does not exist \(Service: S3, Status Code: 404, Request ID: /);
  });

  it('sqs:sendMessage.waitForTaskToken: the token goes to the queue; SendTaskSuccess ends the task', async () => {
    const sqs = new SQSClient({ ...cfg, endpoint: q.endpoint });
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'e2e-tokens' }));
    const sm = await machine({
      StartAt: 'W',
      States: { W: { Type: 'Task', Resource: 'arn:aws:states:::sqs:sendMessage.waitForTaskToken', Parameters: { QueueUrl, MessageBody: { 'token.$': '$$.Task.Token' } }, End: true } },
    });
    const { executionArn } = await c.send(new StartExecutionCommand({ stateMachineArn: sm, input: '{}' }));
    let token: string | undefined;
    while (!token) {
      const m = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 1 }));
      if (m.Messages?.[0]?.Body) token = JSON.parse(m.Messages[0].Body).token;
    }
    sqs.destroy();
    await c.send(new SendTaskSuccessCommand({ taskToken: token, output: '{"ok":true}' }));
    const d = await waitForEnd(c, executionArn!, 20000);
    assert.equal(d.status, 'SUCCEEDED', d.cause);
    assert.equal(d.output, '{"ok":true}');
  });

  it('sns:publish through SNS_ENDPOINT; events:putEvents through EVENTBRIDGE_ENDPOINT', async () => {
    const sns = new SNSClient({ ...cfg, endpoint: q.endpoint });
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'e2e-topic' }));
    sns.destroy();
    const def = {
      StartAt: 'Pub',
      States: {
        Pub: { Type: 'Task', Resource: 'arn:aws:states:::sns:publish', Parameters: { TopicArn, Message: { hi: 1 } }, ResultSelector: { 'MessageId.$': '$.MessageId' }, ResultPath: '$.pub', Next: 'Ev' },
        Ev: { Type: 'Task', Resource: 'arn:aws:states:::events:putEvents', Parameters: { Entries: [{ Source: 'e2e', DetailType: 'T', Detail: { a: 1 } }] }, ResultPath: '$.ev', End: true },
      },
    };
    const d = await execute(def);
    assert.equal(d.status, 'SUCCEEDED', d.cause);
    const out = JSON.parse(d.output!);
    assert.equal(typeof out.pub.MessageId, 'string');
    assert.equal(out.ev.FailedEntryCount, 0);
    const entry = (eb.requests.at(-1)!.body.Entries as { Detail: string; Resources: string[] }[])[0]!;
    assert.equal(entry.Detail, '{"a":1}');
    assert.equal(entry.Resources[0], d.executionArn);
  });

  it('a service error fails the execution with AWS\'s name and cause', async () => {
    const d = await execute({ StartAt: 'G', States: { G: { Type: 'Task', Resource: 'arn:aws:states:::dynamodb:getItem', Parameters: { TableName: 'missing', Key: { id: { S: 'x' } } }, End: true } } });
    assert.equal(d.status, 'FAILED');
    assert.equal(d.error, 'DynamoDB.ResourceNotFoundException');
    assert.match(d.cause!, /\(Service: AmazonDynamoDBv2; Status Code: 400; Error Code: ResourceNotFoundException; /);
  });
});
