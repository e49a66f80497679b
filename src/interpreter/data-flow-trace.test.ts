import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Json } from '../shared/json.js';
import { compileMachine } from '../asl/compile.js';
import { seededRng, type EvalScope } from '../expr/scope.js';
import { applyResult, effectiveInput, type DataFlowStage } from './data-flow.js';

function scope(input: Json): EvalScope {
  return { input, context: {}, vars: {}, rng: seededRng(1) };
}

describe('data-flow trace', () => {
  const st = compileMachine({
    StartAt: 'S',
    States: { S: { Type: 'Pass', InputPath: '$.a', Parameters: { 'p.$': '$.b' }, ResultSelector: { 'r.$': '$.p' }, ResultPath: '$.out', OutputPath: '$.out', End: true } },
  }).states.get('S')!;

  test('reports every JSONPath step in order', () => {
    const seen: [DataFlowStage, Json][] = [];
    const trace = (s: DataFlowStage, v: Json) => seen.push([s, v]);
    const input = { a: { b: 1 } };
    const eff = effectiveInput(st.io, scope(input), trace);
    const out = applyResult(st.io, input, eff, scope(input), trace);
    assert.deepEqual(out, { r: 1 });
    assert.deepEqual(seen, [
      ['afterInputPath', { b: 1 }],
      ['afterParameters', { p: 1 }],
      ['afterResultSelector', { r: 1 }],
      ['afterResultPath', { a: { b: 1 }, out: { r: 1 } }],
    ]);
  });

  test('without a trace the results are the same', () => {
    const input = { a: { b: 2 } };
    assert.deepEqual(applyResult(st.io, input, effectiveInput(st.io, scope(input)), scope(input)), { r: 2 });
  });
});
