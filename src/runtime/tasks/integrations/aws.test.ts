import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateTableCommand, DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { StateMachine } from '../../../library/state-machine.js';
import type { Json, JsonObject } from '../../../shared/json.js';
import { startDynamoDb, startEventBridge, startS3, startSqsSns, startSts, TEST_CREDENTIALS, type Emulator } from '../../../e2e/aws-emulators.js';
import { awsIntegrations } from './aws.js';
import { lambdaViaSdk } from './aws-lambda.js';
import { AwsClients } from './aws/clients.js';
import { awsService } from './aws/services.js';

const REGION = 'us-east-1';
let s3: Emulator;
let ddb: Emulator;
let q: Emulator;
let eb: Awaited<ReturnType<typeof startEventBridge>>;
let sts: Awaited<ReturnType<typeof startSts>>;
let clients: AwsClients;
let s3c: S3Client;
let ddbc: DynamoDBClient;
let sqsc: SQSClient;
let snsc: SNSClient;

const task = (Resource: string, Parameters?: JsonObject, extra: JsonObject = {}): JsonObject => ({
  StartAt: 'T',
  States: { T: { Type: 'Task', Resource, ...(Parameters ? { Parameters } : {}), ...extra, End: true } },
});
const run = (def: JsonObject, input: Json = {}, c: AwsClients = clients) => new StateMachine(def, { services: awsIntegrations(c) }).run(input);

before(async () => {
  [s3, ddb, q, eb, sts] = await Promise.all([startS3(), startDynamoDb(), startSqsSns(), startEventBridge(), startSts()]);
  clients = new AwsClients({
    env: {
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      AWS_ENDPOINT_URL_DYNAMODB: ddb.endpoint,
      SQS_ENDPOINT: q.endpoint,
      SNS_ENDPOINT: q.endpoint,
      EVENTBRIDGE_ENDPOINT: eb.endpoint,
      AWS_ENDPOINT_URL_STS: sts.endpoint,
      AWS_REGION: REGION,
    },
    credentials: TEST_CREDENTIALS,
  });
  const cfg = { region: REGION, credentials: TEST_CREDENTIALS };
  s3c = new S3Client({ ...cfg, endpoint: s3.endpoint, forcePathStyle: true });
  ddbc = new DynamoDBClient({ ...cfg, endpoint: ddb.endpoint });
  sqsc = new SQSClient({ ...cfg, endpoint: q.endpoint });
  snsc = new SNSClient({ ...cfg, endpoint: q.endpoint });
  await s3c.send(new CreateBucketCommand({ Bucket: 'bucket1' }));
  await s3c.send(new PutObjectCommand({ Bucket: 'bucket1', Key: 'hello.txt', Body: 'hello world' }));
  await ddbc.send(
    new CreateTableCommand({
      TableName: 'table1',
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
});

after(async () => {
  await clients.close();
  for (const c of [s3c, ddbc, sqsc, snsc]) c?.destroy();
  await Promise.all([s3, ddb, q, eb, sts].map((e) => e?.close()));
});

describe('AWS clients: endpoints', () => {
  test('AWS_ENDPOINT_URL_<SERVICE>, then Step Functions Local <SERVICE>_ENDPOINT, then AWS_ENDPOINT_URL, else AWS', () => {
    const c = (env: Record<string, string>) => new AwsClients({ env });
    assert.equal(c({ AWS_ENDPOINT_URL_SQS: 'http://a', SQS_ENDPOINT: 'http://b', AWS_ENDPOINT_URL: 'http://c' }).endpointOf(awsService('sqs')), 'http://a');
    assert.equal(c({ SQS_ENDPOINT: 'http://b', AWS_ENDPOINT_URL: 'http://c' }).endpointOf(awsService('sqs')), 'http://b');
    assert.equal(c({ AWS_ENDPOINT_URL: 'http://c' }).endpointOf(awsService('sqs')), 'http://c');
    assert.equal(c({}).endpointOf(awsService('sqs')), undefined);
    assert.equal(c({ AWS_ENDPOINT_URL_SECRETS_MANAGER: 'http://s' }).endpointOf(awsService('secretsmanager')), 'http://s');
    for (const [svc, v] of [['dynamodb', 'DYNAMODB_ENDPOINT'], ['sns', 'SNS_ENDPOINT'], ['ecs', 'ECS_ENDPOINT'], ['batch', 'BATCH_ENDPOINT'], ['eventbridge', 'EVENTBRIDGE_ENDPOINT'], ['lambda', 'LAMBDA_ENDPOINT']] as const)
      assert.equal(c({ [v]: 'http://x' }).endpointOf(awsService(svc)), 'http://x', v);
  });

  test('one client per service, region, endpoint and role', async () => {
    const a = await clients.get('s3', REGION);
    assert.equal(await clients.get('s3', REGION), a);
    assert.notEqual(await clients.get('s3', REGION, 'arn:aws:iam::123456789012:role/Other'), a);
    assert.notEqual(await new AwsClients({ env: { AWS_REGION: 'eu-west-1' }, credentials: TEST_CREDENTIALS }).get('s3', REGION), a);
  });
});

describe('aws-sdk:SERVICE:ACTION', () => {
  test('s3: putObject then getObject; the body is the JSON value as text, the response without SDK metadata', async () => {
    const put = await run(task('arn:aws:states:::aws-sdk:s3:putObject', { Bucket: 'bucket1', Key: 'k.json', 'Body.$': '$.body' }), { body: { a: [1, 'x'] } });
    assert.equal(put.status, 'SUCCEEDED', put.cause);
    const po = put.output as JsonObject;
    assert.equal(typeof po.ETag, 'string');
    assert.equal('$metadata' in po, false);
    const get = await run(task('arn:aws:states:::aws-sdk:s3:getObject', { Bucket: 'bucket1', Key: 'k.json' }));
    assert.equal(get.status, 'SUCCEEDED', get.cause);
    const go = get.output as JsonObject;
    assert.equal(go.Body, '{"a":[1,"x"]}');
    assert.equal(go.ContentType, 'text/plain; charset=UTF-8');
    assert.equal(go.ContentLength, 13);
    assert.match(String(go.LastModified), /^\d{4}-\d\d-\d\dT/);
    assert.equal('ChecksumCRC32' in go, false, 'no checksum mode');
    const hello = await run(task('arn:aws:states:::aws-sdk:s3:getObject', { Bucket: 'bucket1', Key: 'hello.txt' }));
    assert.equal((hello.output as JsonObject).Body, 'hello world');
  });

  test('s3 errors: S3.NoSuchKeyException, S3.NoSuchBucketException with the SDK integration cause', async () => {
    const key = await run(task('arn:aws:states:::aws-sdk:s3:getObject', { Bucket: 'bucket1', Key: 'missing' }));
    assert.equal(key.status, 'FAILED');
    assert.equal(key.error, 'S3.NoSuchKeyException');
    assert.match(key.cause!, /^The specified key does not exist\. \(Service: S3, Status Code: 404, Request ID: [^,]+, Extended Request ID: [^)]+\)$/);
    const bucket = await run(task('arn:aws:states:::aws-sdk:s3:listObjectsV2', { Bucket: 'nobucket' }));
    assert.equal(bucket.error, 'S3.NoSuchBucketException');
    assert.match(bucket.cause!, /^The specified bucket does not exist \(Service: S3, Status Code: 404, /);
  });

  test('dynamodb: query; a modeled error by its name, an unmodeled one as DynamoDb.DynamoDbException', async () => {
    await ddbc.send(new (await import('@aws-sdk/client-dynamodb')).PutItemCommand({ TableName: 'table1', Item: { id: { S: 'q1' }, v: { N: '7' } } }));
    const r = await run(task('arn:aws:states:::aws-sdk:dynamodb:query', { TableName: 'table1', KeyConditionExpression: 'id = :id', ExpressionAttributeValues: { ':id': { S: 'q1' } } }));
    assert.equal(r.status, 'SUCCEEDED', r.cause);
    assert.deepEqual(r.output, { Count: 1, Items: [{ id: { S: 'q1' }, v: { N: '7' } }], ScannedCount: 1 });
    const missing = await run(task('arn:aws:states:::aws-sdk:dynamodb:getItem', { TableName: 'nope', Key: { id: { S: 'x' } } }));
    assert.equal(missing.error, 'DynamoDb.ResourceNotFoundException');
    assert.match(missing.cause!, /^Requested resource not found \(Service: DynamoDb, Status Code: 400, Request ID: \w+\)$/);
    const invalid = await run(task('arn:aws:states:::aws-sdk:dynamodb:putItem', { TableName: 'table1', Item: null }));
    assert.equal(invalid.error, 'DynamoDb.DynamoDbException');
    assert.match(invalid.cause!, /^1 validation error detected: Value null at 'item' failed to satisfy constraint: Member must not be null \(Service: DynamoDb, Status Code: 400, /);
  });

  test('errors are caught by their names', async () => {
    const def = {
      StartAt: 'T',
      States: {
        T: { Type: 'Task', Resource: 'arn:aws:states:::aws-sdk:s3:getObject', Parameters: { Bucket: 'bucket1', Key: 'nope' }, Catch: [{ ErrorEquals: ['S3.NoSuchKeyException'], Next: 'C' }], End: true },
        C: { Type: 'Pass', End: true },
      },
    };
    const r = await run(def);
    assert.equal(r.status, 'SUCCEEDED');
    assert.equal((r.output as JsonObject).Error, 'S3.NoSuchKeyException');
  });

  test('a client package that is not installed fails the task naming the package to install', async () => {
    const r = await run(task('arn:aws:states:::aws-sdk:nosuchservicez:doThing', {}));
    assert.equal(r.status, 'FAILED');
    assert.equal(r.error, 'States.Runtime');
    assert.match(r.cause!, /@aws-sdk\/client-nosuchservicez is not installed.*npm install @aws-sdk\/client-nosuchservicez/);
  });

  test('an action the client does not have fails the task naming it', async () => {
    const r = await run(task('arn:aws:states:::aws-sdk:s3:frobnicate', {}));
    assert.equal(r.error, 'States.Runtime');
    assert.match(r.cause!, /'frobnicate' of 's3' is not in @aws-sdk\/client-s3 \(it has no FrobnicateCommand\)/);
  });

  test('timestamps given as ISO-8601 text or epoch seconds are sent as the service takes them', async () => {
    const before = eb.requests.length;
    const r = await run(task('arn:aws:states:::aws-sdk:eventbridge:putEvents', { Entries: [{ Source: 'ts', DetailType: 'T', Detail: '{}', Time: '2024-01-02T03:04:05Z' }, { Source: 'ts', DetailType: 'T', Detail: '{}', Time: 1704164646 }] }));
    assert.equal(r.status, 'SUCCEEDED', r.cause);
    assert.deepEqual((eb.requests[before]!.body.Entries as JsonObject[]).map((e) => e.Time), [1704164645, 1704164646]);
  });

  test('Credentials.RoleArn: the call is signed with the role assumed through STS', async () => {
    const def = task('arn:aws:states:::aws-sdk:eventbridge:putEvents', { Entries: [{ Source: 'sdk.test', DetailType: 'T', Detail: '{}' }] }, { Credentials: { RoleArn: 'arn:aws:iam::123456789012:role/Writer' } });
    const before = eb.requests.length;
    const r = await run(def);
    assert.equal(r.status, 'SUCCEEDED', r.cause);
    assert.deepEqual(sts.assumed, ['arn:aws:iam::123456789012:role/Writer']);
    const req = eb.requests[before]!;
    assert.match(req.authorization!, /Credential=ASIAWRITER\//);
    // SDK integration: no Resources added (only the optimized integration adds them).
    assert.deepEqual((req.body.Entries as JsonObject[])[0]!.Resources, undefined);
    // Without Credentials: the base credentials.
    await run(task('arn:aws:states:::aws-sdk:eventbridge:putEvents', { Entries: [{ Source: 'sdk.test', DetailType: 'T', Detail: '{}' }] }));
    assert.match(eb.requests.at(-1)!.authorization!, new RegExp(`Credential=${TEST_CREDENTIALS.accessKeyId}/`));
  });
});

describe('optimized integrations', () => {
  test('dynamodb putItem, getItem, updateItem, deleteItem: the response with SdkHttpMetadata and SdkResponseMetadata', async () => {
    const def = {
      StartAt: 'Put',
      States: {
        Put: { Type: 'Task', Resource: 'arn:aws:states:::dynamodb:putItem', Parameters: { TableName: 'table1', Item: { id: { S: 'o1' }, n: { N: '1' } } }, ResultPath: '$.put', Next: 'Update' },
        Update: {
          Type: 'Task',
          Resource: 'arn:aws:states:::dynamodb:updateItem',
          Parameters: { TableName: 'table1', Key: { id: { S: 'o1' } }, UpdateExpression: 'SET n = :n', ExpressionAttributeValues: { ':n': { N: '2' } }, ReturnValues: 'UPDATED_NEW' },
          ResultPath: '$.update',
          Next: 'Get',
        },
        Get: { Type: 'Task', Resource: 'arn:aws:states:::dynamodb:getItem', Parameters: { TableName: 'table1', Key: { id: { S: 'o1' } } }, ResultPath: '$.get', Next: 'Delete' },
        Delete: { Type: 'Task', Resource: 'arn:aws:states:::dynamodb:deleteItem', Parameters: { TableName: 'table1', Key: { id: { S: 'o1' } } }, ResultPath: '$.delete', End: true },
      },
    };
    const r = await run(def);
    assert.equal(r.status, 'SUCCEEDED', r.cause);
    const o = r.output as Record<string, JsonObject>;
    assert.deepEqual(o.get!.Item, { id: { S: 'o1' }, n: { N: '2' } });
    assert.deepEqual(o.update!.Attributes, { n: { N: '2' } });
    const meta = o.put!.SdkHttpMetadata as JsonObject;
    assert.equal(meta.HttpStatusCode, 200);
    const headers = meta.HttpHeaders as JsonObject;
    assert.equal(headers['Content-Type'], 'application/x-amz-json-1.0');
    assert.equal(headers['Content-Length'], '2');
    assert.deepEqual((meta.AllHttpHeaders as JsonObject)['Content-Type'], ['application/x-amz-json-1.0']);
    assert.equal((o.put!.SdkResponseMetadata as JsonObject).RequestId, headers['x-amzn-RequestId']);
    const gone = await ddbc.send(new GetItemCommand({ TableName: 'table1', Key: { id: { S: 'o1' } } }));
    assert.equal(gone.Item, undefined);
  });

  test('dynamodb errors as the optimized integration names them', async () => {
    const r = await run(task('arn:aws:states:::dynamodb:putItem', { TableName: 'nope', Item: { id: { S: 'x' } } }));
    assert.equal(r.error, 'DynamoDB.ResourceNotFoundException');
    assert.match(r.cause!, /^Requested resource not found \(Service: AmazonDynamoDBv2; Status Code: 400; Error Code: ResourceNotFoundException; Request ID: \w+; Proxy: null\)$/);
    const bad = await run(task('arn:aws:states:::dynamodb:putItem', { TableName: '/bad', Item: { id: { S: 'x' } } }));
    assert.equal(bad.error, 'DynamoDB.AmazonDynamoDBException');
    assert.match(bad.cause!, /Error Code: ValidationException;/);
  });

  test('sqs:sendMessage: a JSON body is sent as its text; .waitForTaskToken waits for the token', async () => {
    const { QueueUrl } = await sqsc.send(new CreateQueueCommand({ QueueName: 'queue1' }));
    const r = await run(task('arn:aws:states:::sqs:sendMessage', { QueueUrl: QueueUrl!, MessageBody: { hello: 'world' } }));
    assert.equal(r.status, 'SUCCEEDED', r.cause);
    const o = r.output as JsonObject;
    assert.equal(typeof o.MessageId, 'string');
    assert.equal(typeof o.MD5OfMessageBody, 'string');
    assert.equal((o.SdkHttpMetadata as JsonObject).HttpStatusCode, 200);
    const got = await sqsc.send(new ReceiveMessageCommand({ QueueUrl: QueueUrl!, WaitTimeSeconds: 1 }));
    assert.equal(got.Messages?.[0]?.Body, '{"hello":"world"}');

    const sm = new StateMachine(task('arn:aws:states:::sqs:sendMessage.waitForTaskToken', { QueueUrl: QueueUrl!, MessageBody: { 'token.$': '$$.Task.Token' } }), { services: awsIntegrations(clients) });
    const ex = sm.start({});
    let token: string | undefined;
    while (!token) {
      const m = await sqsc.send(new ReceiveMessageCommand({ QueueUrl: QueueUrl!, WaitTimeSeconds: 1 }));
      if (m.Messages?.[0]?.Body) token = (JSON.parse(m.Messages[0].Body) as { token: string }).token;
    }
    assert.equal(ex.sendTaskSuccess(token, { done: true }), true);
    const end = await ex.done;
    assert.equal(end.status, 'SUCCEEDED');
    assert.deepEqual(end.output, { done: true });
    assert.deepEqual(end.events.map((e) => e.type).filter((t) => t.startsWith('Task')), ['TaskStateEntered', 'TaskScheduled', 'TaskStarted', 'TaskSubmitted', 'TaskSucceeded', 'TaskStateExited']);
  });

  test('sqs errors: SQS.AmazonSQSException / a modeled one by name', async () => {
    const r = await run(task('arn:aws:states:::sqs:sendMessage', { QueueUrl: `${q.endpoint}/000000000000/no-such-queue`, MessageBody: 'x' }));
    assert.equal(r.status, 'FAILED');
    assert.match(r.error!, /^SQS\./);
    assert.match(r.cause!, /\(Service: AmazonSQS; Status Code: 400; Error Code: [\w.]+; Request ID: [^;]+; Proxy: null\)$/);
  });

  test('sns:publish: a JSON message is sent as its text to the topic subscribers', async () => {
    const { TopicArn } = await snsc.send(new CreateTopicCommand({ Name: 'topic1' }));
    const { QueueUrl } = await sqsc.send(new CreateQueueCommand({ QueueName: 'sub1' }));
    const attrs = await sqsc.send(new GetQueueAttributesCommand({ QueueUrl: QueueUrl!, AttributeNames: ['QueueArn'] }));
    await snsc.send(new SubscribeCommand({ TopicArn: TopicArn!, Protocol: 'sqs', Endpoint: attrs.Attributes!.QueueArn!, Attributes: { RawMessageDelivery: 'true' } }));
    const r = await run(task('arn:aws:states:::sns:publish', { TopicArn: TopicArn!, Message: { n: 1 } }));
    assert.equal(r.status, 'SUCCEEDED', r.cause);
    assert.equal(typeof (r.output as JsonObject).MessageId, 'string');
    assert.equal(((r.output as JsonObject).SdkHttpMetadata as JsonObject).HttpStatusCode, 200);
    const got = await sqsc.send(new ReceiveMessageCommand({ QueueUrl: QueueUrl!, WaitTimeSeconds: 2 }));
    assert.equal(got.Messages?.[0]?.Body, '{"n":1}');
    const missing = await run(task('arn:aws:states:::sns:publish', { TopicArn: 'arn:aws:sns:us-east-1:000000000000:nope', Message: 'x' }));
    assert.match(missing.error!, /^SNS\./);
    assert.match(missing.cause!, /\(Service: AmazonSNS; Status Code: \d+; Error Code: \w+; /);
  });

  test('events:putEvents: Detail as text, the execution and state machine ARNs added to Resources; a failed entry fails the task', async () => {
    const before = eb.requests.length;
    const r = await run(task('arn:aws:states:::events:putEvents', { Entries: [{ Source: 'my.app', DetailType: 'Thing', Detail: { a: 1 }, Resources: ['arn:x'] }] }));
    assert.equal(r.status, 'SUCCEEDED', r.cause);
    assert.deepEqual(Object.keys(r.output as JsonObject).sort(), ['Entries', 'FailedEntryCount']);
    assert.equal((r.output as JsonObject).FailedEntryCount, 0);
    assert.match(String(((r.output as { Entries: JsonObject[] }).Entries[0]!).EventId), /^event-\d+-0$/);
    const entry = (eb.requests[before]!.body.Entries as JsonObject[])[0]!;
    assert.equal(entry.Detail, '{"a":1}');
    const res = entry.Resources as string[];
    assert.equal(res.length, 3);
    assert.equal(res[0], 'arn:x');
    assert.match(res[1]!, /:execution:/);
    assert.match(res[2]!, /:stateMachine:/);
    const failed = await run(task('arn:aws:states:::events:putEvents', { Entries: [{ Source: 'fail.me', DetailType: 'T', Detail: '{}' }] }));
    assert.equal(failed.status, 'FAILED');
    assert.equal(failed.error, 'EventBridge.FailedEntry');
    assert.match(failed.cause!, /"FailedEntryCount":1/);
  });
});

describe('cancellation', () => {
  test('TimeoutSeconds during a call: the task times out and the request is abandoned', async () => {
    const r = await run(task('arn:aws:states:::events:putEvents', { Entries: [{ Source: 'hang.me', DetailType: 'T', Detail: '{}' }] }, { TimeoutSeconds: 1 }));
    assert.equal(r.status, 'FAILED');
    assert.equal(r.error, 'States.Timeout');
    for (let i = 0; eb.aborted.count === 0 && i < 200; i++) await new Promise((res) => setTimeout(res, 10));
    assert.equal(eb.aborted.count, 1, 'the SDK request was aborted');
  });
});

describe('lambda:invoke through the AWS SDK (no local handler, no LAMBDA_ENDPOINT)', () => {
  test('only when the environment configures AWS', () => {
    assert.equal(lambdaViaSdk(clients, {}), undefined);
    assert.equal(typeof lambdaViaSdk(clients, { AWS_ENDPOINT_URL_LAMBDA: 'http://x' }), 'function');
    assert.equal(typeof lambdaViaSdk(clients, { AWS_PROFILE: 'p' }), 'function');
  });

  test('the Invoke API at AWS_ENDPOINT_URL_LAMBDA: results, function errors and unknown functions as AWS maps them', async () => {
    const seen: { url: string; body: string }[] = [];
    const srv = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        seen.push({ url: req.url!, body });
        const name = /functions\/([^/]+)\/invocations/.exec(req.url!)![1];
        if (name === 'missing') {
          res.writeHead(404, { 'content-type': 'application/json', 'x-amzn-errortype': 'ResourceNotFoundException', 'x-amzn-requestid': 'r404' });
          res.end(JSON.stringify({ Type: 'User', Message: 'Function not found: arn:aws:lambda:us-east-1:123456789012:function:missing' }));
        } else if (name === 'boom') {
          res.writeHead(200, { 'content-type': 'application/json', 'x-amz-function-error': 'Unhandled', 'x-amzn-requestid': 'r2' });
          res.end(JSON.stringify({ errorType: 'BoomError', errorMessage: 'boom' }));
        } else {
          res.writeHead(200, { 'content-type': 'application/json', 'x-amz-executed-version': '$LATEST', 'x-amzn-requestid': 'r1' });
          res.end(JSON.stringify({ echoed: JSON.parse(body) }));
        }
      });
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const saved = { ...process.env };
    Object.assign(process.env, { AWS_ENDPOINT_URL_LAMBDA: `http://127.0.0.1:${(srv.address() as { port: number }).port}`, AWS_ACCESS_KEY_ID: 'AKID', AWS_SECRET_ACCESS_KEY: 'secret', AWS_REGION: REGION });
    try {
      const sm = (fn: string) => new StateMachine(task('arn:aws:states:::lambda:invoke', { FunctionName: fn, Payload: { a: 1 } }));
      const ok = await sm('echo').run({});
      assert.equal(ok.status, 'SUCCEEDED', ok.cause);
      const o = ok.output as JsonObject;
      assert.deepEqual(o.Payload, { echoed: { a: 1 } });
      assert.equal(o.StatusCode, 200);
      assert.equal((o.SdkResponseMetadata as JsonObject).RequestId, 'r1');
      assert.equal(seen[0]!.url, '/2015-03-31/functions/echo/invocations');
      const boom = await sm('boom').run({});
      assert.equal(boom.error, 'BoomError');
      const missing = await sm('missing').run({});
      assert.equal(missing.error, 'Lambda.ResourceNotFoundException');
      assert.match(missing.cause!, /^Function not found: .*\(Service: AWSLambda; Status Code: 404; Error Code: ResourceNotFoundException; Request ID: r404; Proxy: null\)$/);
    } finally {
      for (const k of ['AWS_ENDPOINT_URL_LAMBDA', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION']) {
        if (saved[k] === undefined) delete process.env[k];
        else process.env[k] = saved[k];
      }
      srv.closeAllConnections();
      await new Promise((r) => srv.close(r));
    }
  });
});
