import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { startS3, startSts, TEST_CREDENTIALS, type Emulator } from '../../../e2e/aws-emulators.js';
import { StateMachine } from '../../../library/state-machine.js';
import type { Json, JsonObject } from '../../../shared/json.js';
import { awsIntegrations } from './aws.js';
import { mapIoAsTasks } from './s3-items.harness.js';
import { AwsClients } from './aws/clients.js';

const REGION = 'us-east-1';
const BUCKET = 'reader-bucket';
let s3: Emulator;
let sts: Awaited<ReturnType<typeof startSts>>;
let clients: AwsClients;
let s3c: S3Client;

/**
 * A state machine whose one Task is the item reader command as the interpreter issues it for a Distributed
 * Map's ItemReader: the resource, and `{ Parameters, ReaderConfig }` as its input.
 */
const reader = (Resource: string, input: JsonObject, extra: JsonObject = {}): JsonObject => ({
  StartAt: 'Read',
  States: { Read: { Type: 'Task', Resource, Parameters: input, ...extra, End: true } },
});
const run = (def: JsonObject, input: Json = {}) => new StateMachine(def, { services: mapIoAsTasks(awsIntegrations(clients)) }).run(input);
const getObject = (Key: string, ReaderConfig: JsonObject, extra: JsonObject = {}) =>
  run(reader('arn:aws:states:::s3:getObject', { Parameters: { Bucket: BUCKET, Key, ...extra }, ReaderConfig }));
const put = (Key: string, Body: string) => s3c.send(new PutObjectCommand({ Bucket: BUCKET, Key, Body }));

before(async () => {
  [s3, sts] = await Promise.all([startS3({ pagination: true }), startSts()]);
  clients = new AwsClients({ env: { AWS_ENDPOINT_URL_S3: s3.endpoint, AWS_ENDPOINT_URL_STS: sts.endpoint, AWS_REGION: REGION }, credentials: TEST_CREDENTIALS });
  s3c = new S3Client({ region: REGION, credentials: TEST_CREDENTIALS, endpoint: s3.endpoint, forcePathStyle: true });
  await s3c.send(new CreateBucketCommand({ Bucket: BUCKET }));
  await put('rows.csv', 'name,qty\npear,3\nfig\nplum,1,extra\n');
  await put('list.json', JSON.stringify([{ n: 1 }, { n: 2 }, { n: 3 }]));
  await put('object.json', JSON.stringify({ not: 'a list' }));
});
after(async () => {
  await clients?.close();
  s3c?.destroy();
  await Promise.all([s3?.close(), sts?.close()]);
});

describe('s3:getObject / s3:listObjectsV2 item reader (s3rver)', () => {
  test('CSV with headers from the first row or given; values as strings; MaxItems; MaxItems 0 is no limit', async () => {
    const first = await getObject('rows.csv', { InputType: 'CSV', CSVHeaderLocation: 'FIRST_ROW' });
    assert.equal(first.status, 'SUCCEEDED', first.cause);
    assert.deepEqual(first.output, [
      { name: 'pear', qty: '3' },
      { name: 'fig', qty: '' },
      { name: 'plum', qty: '1' },
    ]);
    const given = await getObject('rows.csv', { InputType: 'CSV', CSVHeaderLocation: 'GIVEN', CSVHeaders: ['A'], MaxItems: 2 });
    assert.deepEqual(given.output, [{ A: 'name' }, { A: 'pear' }]);
    assert.equal(((await getObject('rows.csv', { InputType: 'CSV', MaxItems: 0 })).output as Json[]).length, 3);
  });

  test('JSON: the array, MaxItems', async () => {
    const r = await getObject('list.json', { InputType: 'JSON', MaxItems: 2 });
    assert.equal(r.status, 'SUCCEEDED', r.cause);
    assert.deepEqual(r.output, [{ n: 1 }, { n: 2 }]);
  });

  test("failures are States.ItemReaderFailed with AWS's causes", async () => {
    const cases: [JsonObject, string, string | RegExp][] = [
      [{ InputType: 'JSON' }, 'object.json', 'Attempting to map over non-iterable node.'],
      [{ InputType: 'CSV', CSVHeaderLocation: 'GIVEN', CSVHeaders: ['x', 'x'] }, 'rows.csv', 'CSV headers cannot contain duplicates.'],
      [{ InputType: 'CSV', MaxItems: -1 }, 'rows.csv', 'field MaxItems must be positive'],
      [{ InputType: 'JSON' }, 'missing.json', /^The specified key does not exist\. \(Service: S3, Status Code: 404, Request ID: [^,]+, Extended Request ID: [^)]+\)$/],
    ];
    for (const [rc, key, cause] of cases) {
      const r = await getObject(key, rc);
      assert.equal(r.status, 'FAILED', key);
      assert.equal(r.error, 'States.ItemReaderFailed');
      if (typeof cause === 'string') assert.equal(r.cause, cause);
      else assert.match(r.cause!, cause);
    }
    const bucket = await run(reader('arn:aws:states:::s3:listObjectsV2', { Parameters: { Bucket: 'no-such-bucket' } }));
    assert.equal(bucket.error, 'States.ItemReaderFailed');
    assert.match(bucket.cause!, /^The specified bucket does not exist \(Service: S3, Status Code: 404, /);
  });

  test('a Parameters field the S3 API does not have is refused, not dropped; S3 fields pass through', async () => {
    const r = await getObject('list.json', { InputType: 'JSON' }, { Kee: 'typo' });
    assert.equal(r.error, 'States.ItemReaderFailed');
    assert.equal(r.cause, "The field 'Kee' is not a parameter of S3 getObject.");
    const range = await getObject('list.json', { InputType: 'JSON' }, { Range: 'bytes=0-3' });
    assert.equal(range.cause, "The ItemReader sets 'Range' itself; it cannot be given in Parameters.");
    const ok = await getObject('list.json', { InputType: 'JSON' }, { ExpectedBucketOwner: '123456789012', ResponseContentType: 'application/json' });
    assert.equal(ok.status, 'SUCCEEDED', ok.cause);
  });

  test('listObjectsV2 over more than 1,000 keys: every page (ContinuationToken), the Prefix passed through', async () => {
    const keys = Array.from({ length: 1005 }, (_, i) => `many/${String(i).padStart(4, '0')}.txt`);
    for (let i = 0; i < keys.length; i += 50) await Promise.all(keys.slice(i, i + 50).map((k) => put(k, 'x')));
    const r = await run(reader('arn:aws:states:::s3:listObjectsV2', { Parameters: { Bucket: BUCKET, Prefix: 'many/' } }));
    assert.equal(r.status, 'SUCCEEDED', r.cause);
    const items = r.output as JsonObject[];
    assert.equal(items.length, 1005);
    assert.deepEqual(items.map((o) => o.Key), keys);
    assert.deepEqual(Object.keys(items[0]!).sort(), ['Etag', 'Key', 'LastModified', 'Size', 'StorageClass']);
    const capped = await run(reader('arn:aws:states:::s3:listObjectsV2', { Parameters: { Bucket: BUCKET, Prefix: 'many/' }, ReaderConfig: { MaxItems: 3 } }));
    assert.deepEqual((capped.output as JsonObject[]).map((o) => o.Key), keys.slice(0, 3));
  });

  test('Credentials.RoleArn: S3 is read with the role assumed through STS', async () => {
    const before = sts.assumed.length;
    const r = await run(reader('arn:aws:states:::s3:getObject', { Parameters: { Bucket: BUCKET, Key: 'list.json' }, ReaderConfig: { InputType: 'JSON' } }, { Credentials: { RoleArn: 'arn:aws:iam::123456789012:role/Reader' } }));
    // s3rver accepts only its own key pair: the assumed role's credentials are refused, which shows they were used.
    assert.equal(r.error, 'States.ItemReaderFailed');
    assert.match(r.cause!, /Service: S3, Status Code: 403/);
    assert.deepEqual(sts.assumed.slice(before), ['arn:aws:iam::123456789012:role/Reader']);
  });

  test('a resource with an integration pattern is refused', async () => {
    const r = await run(reader('arn:aws:states:::s3:getObject.sync', { Parameters: { Bucket: BUCKET, Key: 'list.json' }, ReaderConfig: { InputType: 'JSON' } }));
    assert.equal(r.status, 'FAILED');
    assert.equal(r.error, 'States.ItemReaderFailed');
    assert.match(r.cause!, /takes no integration pattern/);
  });
});

describe('a Distributed Map reading from and writing to S3 (s3rver), as the host registers the integrations', () => {
  test('CSV items, batched, processed, their results written with a manifest; the output names the manifest', async () => {
    const def = {
      StartAt: 'M',
      States: {
        M: {
          Type: 'Map',
          Label: 'Rows',
          ItemReader: { Resource: 'arn:aws:states:::s3:getObject', ReaderConfig: { InputType: 'CSV', CSVHeaderLocation: 'FIRST_ROW' }, Parameters: { Bucket: BUCKET, 'Key.$': '$.key' } },
          ItemBatcher: { MaxItemsPerBatch: 2 },
          ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' }, StartAt: 'Count', States: { Count: { Type: 'Pass', Parameters: { 'n.$': 'States.ArrayLength($.Items)' }, End: true } } },
          ResultWriter: { Resource: 'arn:aws:states:::s3:putObject', Parameters: { Bucket: BUCKET, Prefix: 'runs' } },
          End: true,
        },
      },
    };
    // The host's keys only: the Map's commands reach the reader and the writer; a Task could not.
    const r = await new StateMachine(def, { services: awsIntegrations(clients) }).run({ key: 'rows.csv' });
    assert.equal(r.status, 'SUCCEEDED', r.cause);
    const out = r.output as { MapRunArn: string; ResultWriterDetails: { Bucket: string; Key: string } };
    const id = out.MapRunArn.split(':').pop()!;
    assert.match(out.MapRunArn, /:mapRun:[^/]+\/Rows:/);
    assert.deepEqual(out.ResultWriterDetails, { Bucket: BUCKET, Key: `runs/${id}/manifest.json` });
    const text = async (Key: string) => (await s3c.send(new GetObjectCommand({ Bucket: BUCKET, Key }))).Body!.transformToString();
    const manifest = JSON.parse(await text(`runs/${id}/manifest.json`)) as { ResultFiles: Record<string, { Key: string }[]> };
    const succeeded = manifest.ResultFiles.SUCCEEDED!;
    assert.equal(succeeded.length, 1);
    const records = JSON.parse(await text(succeeded[0]!.Key)) as { Input: string; Output: string; Status: string }[];
    // Three rows in batches of two: two child executions.
    assert.deepEqual(records.map((x) => [JSON.parse(x.Input).Items.length, JSON.parse(x.Output), x.Status]), [
      [2, { n: 2 }, 'SUCCEEDED'],
      [1, { n: 1 }, 'SUCCEEDED'],
    ]);
  });
});
