import assert from 'node:assert/strict';
import { test } from 'node:test';
import { invalidDefinitionMessage, validateDefinition } from '../validate.js';

const loop = { StartAt: 'P', States: { P: { Type: 'Pass', Next: 'P' } } };

test('a Map processor or a Parallel branch without a terminal state is refused (MISSING_END_STATE at its location)', () => {
  const distributed = {
    StartAt: 'M',
    States: { M: { Type: 'Map', ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' }, ...loop }, End: true } },
  };
  const text = JSON.stringify(distributed);
  const d = validateDefinition(text);
  assert.deepEqual(d, [{ severity: 'ERROR', code: 'MISSING_END_STATE', message: 'Workflow has no terminal state', location: '/States/M/ItemProcessor' }]);
  assert.equal(invalidDefinitionMessage(text, d), "Invalid State Machine Definition: 'MISSING_END_STATE: Workflow has no terminal state at /States/M/ItemProcessor'");

  const inline = { StartAt: 'M', States: { M: { Type: 'Map', Iterator: loop, End: true } } };
  assert.deepEqual(
    validateDefinition(JSON.stringify(inline)).map((x) => [x.code, x.location]),
    [['MISSING_END_STATE', '/States/M/Iterator']],
  );
  const parallel = {
    StartAt: 'X',
    States: { X: { Type: 'Parallel', Branches: [{ StartAt: 'A', States: { A: { Type: 'Succeed' } } }, { StartAt: 'L', States: { L: { Type: 'Wait', Seconds: 1, Next: 'L' } } }], End: true } },
  };
  assert.deepEqual(
    validateDefinition(JSON.stringify(parallel)).map((x) => [x.code, x.location]),
    [['MISSING_END_STATE', '/States/X/Branches[1]']],
  );
  // A loop with a way out is fine.
  const ok = { StartAt: 'M', States: { M: { Type: 'Map', ItemProcessor: { StartAt: 'C', States: { C: { Type: 'Choice', Choices: [{ Variable: '$.x', IsPresent: true, Next: 'E' }], Default: 'C' }, E: { Type: 'Succeed' } } }, End: true } } };
  assert.deepEqual(validateDefinition(JSON.stringify(ok)), []);
});
