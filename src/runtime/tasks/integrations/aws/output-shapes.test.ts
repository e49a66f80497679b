import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Json } from '../../../../shared/json.js';
import { parseResource } from '../../../../asl/resources.js';
import { validateMockResult } from '../../../../interpreter/test-state/mock-schema.js';
import type { FieldValidationMode } from '../../../../interpreter/test-state/request.js';
import { SdkOutputShapes, sourceOf } from './output-shapes.js';

const shapes = new SdkOutputShapes();

function service(arn: string) {
  const res = parseResource(arn);
  assert.ok(res && res.kind === 'service', arn);
  return res;
}

async function check(arn: string, result: Json, mode: FieldValidationMode = 'STRICT'): Promise<string | undefined> {
  const res = service(arn);
  return validateMockResult(res, result, mode, await shapes.of(res));
}

describe('output shapes from the installed AWS SDK clients', () => {
  test('where each resource finds its shape', () => {
    assert.deepEqual(sourceOf(service('arn:aws:states:::aws-sdk:s3:listObjectsV2')), { service: 's3', operation: 'ListObjectsV2' });
    assert.deepEqual(sourceOf(service('arn:aws:states:::events:putEvents')), { service: 'eventbridge', operation: 'PutEvents' });
    assert.deepEqual(sourceOf(service('arn:aws:states:::ecs:runTask.sync')), { service: 'ecs', structure: 'Task' });
    assert.deepEqual(sourceOf(service('arn:aws:states:::batch:submitJob.sync')), { service: 'batch', structure: 'JobDetail' });
    assert.equal(sourceOf(service('arn:aws:states:::sns:publish.waitForTaskToken')), undefined, 'a token answer has no shape');
    assert.equal(sourceOf(service('arn:aws:states:::http:invoke')), undefined);
  });

  test('aws-sdk: any action of an installed client, its members, types and nesting (not in the hand-written table)', async () => {
    const receive = 'arn:aws:states:::aws-sdk:sqs:receiveMessage';
    assert.equal(await check(receive, { Messages: [{ MessageId: 'm', Body: 'b', Attributes: { SentTimestamp: '1' } }] }), undefined);
    assert.equal(await check(receive, { Messages: { MessageId: 'm' } }), "Field 'Messages' must be an array");
    assert.equal(await check(receive, { Messages: [{ Body: 7 }] }), "Field 'Body' must be a string");
    assert.equal(await check(receive, { Messages: [{ Attributes: { SentTimestamp: 1 } }] }), "Field 'Attributes' must be a string");
    // Required members of a nested structure (MessageAttributeValue.DataType), STRICT only.
    assert.equal(await check(receive, { Messages: [{ MessageAttributes: { a: { StringValue: 'x' } } }] }), "Required field 'DataType' is missing");
    assert.equal(await check(receive, { Messages: [{ MessageAttributes: { a: { StringValue: 'x' } } }] }, 'PRESENT'), undefined);
    assert.equal(await check('arn:aws:states:::aws-sdk:secretsmanager:getSecretValue', { SecretString: 's', CreatedDate: '2024-01-01T00:00:00Z', VersionStages: 'AWSCURRENT' }), "Field 'VersionStages' must be an array");
    assert.equal(await check('arn:aws:states:::aws-sdk:ssm:getParameter', { Parameter: { Name: 'p', Version: 'one' } }), "Field 'Version' must be a number");
  });

  test('member names as Step Functions presents them (first letter upper case) for camelCase APIs', async () => {
    const run = 'arn:aws:states:::ecs:runTask';
    assert.equal(await check(run, { Tasks: [{ TaskArn: 'arn:t', Containers: [{ Name: 'app', ExitCode: 0 }] }], Failures: [] }), undefined);
    assert.equal(await check(run, { Tasks: [{ Containers: [{ ExitCode: '0' }] }] }), "Field 'ExitCode' must be a number");
    // The SDK's own spelling is not a member: accepted as a field outside the API.
    assert.equal(await check(run, { tasks: 'x' }), undefined);
    assert.equal(await check('arn:aws:states:::aws-sdk:ecs:listClusters', { ClusterArns: 'arn' }), "Field 'ClusterArns' must be an array");
    const start = 'arn:aws:states:::states:startExecution';
    assert.equal(await check(start, { ExecutionArn: 'a' }), "Required field 'StartDate' is missing");
    assert.equal(await check(start, { ExecutionArn: 'a', StartDate: '2024-01-01T00:00:00Z' }), undefined);
  });

  test('.sync: ECS task and Batch job as described; SubmitJob required members', async () => {
    assert.equal(await check('arn:aws:states:::ecs:runTask.sync', { TaskArn: 'arn:t', LastStatus: 'STOPPED', Containers: [{ ExitCode: 1 }] }), undefined);
    assert.equal(await check('arn:aws:states:::ecs:runTask.sync', { Containers: [{ ExitCode: 'one' }] }), "Field 'ExitCode' must be a number");
    const job = { JobName: 'j', JobId: 'i', JobQueue: 'q', Status: 'SUCCEEDED', StartedAt: 1, JobDefinition: 'd' };
    assert.equal(await check('arn:aws:states:::batch:submitJob.sync', job), undefined);
    assert.equal(await check('arn:aws:states:::batch:submitJob.sync', { ...job, Attempts: {} }), "Field 'Attempts' must be an array");
    assert.equal(await check('arn:aws:states:::batch:submitJob.sync', { JobName: 'j', JobId: 'i' }), "Required field 'JobQueue' is missing");
    assert.equal(await check('arn:aws:states:::batch:submitJob', { JobName: 'j' }), "Required field 'JobId' is missing");
    assert.equal(await check('arn:aws:states:::sns:publish.waitForTaskToken', { anything: 1 }), undefined);
  });

  test('optimized integrations: DynamoDB attribute values (a recursive union), SNS, Lambda Payload as any JSON', async () => {
    const get = 'arn:aws:states:::dynamodb:getItem';
    assert.equal(await check(get, { Item: { id: { S: 'a' }, n: { L: [{ M: { x: { N: '5' } } }] } }, SdkHttpMetadata: { HttpStatusCode: 200 } }), undefined);
    assert.equal(await check(get, { Item: { n: { L: [{ M: { x: { N: 5 } } }] } } }), "Field 'N' must be a string");
    assert.equal(await check(get, { Item: { b: { BOOL: 'true' } } }), "Field 'BOOL' must be a boolean");
    assert.equal(await check('arn:aws:states:::sns:publish', { MessageId: 42 }), "Field 'MessageId' must be a string");
    assert.equal(await check('arn:aws:states:::lambda:invoke', { Payload: { ok: true }, StatusCode: 200 }), undefined);
    assert.equal(await check('arn:aws:states:::lambda:invoke', { StatusCode: 200.5 }), "Field 'StatusCode' must be a number", 'whole numbers where the table says integer');
  });

  test("the table's enums and ranges are laid over the SDK's shape; without a client the table stands alone", async () => {
    assert.equal(await check('arn:aws:states:::aws-sdk:s3:getObject', { StorageClass: 'Papyrus' }), "Field 'StorageClass' is not an expected value");
    assert.equal(await check('arn:aws:states:::aws-sdk:s3:getObject', { DeleteMarker: 'no' }), "Field 'DeleteMarker' must be a boolean", 'a member only the SDK knows');
    assert.equal(await check('arn:aws:states:::aws-sdk:lambda:getFunction', { Configuration: { MemorySize: 10241 } }), "Field 'MemorySize' exceeds the maximum value");
    assert.equal(await check('arn:aws:states:::aws-sdk:lambda:getFunction', { Configuration: { PackageType: 7 } }), "Field 'PackageType' must be a string");
    // @aws-sdk/client-kms is not installed here: the hand-written table.
    assert.equal(await check('arn:aws:states:::aws-sdk:kms:encrypt', { CiphertextBlob: '' }), "Field 'CiphertextBlob' is smaller than the minimum length");
    assert.equal(await check('arn:aws:states:::aws-sdk:nosuchservice:doThing', 42), undefined);
  });
});
