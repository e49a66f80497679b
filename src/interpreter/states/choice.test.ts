import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { StateMachine, type ExecutionResult } from '../../library/state-machine.js';
import type { Json, JsonObject } from '../../shared/json.js';

/** Runs a Choice with one rule (→ "yes") and a Default (→ "no"). */
async function route(rule: JsonObject, input: Json): Promise<Json | undefined> {
  const r = await new StateMachine({
    StartAt: 'C',
    States: {
      C: { Type: 'Choice', Choices: [{ ...rule, Next: 'Yes' }], Default: 'No' },
      Yes: { Type: 'Pass', Result: 'yes', End: true },
      No: { Type: 'Pass', Result: 'no', End: true },
    },
  }).run(input);
  assert.equal(r.status, 'SUCCEEDED', `${JSON.stringify(rule)}: ${r.cause}`);
  return r.output;
}

async function cases(rows: [JsonObject, Json, 'yes' | 'no'][]): Promise<void> {
  for (const [rule, input, expected] of rows) assert.equal(await route(rule, input), expected, `${JSON.stringify(rule)} on ${JSON.stringify(input)}`);
}

describe('Choice: comparison operators', () => {
  test('strings and numbers', async () => {
    await cases([
      [{ Variable: '$.s', StringEquals: 'abc' }, { s: 'abc' }, 'yes'],
      [{ Variable: '$.s', StringEquals: 'abc' }, { s: 'ABC' }, 'no'],
      [{ Variable: '$.s', StringLessThan: 'b' }, { s: 'abc' }, 'yes'],
      [{ Variable: '$.s', StringGreaterThanEquals: 'abc' }, { s: 'abc' }, 'yes'],
      [{ Variable: '$.n', NumericEquals: 1 }, { n: 1.0 }, 'yes'],
      [{ Variable: '$.n', NumericLessThan: 1 }, { n: 0.999 }, 'yes'],
      [{ Variable: '$.n', NumericGreaterThan: 1 }, { n: 1 }, 'no'],
      [{ Variable: '$.n', NumericGreaterThanEquals: -5 }, { n: -5 }, 'yes'],
      [{ Variable: '$.b', BooleanEquals: false }, { b: false }, 'yes'],
    ]);
  });

  test('a value of the wrong type does not match (and is no error)', async () => {
    await cases([
      [{ Variable: '$.n', NumericEquals: 1 }, { n: '1' }, 'no'],
      [{ Variable: '$.s', StringEquals: '1' }, { s: 1 }, 'no'],
      [{ Variable: '$.b', BooleanEquals: true }, { b: 'true' }, 'no'],
      [{ Variable: '$.t', TimestampEquals: '2024-01-01T00:00:00Z' }, { t: 'not a time' }, 'no'],
    ]);
  });

  test('timestamps compare as instants, across offsets and fractions of seconds', async () => {
    await cases([
      [{ Variable: '$.t', TimestampEquals: '2024-01-01T01:00:00+01:00' }, { t: '2024-01-01T00:00:00Z' }, 'yes'],
      [{ Variable: '$.t', TimestampEquals: '2024-01-01T00:00:00.000Z' }, { t: '2024-01-01T00:00:00Z' }, 'yes'],
      [{ Variable: '$.t', TimestampLessThan: '2024-01-01T00:00:00.000000002Z' }, { t: '2024-01-01T00:00:00.000000001Z' }, 'yes'],
      [{ Variable: '$.t', TimestampGreaterThan: '2024-01-01T00:00:00Z' }, { t: '2023-12-31T23:30:00-01:00' }, 'yes'],
      [{ Variable: '$.t', TimestampLessThanEquals: '2024-01-01T00:00:00Z' }, { t: '2024-01-01T00:00:00Z' }, 'yes'],
      [{ Variable: '$.t', TimestampGreaterThanEquals: '2024-06-01T00:00:00Z' }, { t: '2024-05-31T23:59:59.999Z' }, 'no'],
    ]);
  });

  test('StringMatches: * is any run of characters; \\* and \\\\ are literal', async () => {
    await cases([
      [{ Variable: '$.f', StringMatches: 'log-*.txt' }, { f: 'log-2024-01.txt' }, 'yes'],
      [{ Variable: '$.f', StringMatches: 'log-*.txt' }, { f: 'log-.txt' }, 'yes'],
      [{ Variable: '$.f', StringMatches: 'log-*.txt' }, { f: 'log-1.txt.bak' }, 'no'],
      [{ Variable: '$.f', StringMatches: '*' }, { f: '' }, 'yes'],
      [{ Variable: '$.f', StringMatches: 'a\\*b' }, { f: 'a*b' }, 'yes'],
      [{ Variable: '$.f', StringMatches: 'a\\*b' }, { f: 'axb' }, 'no'],
      [{ Variable: '$.f', StringMatches: 'c:\\\\*' }, { f: 'c:\\dir' }, 'yes'],
      [{ Variable: '$.f', StringMatches: 'a.c' }, { f: 'abc' }, 'no'],
      [{ Variable: '$.f', StringMatches: '*line*' }, { f: 'multi\nline\ntext' }, 'yes'],
    ]);
  });

  test('…Path operators compare with another value of the input', async () => {
    await cases([
      [{ Variable: '$.a', NumericLessThanPath: '$.b' }, { a: 1, b: 2 }, 'yes'],
      [{ Variable: '$.a', StringEqualsPath: '$.b' }, { a: 'x', b: 'y' }, 'no'],
      [{ Variable: '$.a', TimestampEqualsPath: '$.b' }, { a: '2024-01-01T00:00:00Z', b: '2024-01-01T02:00:00+02:00' }, 'yes'],
    ]);
  });

  test('type tests and IsPresent', async () => {
    await cases([
      [{ Variable: '$.x', IsPresent: true }, { x: null }, 'yes'],
      [{ Variable: '$.x', IsPresent: false }, {}, 'yes'],
      [{ Variable: '$.x', IsNull: true }, { x: null }, 'yes'],
      [{ Variable: '$.x', IsNull: true }, {}, 'no'],
      [{ Variable: '$.x', IsNumeric: true }, { x: 1.5 }, 'yes'],
      [{ Variable: '$.x', IsString: false }, { x: 1 }, 'yes'],
      [{ Variable: '$.x', IsBoolean: true }, { x: 'true' }, 'no'],
      [{ Variable: '$.x', IsTimestamp: true }, { x: '2024-01-01T00:00:00Z' }, 'yes'],
      [{ Variable: '$.x', IsTimestamp: true }, { x: '2024-01-01' }, 'no'],
    ]);
  });

  test('And, Or, Not nest', async () => {
    // Or stops at the first rule that holds, so the missing $.s is tested for presence first.
    const rule = {
      And: [
        { Variable: '$.n', NumericGreaterThan: 0 },
        { Or: [{ Not: { Variable: '$.s', IsPresent: true } }, { Variable: '$.s', StringEquals: 'a' }] },
      ],
    } as JsonObject;
    await cases([
      [rule, { n: 1, s: 'a' }, 'yes'],
      [rule, { n: 1 }, 'yes'],
      [rule, { n: 1, s: 'b' }, 'no'],
      [rule, { n: 0, s: 'a' }, 'no'],
    ]);
  });

  test('Variable may read the context object and variables', async () => {
    await cases([[{ Variable: '$$.State.Name', StringEquals: 'C' }, {}, 'yes']]);
  });
});

describe('Choice: routing and failures', () => {
  const machine = {
    StartAt: 'C',
    States: {
      C: {
        Type: 'Choice',
        InputPath: '$.data',
        OutputPath: '$.keep',
        Choices: [
          { Variable: '$.n', NumericGreaterThan: 10, Next: 'Big' },
          { Variable: '$.n', NumericGreaterThan: 5, Next: 'Medium' },
        ],
      },
      Big: { Type: 'Pass', Result: 'big', ResultPath: '$.size', End: true },
      Medium: { Type: 'Pass', Result: 'medium', ResultPath: '$.size', End: true },
    },
  };

  test('the first matching rule wins; InputPath and OutputPath apply to the Choice', async () => {
    const r = await new StateMachine(machine).run({ data: { n: 20, keep: { k: 1 } } });
    assert.deepEqual(r.output, { k: 1, size: 'big' });
    const r2 = await new StateMachine(machine).run({ data: { n: 7, keep: { k: 2 } } });
    assert.deepEqual(r2.output, { k: 2, size: 'medium' });
  });

  test('no match and no Default fails with States.NoChoiceMatched', async () => {
    const r: ExecutionResult = await new StateMachine(machine).run({ data: { n: 1, keep: {} } });
    assert.equal(r.status, 'FAILED');
    assert.equal(r.error, 'States.NoChoiceMatched');
    assert.deepEqual(r.events.map((e) => e.type), ['ExecutionStarted', 'ChoiceStateEntered', 'ExecutionFailed']);
  });

  test('a comparison on a missing Variable matches nothing (as AWS: no error)', async () => {
    const r = await new StateMachine(machine).run({ data: { keep: {} } });
    assert.equal(r.status, 'FAILED');
    assert.equal(r.error, 'States.NoChoiceMatched');
  });

  test('rule Assign runs only for the rule taken; the variables are visible in the next state', async () => {
    const r = await new StateMachine({
      StartAt: 'C',
      States: {
        C: {
          Type: 'Choice',
          Choices: [
            { Variable: '$.n', NumericEquals: 1, Assign: { picked: 'one' }, Next: 'Show' },
            { Variable: '$.n', NumericEquals: 2, Assign: { picked: 'two', 'n.$': '$.n' }, Next: 'Show' },
          ],
        },
        Show: { Type: 'Pass', Parameters: { 'picked.$': '$picked', 'n.$': '$n' }, End: true },
      },
    }).run({ n: 2 });
    assert.deepEqual(r.output, { picked: 'two', n: 2 });
  });

  test('JSONata: Condition picks the rule; a rule Output overrides the state output; a non-boolean fails', async () => {
    const def = {
      QueryLanguage: 'JSONata',
      StartAt: 'C',
      States: {
        C: {
          Type: 'Choice',
          Choices: [
            { Condition: '{% $states.input.n > 10 %}', Output: { size: 'big' }, Next: 'End' },
            { Condition: '{% $states.input.n > 5 %}', Assign: { medium: true }, Next: 'End' },
          ],
          Default: 'End',
          Output: '{% $merge([$states.input, {"chosen": true}]) %}',
        },
        End: { Type: 'Pass', Output: '{% $merge([$states.input, {"medium": $exists($medium) ? $medium : false}]) %}', End: true },
      },
    };
    assert.deepEqual((await new StateMachine(def).run({ n: 11 })).output, { size: 'big', medium: false });
    assert.deepEqual((await new StateMachine(def).run({ n: 6 })).output, { n: 6, chosen: true, medium: true });
    assert.deepEqual((await new StateMachine(def).run({ n: 1 })).output, { n: 1, chosen: true, medium: false });
    const bad = await new StateMachine(def).run({ n: 'x' });
    assert.equal(bad.status, 'FAILED');
    assert.equal(bad.error, 'States.QueryEvaluationError');
  });
});
