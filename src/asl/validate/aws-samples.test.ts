/**
 * Definitions shaped like the workflows AWS publishes as samples, which AWS accepts: custom error names
 * under `States.`, JSONPath filters comparing with an unquoted word, and integration ARNs that carry a
 * region and account. The validator must not refuse them; where the shape is doubtful it warns.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { validateDefinition, validationResponse, type Diagnostic } from '../validate.js';

const errors = (def: object): Diagnostic[] => validateDefinition(JSON.stringify(def)).filter((d) => d.severity === 'ERROR');
const warnings = (def: object): Diagnostic[] => validateDefinition(JSON.stringify(def)).filter((d) => d.severity === 'WARNING');

describe('custom error names starting with States.', () => {
  const def = {
    StartAt: 'Vote',
    States: {
      Vote: {
        Type: 'Parallel',
        Branches: [
          { StartAt: 'Enough', States: { Enough: { Type: 'Fail', Error: 'States.QuorumMet', Cause: 'enough votes' } } },
          { StartAt: 'Other', States: { Other: { Type: 'Fail', Error: 'States.FauxFailure1' } } },
        ],
        Retry: [{ ErrorEquals: ['States.TaskFailedId'], MaxAttempts: 1 }],
        Catch: [
          { ErrorEquals: ['States.QuorumMet'], Next: 'Done' },
          { ErrorEquals: ['States.FauxFailure1', 'States.Timeout'], Next: 'Done' },
        ],
        End: true,
      },
      Done: { Type: 'Succeed' },
    },
  };

  test('are accepted (no error), each with a warning at its place', () => {
    assert.deepEqual(errors(def), []);
    const w = warnings(def);
    assert.deepEqual(
      w.map((d) => [d.code, d.location]),
      [
        ['RESERVED_ERROR_NAME', '/States/Vote/Retry[0]/ErrorEquals[0]'],
        ['RESERVED_ERROR_NAME', '/States/Vote/Catch[0]/ErrorEquals[0]'],
        ['RESERVED_ERROR_NAME', '/States/Vote/Catch[1]/ErrorEquals[0]'],
      ],
    );
    assert.match(w[0]!.message, /'States\.TaskFailedId' is not a predefined error name/);
    assert.equal(validationResponse(validateDefinition(JSON.stringify(def))).result, 'OK');
  });

  test('predefined names give no warning', () => {
    const ok = { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } };
    assert.deepEqual(validateDefinition(JSON.stringify(ok)), []);
    const t = {
      StartAt: 'T',
      States: { T: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: 'f' }, Catch: [{ ErrorEquals: ['States.TaskFailed', 'States.Runtime'], Next: 'E' }], End: true }, E: { Type: 'Succeed' } },
    };
    assert.deepEqual(validateDefinition(JSON.stringify(t)), []);
  });
});

describe('JSONPath filters comparing with an unquoted word', () => {
  const def = {
    StartAt: 'Pick',
    States: {
      Pick: {
        Type: 'Pass',
        Parameters: {
          'spanish.$': '$.translations[?(@.TargetLanguageCode==es)].TranslatedText',
          'receipts.$': '$.Labels[?(@.Name==Receipt)]',
        },
        OutputPath: '$',
        End: true,
      },
    },
  };

  test('are accepted, with a warning naming the word', () => {
    assert.deepEqual(errors(def), []);
    const w = warnings(def);
    assert.deepEqual(w.map((d) => [d.code, d.location]), [
      ['UNQUOTED_FILTER_VALUE', '/States/Pick/Parameters'],
      ['UNQUOTED_FILTER_VALUE', '/States/Pick/Parameters'],
    ]);
    assert.match(w[0]!.message, /'spanish\.\$' compares with the unquoted word 'es', which is read as the string 'es'/);
    assert.match(w[1]!.message, /unquoted word 'Receipt'/);
  });

  test('quoted strings, numbers, booleans and null give no warning', () => {
    const q = { StartAt: 'P', States: { P: { Type: 'Pass', Parameters: { 'a.$': "$.x[?(@.l=='es' && @.n > 1 || @.b == true || @.z == null)]" }, End: true } } };
    assert.deepEqual(validateDefinition(JSON.stringify(q)), []);
  });
});

describe('integration ARNs with a region and account', () => {
  test('are recognised like the ones without', () => {
    for (const resource of [
      'arn:aws:states:us-east-1:123456789012:aws-sdk:s3:getObject',
      'arn:aws:states:eu-west-2:123456789012:lambda:invoke',
      'arn:aws:states:us-east-1:123456789012:sqs:sendMessage.waitForTaskToken',
      'arn:aws:states:us-gov-west-1:123456789012:states:startExecution.sync:2',
    ]) {
      const def = { StartAt: 'T', States: { T: { Type: 'Task', Resource: resource, Parameters: {}, End: true } } };
      assert.deepEqual(validateDefinition(JSON.stringify(def)), [], resource);
    }
  });

  test('an unknown action is still refused', () => {
    const def = { StartAt: 'T', States: { T: { Type: 'Task', Resource: 'arn:aws:states:us-east-1:123456789012:sqs:nope', End: true } } };
    assert.equal(errors(def).length, 1);
    assert.match(errors(def)[0]!.message, /is not recognized/);
  });
});
