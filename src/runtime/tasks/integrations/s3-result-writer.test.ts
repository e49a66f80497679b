import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { startS3, TEST_CREDENTIALS, type Emulator } from '../../../e2e/aws-emulators.js';
import { StateMachine } from '../../../library/state-machine.js';
import type { Json, JsonObject } from '../../../shared/json.js';
import { awsIntegrations } from './aws.js';
import { mapIoAsTasks } from './s3-items.harness.js';
import { AwsClients } from './aws/clients.js';
import { S3ResultWriter } from './s3-result-writer.js';

const REGION = 'us-east-1';
const BUCKET = 'results-bucket';
const RUN_ID = '0f1e2d3c-aaaa-bbbb-cccc-000000000001';
const MAP_RUN = `arn:aws:states:us-east-1:123456789012:mapRun:Machine/Label:${RUN_ID}`;
let s3: Emulator;
let clients: AwsClients;
let s3c: S3Client;

const child = (i: number, Status: string, output?: Json): JsonObject => ({
  ExecutionArn: `arn:aws:states:us-east-1:123456789012:execution:Machine/Label:${i}`,
  Name: String(i),
  StateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:Machine/Label',
  Status,
  Input: JSON.stringify({ item: i }),
  InputDetails: { Included: true },
  ...(output !== undefined ? { Output: JSON.stringify(output), OutputDetails: { Included: true } } : {}),
  ...(Status === 'FAILED' ? { Error: 'Oops', Cause: 'child failed' } : {}),
  StartDate: '2024-05-01T00:00:00.000Z',
  StopDate: '2024-05-01T00:00:02.000Z',
  RedriveCount: 0,
  RedriveStatus: 'NOT_REDRIVABLE',
});
const RESULTS = [child(0, 'SUCCEEDED', ['a', 'b']), child(1, 'FAILED'), child(2, 'SUCCEEDED', 'c')];

/** The result writer command as the interpreter issues it, as a Task state's input. */
const writer = (input: JsonObject, Resource = 'arn:aws:states:::s3:putObject'): JsonObject => ({
  StartAt: 'Write',
  States: { Write: { Type: 'Task', Resource, Parameters: { MapRunArn: MAP_RUN, Results: RESULTS, ...input }, End: true } },
});
const run = (def: JsonObject, services = mapIoAsTasks(awsIntegrations(clients))) => new StateMachine(def, { services }).run({});

async function text(Key: string): Promise<string> {
  const r = await s3c.send(new GetObjectCommand({ Bucket: BUCKET, Key }));
  return r.Body!.transformToString();
}
async function keysUnder(Prefix: string): Promise<string[]> {
  const r = await s3c.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix }));
  return (r.Contents ?? []).map((o) => o.Key!).sort();
}

before(async () => {
  s3 = await startS3();
  clients = new AwsClients({ env: { AWS_ENDPOINT_URL_S3: s3.endpoint, AWS_REGION: REGION }, credentials: TEST_CREDENTIALS });
  s3c = new S3Client({ region: REGION, credentials: TEST_CREDENTIALS, endpoint: s3.endpoint, forcePathStyle: true });
  await s3c.send(new CreateBucketCommand({ Bucket: BUCKET }));
});
after(async () => {
  await clients?.close();
  s3c?.destroy();
  await s3?.close();
});

describe('s3:putObject result writer (s3rver)', () => {
  test("Parameters only: the results as recorded (NONE) in SUCCEEDED_0.json and FAILED_0.json, then manifest.json; AWS's output", async () => {
    const r = await run(writer({ Parameters: { Bucket: BUCKET, Prefix: 'mapJobs' } }));
    assert.equal(r.status, 'SUCCEEDED', r.cause);
    const folder = `mapJobs/${RUN_ID}/`;
    assert.deepEqual(r.output, { MapRunArn: MAP_RUN, ResultWriterDetails: { Bucket: BUCKET, Key: `${folder}manifest.json` } });
    assert.deepEqual(await keysUnder(folder), [`${folder}FAILED_0.json`, `${folder}SUCCEEDED_0.json`, `${folder}manifest.json`]);
    const succeeded = await text(`${folder}SUCCEEDED_0.json`);
    assert.deepEqual(JSON.parse(succeeded), [RESULTS[0], RESULTS[2]]);
    const failed = await text(`${folder}FAILED_0.json`);
    assert.deepEqual(JSON.parse(failed), [RESULTS[1]]);
    assert.deepEqual(JSON.parse(await text(`${folder}manifest.json`)), {
      DestinationBucket: BUCKET,
      MapRunArn: MAP_RUN,
      ResultFiles: {
        FAILED: [{ Key: `${folder}FAILED_0.json`, Size: Buffer.byteLength(failed) }],
        PENDING: [],
        SUCCEEDED: [{ Key: `${folder}SUCCEEDED_0.json`, Size: Buffer.byteLength(succeeded) }],
      },
    });
  });

  test('WriterConfig FLATTEN + JSONL to S3: one output a line, the failed child as recorded', async () => {
    const r = await run(writer({ Parameters: { Bucket: BUCKET, Prefix: 'flat/' }, WriterConfig: { Transformation: 'FLATTEN', OutputType: 'JSONL' } }));
    assert.equal(r.status, 'SUCCEEDED', r.cause);
    assert.equal(await text(`flat/${RUN_ID}/SUCCEEDED_0.json`), '"a"\n"b"\n"c"\n');
    assert.deepEqual(JSON.parse((await text(`flat/${RUN_ID}/FAILED_0.json`)).trim()), RESULTS[1]);
  });

  test('files are split at the size limit, each listed in the manifest', async () => {
    const small = { ...mapIoAsTasks(awsIntegrations(clients)), 's3:putObject': new S3ResultWriter(clients, { maxFileBytes: 10 }) };
    const r = await run(writer({ Parameters: { Bucket: BUCKET, Prefix: 'split' }, WriterConfig: { Transformation: 'COMPACT' } }), small);
    assert.equal(r.status, 'SUCCEEDED', r.cause);
    const manifest = JSON.parse(await text(`split/${RUN_ID}/manifest.json`)) as { ResultFiles: Record<string, { Key: string }[]> };
    assert.deepEqual(manifest.ResultFiles.SUCCEEDED!.map((f) => f.Key), [`split/${RUN_ID}/SUCCEEDED_0.json`, `split/${RUN_ID}/SUCCEEDED_1.json`]);
    assert.deepEqual(JSON.parse(await text(`split/${RUN_ID}/SUCCEEDED_0.json`)), [['a', 'b']]);
    assert.deepEqual(JSON.parse(await text(`split/${RUN_ID}/SUCCEEDED_1.json`)), ['c']);
  });

  test('WriterConfig only: nothing written, the transformed results are the output', async () => {
    const compact = await run(writer({ WriterConfig: { Transformation: 'COMPACT', OutputType: 'JSON' } }));
    assert.deepEqual(compact.output, [['a', 'b'], RESULTS[1], 'c']);
    const flat = await run(writer({ WriterConfig: { Transformation: 'FLATTEN' } }));
    assert.deepEqual(flat.output, ['a', 'b', RESULTS[1], 'c']);
  });

  test('failures are States.ResultWriterFailed with a clear cause', async () => {
    const noBucket = await run(writer({ Parameters: { Bucket: 'no-such-results-bucket', Prefix: 'p' } }));
    assert.equal(noBucket.error, 'States.ResultWriterFailed');
    assert.match(noBucket.cause!, /^Writing s3:\/\/no-such-results-bucket\/p\/[^ ]+\/SUCCEEDED_0\.json failed: The specified bucket does not exist \(Service: S3, Status Code: 404, /);
    const bad = await run(writer({ Parameters: { Bucket: BUCKET, Prefix: 'p' }, WriterConfig: { Transformation: 'SHRINK' } }));
    assert.equal(bad.error, 'States.ResultWriterFailed');
    assert.match(bad.cause!, /Transformation must be one of NONE, COMPACT, FLATTEN/);
    const other = await run(writer({ Parameters: { Bucket: BUCKET } }, 'arn:aws:states:::s3:putObject.waitForTaskToken'));
    assert.equal(other.error, 'States.ResultWriterFailed');
    assert.match(other.cause!, /is not a result writer/);
  });
});
