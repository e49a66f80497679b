import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { startS3, TEST_CREDENTIALS, type Emulator } from '../../../e2e/aws-emulators.js';
import { MemoryStore } from '../../../store/memory/memory-store.js';
import { Engine } from '../../engine.js';
import { awsIntegrations } from './aws.js';
import { mapIoAsTasks } from './s3-items.harness.js';
import { AwsClients } from './aws/clients.js';
import { runIntegrationContract, type ContractHost } from './contract.js';

const BUCKET = 'contract-items';
const MAP_RUN = 'arn:aws:states:us-east-1:123456789012:mapRun:Machine/Map:11111111-2222-3333-4444-555555555555';
let s3: Emulator;

before(async () => {
  s3 = await startS3();
  const c = new S3Client({ region: 'us-east-1', credentials: TEST_CREDENTIALS, endpoint: s3.endpoint, forcePathStyle: true });
  await c.send(new CreateBucketCommand({ Bucket: BUCKET }));
  await c.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'items.jsonl', Body: '{"id":1}\n{"id":2}\n' }));
  c.destroy();
});
after(() => s3?.close());

async function host(): Promise<ContractHost> {
  const clients = new AwsClients({ env: { AWS_ENDPOINT_URL_S3: s3.endpoint, AWS_REGION: 'us-east-1' }, credentials: TEST_CREDENTIALS });
  const engine = new Engine({ store: new MemoryStore(), region: 'us-east-1', accountId: '123456789012', waitTimeScale: 0.05, tasks: { services: mapIoAsTasks(awsIntegrations(clients)) } });
  await engine.init();
  return {
    engine,
    close: async () => {
      await engine.close();
      await clients.close();
    },
  };
}

const results = [{ ExecutionArn: 'arn:aws:states:us-east-1:123456789012:execution:Machine/Map:a', Name: 'a', StateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:Machine/Map', Status: 'SUCCEEDED', Input: '{}', InputDetails: { Included: true }, Output: '{"ok":1}', OutputDetails: { Included: true }, StartDate: '2024-01-01T00:00:00.000Z', StopDate: '2024-01-01T00:00:01.000Z', RedriveCount: 0, RedriveStatus: 'NOT_REDRIVABLE' }];

runIntegrationContract({
  name: 'Distributed Map S3 item reader and result writer',
  host,
  cases: [
    {
      name: 's3:getObject item reader',
      succeed: {
        fields: { Resource: 'arn:aws:states:::s3:getObject', Parameters: { Parameters: { Bucket: BUCKET, Key: 'items.jsonl' }, ReaderConfig: { InputType: 'JSONL' } } },
        output: (o) => assert.deepEqual(o, [{ id: 1 }, { id: 2 }]),
      },
      fail: {
        fields: { Resource: 'arn:aws:states:::s3:getObject', Parameters: { Parameters: { Bucket: BUCKET, Key: 'absent.jsonl' }, ReaderConfig: { InputType: 'JSONL' } } },
        error: 'States.ItemReaderFailed',
        cause: /^The specified key does not exist\. \(Service: S3, Status Code: 404/,
      },
    },
    {
      name: 's3:listObjectsV2 item reader',
      succeed: {
        fields: { Resource: 'arn:aws:states:::s3:listObjectsV2', Parameters: { Parameters: { Bucket: BUCKET, Prefix: 'items' } } },
        output: (o) => assert.deepEqual((o as { Key: string }[]).map((x) => x.Key), ['items.jsonl']),
      },
      fail: {
        fields: { Resource: 'arn:aws:states:::s3:listObjectsV2', Parameters: { Parameters: { Bucket: 'absent-bucket' } } },
        error: 'States.ItemReaderFailed',
        cause: /^The specified bucket does not exist \(Service: S3, Status Code: 404/,
      },
    },
    {
      name: 's3:putObject result writer',
      succeed: {
        fields: { Resource: 'arn:aws:states:::s3:putObject', Parameters: { Parameters: { Bucket: BUCKET, Prefix: 'out' }, MapRunArn: MAP_RUN, Results: results } },
        output: (o) => assert.deepEqual(o, { MapRunArn: MAP_RUN, ResultWriterDetails: { Bucket: BUCKET, Key: 'out/11111111-2222-3333-4444-555555555555/manifest.json' } }),
      },
      fail: {
        fields: { Resource: 'arn:aws:states:::s3:putObject', Parameters: { Parameters: { Bucket: 'absent-bucket', Prefix: 'out' }, MapRunArn: MAP_RUN, Results: results } },
        error: 'States.ResultWriterFailed',
        cause: /The specified bucket does not exist/,
      },
    },
  ],
});
