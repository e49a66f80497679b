import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Json, JsonObject } from '../../shared/json.js';
import { manifestOf, mapRunId, resultFiles, resultsFolder, resultWriterRequest, ResultWriterError, statusGroup, transformResults, type ChildResult } from './results.js';

const MAP_RUN = 'arn:aws:states:us-east-1:123456789012:mapRun:Machine/Label:8c2a0f0e-1111-2222-3333-444455556666';

const result = (i: number, Status: string, output?: Json): ChildResult => ({
  ExecutionArn: `arn:aws:states:us-east-1:123456789012:execution:Machine/Label:child-${i}`,
  Name: `child-${i}`,
  StateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:Machine/Label',
  Status,
  Input: JSON.stringify({ i }),
  InputDetails: { Included: true },
  ...(output !== undefined ? { Output: JSON.stringify(output), OutputDetails: { Included: true } } : {}),
  ...(Status === 'FAILED' ? { Error: 'Boom', Cause: 'it broke' } : {}),
  StartDate: '2024-01-01T00:00:00.000Z',
  StopDate: '2024-01-01T00:00:01.000Z',
  RedriveCount: 0,
  RedriveStatus: 'NOT_REDRIVABLE',
});

const RESULTS = [result(0, 'SUCCEEDED', [1, 2]), result(1, 'FAILED'), result(2, 'SUCCEEDED', { x: 1 }), result(3, 'PENDING'), result(4, 'TIMED_OUT'), result(5, 'ABORTED')];

const request = (extra: JsonObject) => resultWriterRequest({ MapRunArn: MAP_RUN, Results: RESULTS, ...extra });

describe('ResultWriter files', () => {
  test('Transformation: NONE keeps each result; COMPACT the outputs; FLATTEN spreads array outputs; unsucceeded results stay as recorded', () => {
    assert.deepEqual(transformResults(RESULTS, 'NONE'), RESULTS);
    assert.deepEqual(transformResults(RESULTS, 'COMPACT'), [[1, 2], RESULTS[1], { x: 1 }, RESULTS[3], RESULTS[4], RESULTS[5]]);
    assert.deepEqual(transformResults(RESULTS, 'FLATTEN'), [1, 2, RESULTS[1], { x: 1 }, RESULTS[3], RESULTS[4], RESULTS[5]]);
  });

  test('the folder is <Prefix>/<map run id>/; statuses group into SUCCEEDED, FAILED (also TIMED_OUT, ABORTED) and PENDING', () => {
    assert.equal(mapRunId(MAP_RUN), '8c2a0f0e-1111-2222-3333-444455556666');
    assert.equal(resultsFolder('mapJobs', MAP_RUN), 'mapJobs/8c2a0f0e-1111-2222-3333-444455556666/');
    assert.equal(resultsFolder('a/b/', MAP_RUN), 'a/b/8c2a0f0e-1111-2222-3333-444455556666/');
    assert.equal(resultsFolder('', MAP_RUN), '8c2a0f0e-1111-2222-3333-444455556666/');
    assert.deepEqual(['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'PENDING', 'RUNNING'].map(statusGroup), ['SUCCEEDED', 'FAILED', 'FAILED', 'FAILED', 'PENDING', 'PENDING']);
  });

  test('one file per status with results (JSON array), and the manifest listing each with its size', () => {
    const req = request({ Parameters: { Bucket: 'out', Prefix: 'jobs' } });
    assert.ok(req.target);
    const files = resultFiles({ ...req, target: req.target });
    const folder = 'jobs/8c2a0f0e-1111-2222-3333-444455556666/';
    assert.deepEqual(files.map((f) => f.key), [`${folder}SUCCEEDED_0.json`, `${folder}FAILED_0.json`, `${folder}PENDING_0.json`]);
    assert.deepEqual(JSON.parse(files[0]!.body), [RESULTS[0], RESULTS[2]]);
    assert.deepEqual(JSON.parse(files[1]!.body), [RESULTS[1], RESULTS[4], RESULTS[5]]);
    for (const f of files) assert.equal(f.size, Buffer.byteLength(f.body));
    assert.deepEqual(manifestOf('out', MAP_RUN, files), {
      DestinationBucket: 'out',
      MapRunArn: MAP_RUN,
      ResultFiles: {
        FAILED: [{ Key: `${folder}FAILED_0.json`, Size: files[1]!.size }],
        PENDING: [{ Key: `${folder}PENDING_0.json`, Size: files[2]!.size }],
        SUCCEEDED: [{ Key: `${folder}SUCCEEDED_0.json`, Size: files[0]!.size }],
      },
    });
    const none = resultFiles({ ...req, target: req.target, results: [] });
    assert.deepEqual(none, []);
    assert.deepEqual(manifestOf('out', MAP_RUN, none).ResultFiles, { FAILED: [], PENDING: [], SUCCEEDED: [] });
  });

  test('JSONL: one entry a line; files split once the next entry would pass the size limit', () => {
    const many = Array.from({ length: 10 }, (_, i) => result(i, 'SUCCEEDED', { n: i, pad: 'x'.repeat(20) }));
    const req = resultWriterRequest({ MapRunArn: MAP_RUN, Results: many, Parameters: { Bucket: 'b', Prefix: 'p' }, WriterConfig: { Transformation: 'COMPACT', OutputType: 'JSONL' } });
    const line = `${JSON.stringify({ n: 0, pad: 'x'.repeat(20) })}\n`.length;
    const files = resultFiles({ ...req, target: req.target! }, line * 3);
    assert.deepEqual(files.map((f) => f.key.split('/').pop()), ['SUCCEEDED_0.json', 'SUCCEEDED_1.json', 'SUCCEEDED_2.json', 'SUCCEEDED_3.json']);
    assert.ok(files.every((f) => f.size <= line * 3));
    const back = files.flatMap((f) => f.body.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Json));
    assert.deepEqual(back, many.map((_, i) => ({ n: i, pad: 'x'.repeat(20) })));
    const jsonFiles = resultFiles({ ...req, outputType: 'JSON', target: req.target! }, line * 3);
    assert.deepEqual(jsonFiles.flatMap((f) => JSON.parse(f.body) as Json[]), back);
    assert.ok(jsonFiles.every((f) => f.size <= line * 3));
  });

  test('the request: defaults, and what is refused', () => {
    assert.equal(request({ Parameters: { Bucket: 'b', Prefix: 'p' } }).transformation, 'NONE');
    assert.equal(request({ WriterConfig: { OutputType: 'JSON' } }).transformation, 'COMPACT');
    assert.equal(request({ WriterConfig: { Transformation: 'FLATTEN' } }).target, undefined);
    const refused = (extra: JsonObject, cause: RegExp) => assert.throws(() => request(extra), (e: unknown) => e instanceof ResultWriterError && cause.test(e.message));
    refused({}, /needs Parameters \(Bucket and Prefix\), a WriterConfig, or both/);
    refused({ Parameters: { Prefix: 'p' } }, /need Bucket/);
    refused({ Parameters: { Bucket: 'b', Key: 'k' } }, /'Key' is not supported/);
    refused({ Parameters: { Bucket: 'b' }, WriterConfig: { Transformation: 'SQUASH' } }, /Transformation must be one of NONE, COMPACT, FLATTEN/);
    refused({ Parameters: { Bucket: 'b' }, WriterConfig: { OutputType: 'CSV' } }, /OutputType must be one of JSON, JSONL/);
    refused({ WriterConfig: { OutputType: 'JSONL' } }, /JSONL .* needs Parameters/);
    refused({ Parameters: { Bucket: 'b' }, WriterConfig: { Other: 1 } }, /'Other' is not supported/);
    assert.throws(() => resultWriterRequest({ MapRunArn: 'nope', Results: [], WriterConfig: {} }), /Map Run's ARN/);
  });
});
