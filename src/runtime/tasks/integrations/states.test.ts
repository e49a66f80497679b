import assert from 'node:assert/strict';
import { test } from 'node:test';
import { abortedChildCause, childExecutionName, startFailure, startResponse, syncDescription } from './states.js';

test('a child name derived from the idempotency key is UUID-shaped, stable, and differs per key', () => {
  const a = childExecutionName('arn:aws:states:us-east-1:123456789012:execution:p:e/T/3/0');
  assert.match(a, /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(childExecutionName('arn:aws:states:us-east-1:123456789012:execution:p:e/T/3/0'), a);
  assert.notEqual(childExecutionName('arn:aws:states:us-east-1:123456789012:execution:p:e/T/3/1'), a);
});

test('a refused StartExecution: StepFunctions.<Error>Exception and the SDK-style message as cause', () => {
  const f = startFailure({ k: 'refused', code: 'ExecutionAlreadyExists', message: "Execution Already Exists: 'arn:x'", status: 400 });
  assert.equal(f.error, 'StepFunctions.ExecutionAlreadyExistsException');
  assert.match(f.cause, /^Execution Already Exists: 'arn:x' \(Service: AWSStepFunctions; Status Code: 400; Error Code: ExecutionAlreadyExists; Request ID: [0-9a-f-]{36}; Proxy: null\)$/);
  assert.equal(startFailure({ k: 'refused', code: 'ValidationException', message: 'v', status: 400 }).error, 'StepFunctions.ValidationException');
});

test('the request-response result: ExecutionArn, StartDate in epoch ms, the SDK HTTP metadata', () => {
  const r = startResponse({ executionArn: 'arn:aws:states:us-east-1:123456789012:execution:c:n', startDate: 1700000000123 }, Date.UTC(2024, 0, 2, 3, 4, 5));
  assert.deepEqual(Object.keys(r), ['ExecutionArn', 'SdkHttpMetadata', 'SdkResponseMetadata', 'StartDate']);
  assert.equal(r.StartDate, 1700000000123);
  const meta = r.SdkHttpMetadata as { AllHttpHeaders: Record<string, string[]>; HttpHeaders: Record<string, string>; HttpStatusCode: number };
  assert.equal(meta.HttpStatusCode, 200);
  assert.equal(meta.HttpHeaders.Date, 'Tue, 02 Jan 2024 03:04:05 GMT');
  assert.equal(meta.HttpHeaders['Content-Length'], String('{"executionArn":"arn:aws:states:us-east-1:123456789012:execution:c:n","startDate":1700000000.123}'.length));
  assert.deepEqual(meta.AllHttpHeaders['x-amzn-RequestId'], [(r.SdkResponseMetadata as { RequestId: string }).RequestId]);
  assert.deepEqual(Object.keys(meta.HttpHeaders), ['connection', 'Content-Length', 'Content-Type', 'Date', 'x-amzn-RequestId']);
});

test('.sync gives DescribeExecution in PascalCase, sorted, dates in ms; .sync:2 parses Input and Output', () => {
  const d = {
    executionArn: 'arn:e',
    stateMachineArn: 'arn:sm',
    name: 'n',
    status: 'SUCCEEDED',
    startDate: 1700000000.123,
    stopDate: 1700000001.5,
    input: '{"a":1}',
    inputDetails: { included: true },
    output: '[1,2]',
    outputDetails: { included: true },
    stateMachineVersionArn: 'arn:sm:1',
    stateMachineAliasArn: 'arn:sm:live',
    redriveCount: 0,
    redriveStatus: 'NOT_REDRIVABLE',
    redriveStatusReason: 'Execution is SUCCEEDED and cannot be redriven',
  };
  const sync = syncDescription(d, false);
  assert.deepEqual(Object.keys(sync), [
    'ExecutionArn',
    'Input',
    'InputDetails',
    'Name',
    'Output',
    'OutputDetails',
    'RedriveCount',
    'RedriveStatus',
    'RedriveStatusReason',
    'StartDate',
    'StateMachineAliasArn',
    'StateMachineArn',
    'StateMachineVersionArn',
    'Status',
    'StopDate',
  ]);
  assert.equal(sync.Input, '{"a":1}');
  assert.equal(sync.Output, '[1,2]');
  assert.deepEqual(sync.InputDetails, { Included: true });
  assert.equal(sync.StartDate, 1700000000123);
  assert.equal(sync.StopDate, 1700000001500);
  const sync2 = syncDescription(d, true);
  assert.deepEqual(sync2.Input, { a: 1 });
  assert.deepEqual(sync2.Output, [1, 2]);
});

test('the cause a stopped child gets names the parent execution', () => {
  assert.equal(abortedChildCause('arn:p'), 'The Task state in AWS Step Functions execution [arn:p] which was managing this resource was aborted');
});
