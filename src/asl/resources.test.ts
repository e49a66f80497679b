import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseResource, recognizedResource } from './resources.js';

test('parseResource takes every known form apart: kind, service, api, pattern', () => {
  assert.deepEqual(parseResource('arn:aws:lambda:us-east-1:123456789012:function:f:live'), { kind: 'lambda-function', arn: 'arn:aws:lambda:us-east-1:123456789012:function:f:live', functionName: 'f', qualifier: 'live' });
  assert.deepEqual(parseResource('arn:aws:states:us-east-1:123456789012:activity:a'), { kind: 'activity', arn: 'arn:aws:states:us-east-1:123456789012:activity:a', name: 'a' });
  const cases: [string, string, string, string][] = [
    ['arn:aws:states:::states:startExecution.sync:2', 'states', 'startExecution', 'sync2'],
    ['arn:aws:states:::states:startExecution.sync', 'states', 'startExecution', 'sync'],
    ['arn:aws:states:::sqs:sendMessage.waitForTaskToken', 'sqs', 'sendMessage', 'callback'],
    ['arn:aws:states:::aws-sdk:s3:getObject', 'aws-sdk:s3', 'getObject', 'request-response'],
    ['arn:aws:states:us-east-1:123456789012:aws-sdk:s3:getObject', 'aws-sdk:s3', 'getObject', 'request-response'],
  ];
  for (const [arn, service, api, pattern] of cases) {
    const r = parseResource(arn);
    assert.ok(r && r.kind === 'service', arn);
    assert.deepEqual([r.service, r.api, r.pattern], [service, api, pattern], arn);
  }
  assert.equal(parseResource('not an arn'), undefined);
});

test('recognizedResource accepts what AWS recognises and nothing else', () => {
  const accepted = [
    'arn:aws:lambda:us-east-1:123456789012:function:f',
    'arn:aws-cn:lambda:cn-north-1:123456789012:function:f:$LATEST',
    'arn:aws:states:us-east-1:123456789012:activity:a:b',
    'arn:aws:states:::lambda:invoke.waitForTaskToken',
    'arn:aws:states:::states:startExecution.sync:2',
    'arn:aws:states:::ecs:runTask.sync',
    'arn:aws:states:::aws-sdk:s3:getObject',
    'arn:aws:states:::aws-sdk:s3:putObject.waitForTaskToken',
    'arn:aws:states:us-east-1:123456789012:http:invoke',
  ];
  const refused = [
    'arn:awsx:lambda:us-east-1:123456789012:function:f', // partition
    'arn:aws:lambda:us-east-1:1234:function:f', // account
    `arn:aws:lambda:us-east-1:123456789012:function:${'f'.repeat(65)}`, // name length
    'arn:aws:states:::activity:a', // an activity needs region and account
    'arn:aws:states:us-east-1:123456789012:activity:a b',
    'arn:aws:states:::lambda:invoke.sync', // a pattern the integration does not have
    'arn:aws:states:::http:invoke.waitForTaskToken',
    'arn:aws:states:::sqs:receiveMessage', // not an optimised integration
    'arn:aws:states:::aws-sdk:s3:getObject.sync', // SDK integrations: request-response or a token
    'arn:aws:states:::aws-sdk:S3:getObject',
    'arn:aws:states:::aws-sdk:s3',
    'arn:aws:states:us-east-1a::sqs:sendMessage', // region form
  ];
  for (const arn of accepted) assert.ok(recognizedResource(arn), arn);
  for (const arn of refused) assert.equal(recognizedResource(arn), undefined, arn);
});
