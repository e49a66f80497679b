import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jsonLocations, jsonSyntaxError } from './json-locations.js';

const TEXT = `{
  "Comment": "poll",
  "StartAt": "A",
  "States": {
    "A": {
      "Type": "Pass",
      "Next": "C"
    },
    "C": {
      "Type": "Choice",
      "Choices": [
        { "Variable": "$.x", "NumericEquals": 1, "Next": "P" },
        {
          "Variable": "$.y",
          "IsPresent": true,
          "Next": "A"
        }
      ],
      "Default": "A"
    },
    "P": {
      "Type": "Parallel",
      "Branches": [
        { "StartAt": "X", "States": { "X": { "Type": "Pass", "End": true } } },
        {
          "StartAt": "X",
          "States": {
            "X": {
              "Type": "Pass",
              "End": true
            }
          }
        }
      ],
      "End": true
    }
  }
}`;

/** 1-based line and column of the first occurrence of `needle` at or after line `from`. */
function find(needle: string, from = 1): { line: number; column: number } {
  const lines = TEXT.split('\n');
  for (let i = from - 1; i < lines.length; i++) {
    const c = lines[i]!.indexOf(needle);
    if (c >= 0) return { line: i + 1, column: c + 1 };
  }
  throw new Error(`not found: ${needle}`);
}

test('at: JSON pointers give the key of containers and the value of scalars', () => {
  const loc = jsonLocations(TEXT);
  assert.deepEqual(loc.at(''), { line: 1, column: 1 });
  assert.deepEqual(loc.at('/'), { line: 1, column: 1 });
  assert.deepEqual(loc.at('/StartAt'), { line: 3, column: 14 });
  assert.deepEqual(loc.at('/States'), find('"States"'));
  assert.deepEqual(loc.at('/States/A'), find('"A": {'));
  assert.deepEqual(loc.at('/States/A/Next'), { line: 7, column: 15 });
  assert.deepEqual(loc.at('/States/C/Choices/0'), find('{ "Variable"'));
  assert.deepEqual(loc.at('/States/C/Choices/1/Next'), { line: 16, column: 19 });
});

test('at: the AWS form with brackets, nested branches, duplicate names in different scopes', () => {
  const loc = jsonLocations(TEXT);
  assert.deepEqual(loc.at('/States/C/Choices[0]'), find('{ "Variable"'));
  assert.deepEqual(loc.at('/States/C/Choices[1]'), { line: 13, column: 9 });
  assert.deepEqual(loc.at('/States/C/Choices[1]/Variable'), { line: 14, column: 23 });
  assert.deepEqual(loc.at('/States/P/Branches[0]/States/X'), find('"X": {'));
  assert.deepEqual(loc.at('/States/P/Branches[1]/States/X'), find('"X": {', 26));
  assert.deepEqual(loc.at('/States/P/Branches[1]/States/X/Type'), find('"Pass"', 29));
  assert.deepEqual(loc.at('/States/P/Branches/1/States/X/End'), find('true', 30));
});

test('at: falls back to the nearest existing ancestor', () => {
  const loc = jsonLocations(TEXT);
  assert.deepEqual(loc.at('/States/A/Missing'), find('"A": {'));
  assert.deepEqual(loc.at('/States/Nope/Next'), find('"States"'));
  assert.deepEqual(loc.at('/States/C/Choices[7]/Next'), find('"Choices"'));
  assert.deepEqual(loc.at('/States/P/Branches[1]/States/Y'), find('"States"', 27));
  assert.deepEqual(loc.at('/StartAt/deeper'), loc.at('/StartAt'));
  assert.deepEqual(loc.at('garbage'), { line: 1, column: 1 });
  assert.equal(jsonLocations('').at('/States'), undefined);
});

test('at: state names with slashes, brackets and pointer escapes', () => {
  const text = '{"States": {"a/b": {"Next": "x"}, "c[0]": {"Next": "y"}, "t~d": {"Next": "z"}}}';
  const loc = jsonLocations(text);
  assert.deepEqual(loc.at('/States/a/b/Next'), { line: 1, column: 29 });
  assert.deepEqual(loc.at('/States/a~1b/Next'), { line: 1, column: 29 });
  assert.deepEqual(loc.at('/States/c[0]/Next'), { line: 1, column: 52 });
  assert.deepEqual(loc.at('/States/t~0d/Next'), { line: 1, column: 74 });
  assert.equal(loc.stateOf('/States/a/b/Next'), 'a/b');
  assert.equal(loc.stateOf('/States/c[0]/Next'), 'c[0]');
});

test('stateAt: the innermost state containing a line', () => {
  const loc = jsonLocations(TEXT);
  assert.equal(loc.stateAt(1), undefined);
  assert.equal(loc.stateAt(3), undefined);
  assert.equal(loc.stateAt(5), 'A');
  assert.equal(loc.stateAt(7), 'A');
  assert.equal(loc.stateAt(8), 'A');
  assert.equal(loc.stateAt(12), 'C');
  assert.equal(loc.stateAt(19), 'C');
  assert.equal(loc.stateAt(22), 'P');
  assert.equal(loc.stateAt(24), 'X');
  assert.equal(loc.stateAt(26), 'P');
  assert.equal(loc.stateAt(30), 'X');
  assert.equal(loc.stateAt(35), 'P');
  assert.equal(loc.stateAt(37), undefined);
  assert.equal(loc.stateAt(100), undefined);
});

test('stateStart: where a state of that name is declared, nested ones too', () => {
  const loc = jsonLocations(TEXT);
  assert.deepEqual(loc.stateStart('C'), find('"C": {'));
  assert.deepEqual(loc.stateStart('X'), find('"X": {'));
  assert.equal(loc.stateStart('Nowhere'), undefined);
});

test('stateAt with a column, for one-line definitions', () => {
  const text = '{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"},"B":{"Type":"Succeed"}}}';
  const loc = jsonLocations(text);
  assert.equal(loc.stateAt(1, text.indexOf('"Pass"') + 1), 'A');
  assert.equal(loc.stateAt(1, text.indexOf('"Succeed"') + 1), 'B');
  assert.equal(loc.stateAt(1, 2), undefined);
});

test('stateOf: the innermost state of a diagnostic location', () => {
  const loc = jsonLocations(TEXT);
  assert.equal(loc.stateOf('/States/C/Choices[0]'), 'C');
  assert.equal(loc.stateOf('/States/C/Choices/1/Next'), 'C');
  assert.equal(loc.stateOf('/States/P'), 'P');
  assert.equal(loc.stateOf('/States/P/Branches[1]/States/X'), 'X');
  assert.equal(loc.stateOf('/States/P/Branches[1]/States/X/Type'), 'X');
  assert.equal(loc.stateOf('/States/P/Branches[1]'), 'P');
  assert.equal(loc.stateOf('/StartAt'), undefined);
  assert.equal(loc.stateOf(''), undefined);
  // States that are not (yet) in the text are still named by the location.
  assert.equal(loc.stateOf('/States/Missing/Next'), 'Missing');
  assert.equal(loc.stateOf('/States/P/Branches[1]/States/Z/Next'), 'Z');
  assert.equal(loc.stateOf('/States/P/Branches[5]/States/Z'), 'Z');
  assert.equal(jsonLocations('').stateOf('/States/Q/Next'), 'Q');
  // A state called "States".
  const odd = jsonLocations('{"States": {"States": {"Next": "x"}}}');
  assert.equal(odd.stateOf('/States/States/Next'), 'States');
  assert.equal(odd.stateAt(1), 'States');
});

test('invalid JSON: what was parsed before the error is kept', () => {
  const partial = `{
  "StartAt": "A",
  "States": {
    "A": {
      "Type": "Pass",
      "Next": "B"
    },
    "B": {
      "Type": "Wa`;
  const loc = jsonLocations(partial);
  assert.deepEqual(loc.at('/States/A/Next'), { line: 6, column: 15 });
  assert.deepEqual(loc.at('/States/B'), { line: 8, column: 5 });
  assert.deepEqual(loc.at('/States/B/Type'), { line: 9, column: 15 });
  assert.equal(loc.stateAt(9), 'B');
  assert.equal(loc.stateAt(5), 'A');
  // A trailing comma: everything before it is there, nothing after it.
  const trailing = jsonLocations('{"States": {"A": {"Type": "Pass",}, "B": {}}}');
  assert.deepEqual(trailing.at('/States/A/Type'), { line: 1, column: 27 });
  assert.deepEqual(trailing.at('/States/B'), trailing.at('/States'));
});

test('never throws, whatever the input', () => {
  const inputs = ['', ' ', '{', '[', '"', '}', ']', ',', 'nul', 'tru', '-', '01', '1.', '1e', '{"a"', '{"a":', '{"a" 1}', '[1 2]', '"\\x"', '"\\u12"', '"a\nb"', '\uFEFF{}', '{"a":1}}', '['.repeat(5000), '{"a":'.repeat(3000)];
  for (const text of inputs) {
    const loc = jsonLocations(text);
    loc.at('/a/0/b[1]');
    loc.stateAt(1);
    loc.stateOf('/States/x');
    assert.ok(jsonSyntaxError(text), `error expected for ${JSON.stringify(text.slice(0, 20))}`);
  }
  assert.equal(jsonLocations(undefined as unknown as string).at('/'), undefined);
});

test('jsonSyntaxError: none for valid JSON, the first error with its position otherwise', () => {
  for (const ok of ['{}', '[]', '1', '-0.5e+3', '"\\u00e9\\n"', 'true', ' null ', TEXT, '{"a":[1,{"b":false}],"c":"d"}']) {
    assert.equal(jsonSyntaxError(ok), undefined, ok);
    assert.doesNotThrow(() => JSON.parse(ok));
  }
  assert.deepEqual(jsonSyntaxError('{\n  "a": 1,\n    }'), { message: 'Unexpected token } at line 3, column 5', line: 3, column: 5 });
  assert.deepEqual(jsonSyntaxError('{"a": 1'), { message: 'Unexpected end of input', line: 1, column: 8 });
  assert.deepEqual(jsonSyntaxError(''), { message: 'Unexpected end of input', line: 1, column: 1 });
  assert.deepEqual(jsonSyntaxError('{"a": tru}'), { message: 'Unexpected token tru at line 1, column 7', line: 1, column: 7 });
  assert.deepEqual(jsonSyntaxError('{"a": 1 "b": 2}'), { message: 'Unexpected token " at line 1, column 9', line: 1, column: 9 });
  assert.deepEqual(jsonSyntaxError('{"a":\n"b\nc"}'), { message: 'Unterminated string at line 2, column 3', line: 2, column: 3 });
  assert.deepEqual(jsonSyntaxError('{"a": "\\q"}'), { message: 'Bad escape \\q at line 1, column 9', line: 1, column: 9 });
  assert.deepEqual(jsonSyntaxError('{} x'), { message: 'Unexpected token x at line 1, column 4', line: 1, column: 4 });
  assert.deepEqual(jsonSyntaxError('[01]'), { message: 'Unexpected token 1 at line 1, column 3', line: 1, column: 3 });
  assert.deepEqual(jsonSyntaxError("{'a': 1}"), { message: "Unexpected token ' at line 1, column 2", line: 1, column: 2 });
  // Agrees with JSON.parse on what is valid.
  for (const bad of ['{"a":1,}', '[1,]', '01', '1.', '.5', '+1', '"\t"', 'NaN', '{"a" : }']) {
    assert.throws(() => JSON.parse(bad));
    assert.ok(jsonSyntaxError(bad), bad);
  }
});
