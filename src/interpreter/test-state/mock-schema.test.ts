import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Json } from '../../shared/json.js';
import { parseResource } from '../../asl/resources.js';
import { validateMockResult } from './mock-schema.js';
import type { FieldValidationMode } from './request.js';

function check(arn: string, result: Json, mode: FieldValidationMode = 'STRICT'): string | undefined {
  const res = parseResource(arn);
  assert.ok(res && res.kind === 'service');
  return validateMockResult(res, result, mode);
}

describe('mock result field validation', () => {
  const startExecution = 'arn:aws:states:::states:startExecution';
  const putEvents = 'arn:aws:states:::events:putEvents';

  test('STRICT: required fields, by their Step Functions names', () => {
    assert.equal(check(startExecution, {}), "Required field 'ExecutionArn' is missing");
    assert.equal(check(startExecution, { executionArn: 'a', startDate: 'b' }), "Required field 'ExecutionArn' is missing");
    assert.equal(check(startExecution, { ExecutionArn: 'a', StartDate: 'b' }), undefined);
  });

  test('PRESENT: only the fields present', () => {
    assert.equal(check(startExecution, {}, 'PRESENT'), undefined);
    assert.equal(check(startExecution, { StartDate: true }, 'PRESENT'), "Field 'StartDate' must be a string");
  });

  test('NONE: nothing', () => {
    assert.equal(check(startExecution, { StartDate: 1 }, 'NONE'), undefined);
  });

  test('types of nested fields and list elements', () => {
    assert.equal(check(putEvents, { Entries: 'x' }), "Field 'Entries' must be an array");
    assert.equal(check(putEvents, { Entries: [{ EventId: 'a' }, { EventId: ['b'] }] }), "Field 'EventId' must be a string");
    assert.equal(check('arn:aws:states:::lambda:invoke', { StatusCode: '200' }), "Field 'StatusCode' must be a number");
    assert.equal(check('arn:aws:states:::dynamodb:putItem', { ConsumedCapacity: { CapacityUnits: '1.5' } }), "Field 'CapacityUnits' must be a number");
  });

  test('enums, lengths and ranges', () => {
    assert.equal(check('arn:aws:states:::aws-sdk:s3:getObject', { StorageClass: 'Papyrus' }), "Field 'StorageClass' is not an expected value");
    assert.equal(check('arn:aws:states:::aws-sdk:kms:encrypt', { CiphertextBlob: '' }), "Field 'CiphertextBlob' is smaller than the minimum length");
    assert.equal(check('arn:aws:states:::aws-sdk:lambda:getFunction', { Configuration: { MemorySize: 127 } }), "Field 'MemorySize' is less than the minimum value");
    assert.equal(check('arn:aws:states:::aws-sdk:lambda:getFunction', { Configuration: { MemorySize: 10241 } }), "Field 'MemorySize' exceeds the maximum value");
  });

  test('fields outside the API, and integrations without a known shape, are accepted', () => {
    assert.equal(check(putEvents, { random: 'json' }), undefined);
    assert.equal(check(putEvents, {}), undefined);
    assert.equal(check('arn:aws:states:::aws-sdk:unknownservice:doThing', 42), undefined);
  });
});
