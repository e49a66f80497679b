import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { invalidDefinitionMessage, validateDefinition, validationResponse, type Diagnostic } from './validate.js';

const SCHEMA = 'SCHEMA_VALIDATION_FAILED';

/** A one-state machine around the given state. */
function machine(state: object, extra: object = {}): string {
  return JSON.stringify({ StartAt: 'S', States: { S: state }, ...extra });
}

function errors(text: string, type?: 'STANDARD' | 'EXPRESS'): Diagnostic[] {
  return validateDefinition(text, { type }).filter((d) => d.severity === 'ERROR');
}

function one(text: string, type?: 'STANDARD' | 'EXPRESS'): Diagnostic {
  const d = errors(text, type);
  assert.equal(d.length, 1, `expected one diagnostic, got ${JSON.stringify(d)}`);
  return d[0]!;
}

function message(text: string, type?: 'STANDARD' | 'EXPRESS'): string {
  return invalidDefinitionMessage(text, validateDefinition(text, { type }));
}

test('valid definitions have no diagnostics', () => {
  assert.deepEqual(validateDefinition(machine({ Type: 'Pass', End: true })), []);
  assert.deepEqual(
    validateDefinition(
      JSON.stringify({
        QueryLanguage: 'JSONata',
        StartAt: 'T',
        States: {
          T: {
            Type: 'Task',
            Resource: 'arn:aws:states:::lambda:invoke',
            Arguments: { FunctionName: 'f', Payload: '{% $states.input %}' },
            Output: '{% $states.result.Payload %}',
            Assign: { count: '{% $count($states.input.items) %}' },
            Retry: [{ ErrorEquals: ['States.TaskFailed'], MaxAttempts: 2, JitterStrategy: 'FULL' }, { ErrorEquals: ['States.ALL'] }],
            Catch: [{ ErrorEquals: ['States.ALL'], Next: 'F', Output: '{% $states.errorOutput %}' }],
            Next: 'C',
          },
          C: { Type: 'Choice', Choices: [{ Condition: '{% $count > 1 %}', Next: 'W' }], Default: 'F' },
          W: { Type: 'Wait', Seconds: '{% 1 + 1 %}', Next: 'Ok' },
          Ok: { Type: 'Succeed' },
          F: { Type: 'Fail', Error: 'E', Cause: '{% "c" %}' },
        },
      }),
    ),
    [],
  );
});

test('definitions that are not JSON objects', () => {
  assert.deepEqual(validateDefinition(' '), [{ severity: 'ERROR', code: SCHEMA, message: 'Definition must be a valid JSON object' }]);
  assert.deepEqual(validateDefinition('[1]'), [{ severity: 'ERROR', code: SCHEMA, message: 'Definition must be a valid JSON object' }]);
  const d = one('not a definition');
  assert.equal(d.code, 'INVALID_JSON_DESCRIPTION');
  assert.equal(d.location, '[Source: (String)"not a definition"; line: 1, column: 4]');
  assert.equal(
    d.message,
    `Unrecognized token 'not': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')\n at ${d.location}`,
  );
});

test('required top-level fields are listed in AWS order', () => {
  assert.deepEqual(one('{}'), { severity: 'ERROR', code: SCHEMA, message: 'These fields are required: [States, StartAt]', location: '/' });
  assert.equal(one('{"States": {"A": {"Type": "Pass", "End": true}}}').message, 'These fields are required: [StartAt]');
  assert.equal(message('{"StartAt": "A"}'), "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: These fields are required: [States] at /'");
});

test('unknown fields and state types', () => {
  assert.deepEqual(one(machine({ Type: 'Pass', End: true, Foo: 1 })), {
    severity: 'ERROR',
    code: SCHEMA,
    message: "Field 'Foo' is not supported",
    location: '/States/S',
  });
  assert.equal(one(machine({ Type: 'Pass', End: true, TimeoutSeconds: 3 })).message, "Field 'TimeoutSeconds' is not supported");
  assert.equal(one(JSON.stringify({ StartAt: 'S', States: { S: { Type: 'Pass', End: true } }, Bar: 1 })).location, '/');
  const bad = one(machine({ Type: 'Paz', End: true }));
  assert.equal(bad.message, "The field 'Type' should have one of these values: [Task, Wait, Pass, Succeed, Fail, Choice, Parallel, Map]");
  assert.equal(bad.location, '/States/S/Type');
  assert.equal(one(machine({ End: true })).message, 'These fields are required: [Type]');
});

test('Next and End', () => {
  assert.equal(one(machine({ Type: 'Pass' })).location, '/States/S');
  assert.equal(errors(machine({ Type: 'Pass', Next: 'S', End: true })).length, 1);
  assert.equal(errors(machine({ Type: 'Succeed' })).length, 0);
});

test('transitions, reachability and terminal states', () => {
  const text = JSON.stringify({
    StartAt: 'A',
    States: { A: { Type: 'Pass', Next: 'Nope' }, B: { Type: 'Pass', End: true } },
  });
  assert.equal(
    message(text),
    "Invalid State Machine Definition: 'MISSING_TRANSITION_TARGET: Missing 'Next' target: Nope at /States/A/Next, " +
      'MISSING_TRANSITION_TARGET: State "B" is not reachable. at /States/B\'',
  );
  const loop = JSON.stringify({ StartAt: 'A', States: { A: { Type: 'Pass', Next: 'B' }, B: { Type: 'Pass', Next: 'A' }, C: { Type: 'Pass', Next: 'A' } } });
  assert.deepEqual(validateDefinition(loop), [{ severity: 'ERROR', code: 'MISSING_END_STATE', message: 'Workflow has no terminal state' }]);
  const choice = JSON.stringify({
    StartAt: 'C',
    States: {
      C: { Type: 'Choice', Choices: [{ Variable: '$.x', IsPresent: true, Next: 'X' }], Default: 'Y' },
      Y: { Type: 'Succeed' },
    },
  });
  assert.deepEqual(
    errors(choice).map((d) => d.location),
    ['/States/C/Choices[0]/Next'],
  );
  const nested = JSON.stringify({
    StartAt: 'P',
    States: {
      P: {
        Type: 'Parallel',
        End: true,
        Branches: [{ StartAt: 'A', States: { A: { Type: 'Pass', End: true }, P: { Type: 'Pass', End: true } } }],
      },
    },
  });
  const d = errors(nested);
  assert.deepEqual(
    d.map((x) => [x.code, x.location]),
    [
      ['DUPLICATE_STATE_NAME', '/States/P/Branches[0]/States/P'],
      ['MISSING_TRANSITION_TARGET', '/States/P/Branches[0]/States/P'],
    ],
  );
});

test('Wait timestamps must be RFC 3339', () => {
  for (const ts of ['2016-13-05T21:29:29Z', '05-12-2016T21:29:29Z', '2016-12-05T25:29:29Z', '2016-12-05T21:29:29', "{% '2016-03-14T01:59:00Z' %}", '2019-02-29T00:00:00Z', '2016-12-05 21:29:29Z']) {
    assert.equal(
      message(machine({ Type: 'Wait', Timestamp: ts, End: true })),
      "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: String does not match RFC3339 timestamp at /States/S/Timestamp'",
      ts,
    );
  }
  for (const ts of ['2016-03-14T01:59:00Z', '2016-03-14T01:59:00.123+02:00', '2020-02-29T23:59:59Z', '2016-12-05T21:29Z', '2016-12-05t21:29:29z']) {
    assert.deepEqual(errors(machine({ Type: 'Wait', Timestamp: ts, End: true })), [], ts);
  }
  assert.deepEqual(errors(machine({ Type: 'Wait', Timestamp: "{% '2016-03-14T01:59:00Z' %}", End: true }, { QueryLanguage: 'JSONata' })), []);
  assert.equal(errors(machine({ Type: 'Wait', Seconds: 1, SecondsPath: '$.s', End: true })).length, 1);
  assert.equal(errors(machine({ Type: 'Wait', End: true })).length, 1);
});

test('.$ fields need a valid JSONPath or intrinsic function call', () => {
  const expected =
    "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: The value for the field 'parsed.$' must be a valid JSONPath or a valid intrinsic function call at /States/S/Parameters'";
  for (const v of [
    `States.StringToJson('{"text":"An \\"escaped double quote\\" here"}')`,
    `States.Format('He said, \\"Hello, {}!\\"', 'Test \\"Name\\" Here')`,
    'States.Nope($.a)',
    'States.Format($.a',
    'a.b',
  ]) {
    assert.equal(message(machine({ Type: 'Pass', Parameters: { 'parsed.$': v }, End: true })), expected, v);
  }
  for (const v of ["States.Format('it\\'s {}', $.a)", 'States.ArrayGetItem(States.StringSplit($$.StateMachine.Name, \'-\'), 0)', '$.a[0].b', '$$.Execution.Id', '$myVar.x', 'States.UUID()']) {
    assert.deepEqual(errors(machine({ Type: 'Pass', Parameters: { 'parsed.$': v }, End: true })), [], v);
  }
  // Result is static: '.$' keys there are not evaluated.
  assert.deepEqual(errors(machine({ Type: 'Pass', Result: { 'x.$': 'not a path' }, End: true })), []);
  assert.equal(one(machine({ Type: 'Pass', Parameters: { a: { 'b.$': 'nope' } }, End: true })).location, '/States/S/Parameters/a');
});

test('path fields', () => {
  assert.equal(one(machine({ Type: 'Pass', InputPath: 'nope', End: true })).location, '/States/S/InputPath');
  assert.equal(one(machine({ Type: 'Pass', ResultPath: '$.a[*]', End: true })).location, '/States/S/ResultPath');
  assert.deepEqual(errors(machine({ Type: 'Pass', InputPath: null, ResultPath: null, OutputPath: '$.a', End: true })), []);
});

test('Task resources', () => {
  assert.equal(
    message(machine({ Type: 'Task', Resource: 'arn:aws:states:::dynamodb:query', End: true })),
    "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: The resource provided arn:aws:states:::dynamodb:query is not recognized. The value is not a valid resource ARN, or the resource is not available in this region. at /States/S/Resource'",
  );
  for (const r of [
    'arn:aws:lambda:us-east-1:123456789012:function:f',
    'arn:aws:lambda:us-east-1:123456789012:function:f:$LATEST',
    'arn:aws:states:us-east-1:123456789012:activity:a',
    'arn:aws:states:::lambda:invoke.waitForTaskToken',
    'arn:aws:states:::states:startExecution.sync:2',
    'arn:aws:states:::aws-sdk:s3:listObjectsV2',
    'arn:aws:states:::http:invoke',
    'arn:aws:states:::dynamodb:getItem',
  ]) {
    assert.deepEqual(errors(machine({ Type: 'Task', Resource: r, End: true })), [], r);
  }
  assert.equal(errors(machine({ Type: 'Task', Resource: 'arn:aws:states:::dynamodb:getItem.sync', End: true })).length, 1);
  assert.equal(errors(machine({ Type: 'Task', Resource: 'arn:aws:states:::constructor:keys', End: true })).length, 1);
});

test('Express machines refuse .sync, .waitForTaskToken and activities', () => {
  assert.equal(
    message(machine({ Type: 'Task', Resource: 'arn:aws:states:::states:startExecution.sync', End: true }), 'EXPRESS'),
    "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: Express state machine does not support '.sync' service integration at /States/S/Resource'",
  );
  assert.equal(
    message(machine({ Type: 'Task', Resource: 'arn:aws:states:::sns:publish.waitForTaskToken', End: true }), 'EXPRESS'),
    "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: Express state machine does not support '.waitForTaskToken' service integration  at /States/S/Resource'",
  );
  assert.equal(errors(machine({ Type: 'Task', Resource: 'arn:aws:states:us-east-1:123456789012:activity:a', End: true }), 'EXPRESS').length, 1);
  assert.deepEqual(errors(machine({ Type: 'Task', Resource: 'arn:aws:states:::states:startExecution.sync', End: true }), 'STANDARD'), []);
});

test('Task timeouts and credentials', () => {
  assert.equal(errors(machine({ Type: 'Task', Resource: 'arn:aws:states:::http:invoke', TimeoutSeconds: 5, HeartbeatSeconds: 5, End: true })).length, 1);
  assert.equal(errors(machine({ Type: 'Task', Resource: 'arn:aws:states:::http:invoke', TimeoutSeconds: 0, End: true })).length, 1);
  assert.equal(errors(machine({ Type: 'Task', Resource: 'arn:aws:states:::http:invoke', TimeoutSeconds: 5, TimeoutSecondsPath: '$.t', End: true })).length, 1);
  const cred = (c: object) =>
    message(machine({ Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Arguments: '{% $states.input %}', Credentials: c, End: true }, { QueryLanguage: 'JSONata' }));
  const expected = "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: The field 'RoleArn' is required but was missing at /States/S/Credentials'";
  assert.equal(cred({}), expected);
  assert.equal(cred({ InvalidField: 'invalid' }), expected);
});

test('query languages', () => {
  const downgrade = JSON.stringify({ StartAt: 'P', QueryLanguage: 'JSONata', States: { P: { Type: 'Pass', End: true, QueryLanguage: 'JSONPath' } } });
  assert.deepEqual(validateDefinition(downgrade), [
    { severity: 'ERROR', code: SCHEMA, message: "'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine", location: '/States/P' },
  ]);
  const upgrade = JSON.stringify({
    StartAt: 'M',
    QueryLanguage: 'JSONPath',
    States: {
      M: {
        Type: 'Map',
        QueryLanguage: 'JSONata',
        ItemProcessor: { ProcessorConfig: { Mode: 'INLINE' }, StartAt: 'P', States: { P: { QueryLanguage: 'JSONPath', Type: 'Pass', End: true } } },
        End: true,
      },
    },
  });
  assert.deepEqual(validateDefinition(upgrade), []);
  assert.equal(
    one(machine({ Type: 'Pass', Output: {}, End: true })).message,
    "The QueryLanguage is set to 'JSONPath', but field 'Output' is only supported for the 'JSONata' QueryLanguage",
  );
  assert.equal(
    one(machine({ Type: 'Pass', Parameters: {}, End: true }, { QueryLanguage: 'JSONata' })).message,
    "The QueryLanguage is set to 'JSONata', but field 'Parameters' is only supported for the 'JSONPath' QueryLanguage",
  );
  assert.equal(one(machine({ Type: 'Pass', End: true }, { QueryLanguage: 'jsonata' })).location, '/QueryLanguage');
  const processorLanguage = JSON.stringify({
    StartAt: 'M',
    States: { M: { Type: 'Map', ItemProcessor: { QueryLanguage: 'JSONata', StartAt: 'P', States: { P: { Type: 'Pass', End: true } } }, End: true } },
  });
  assert.deepEqual(one(processorLanguage), { severity: 'ERROR', code: SCHEMA, message: "Field 'QueryLanguage' is not supported", location: '/States/M/ItemProcessor' });
});

test('JSONata expressions must parse and may not read the top-level context', () => {
  const bad = one(machine({ Type: 'Pass', Output: '{% 1 + %}', End: true }, { QueryLanguage: 'JSONata' }));
  assert.equal(bad.code, 'INVALID_JSONATA_EXPRESSION');
  assert.equal(bad.location, '/States/S/Output');
  const top = one(machine({ Type: 'Pass', Output: { v: '{% phone & "x" %}' }, End: true }, { QueryLanguage: 'JSONata' }));
  assert.deepEqual(top, {
    severity: 'ERROR',
    code: 'UNSUPPORTED_JSONATA_EXPRESSION',
    message: "Reference to 'phone' at the top level is not supported.",
    location: '/States/S/Output/v',
  });
  assert.deepEqual(
    errors(
      machine(
        { Type: 'Pass', Output: { a: '{% $states.input.items[price > 1].name %}', b: '{% $map($states.input, function($v) { $v.x }) %}' }, End: true },
        { QueryLanguage: 'JSONata' },
      ),
    ),
    [],
  );
  assert.equal(one(machine({ Type: 'Pass', Assign: { states: 1 }, End: true }, { QueryLanguage: 'JSONata' })).location, '/States/S/Assign');
  assert.equal(one(machine({ Type: 'Pass', Assign: { 'a-b.$': '$.x' }, End: true })).location, '/States/S/Assign');
  // In a JSONPath state the same text is a plain string.
  assert.deepEqual(errors(machine({ Type: 'Pass', Result: '{% 1 + %}', End: true })), []);
});

test('Retry and Catch', () => {
  const task = (extra: object) => machine({ Type: 'Task', Resource: 'arn:aws:states:::http:invoke', End: true, ...extra });
  assert.equal(errors(task({ Retry: [{ ErrorEquals: ['States.ALL'] }, { ErrorEquals: ['X'] }] })).length, 1);
  assert.equal(errors(task({ Retry: [{ ErrorEquals: ['States.ALL', 'X'] }] })).length, 1);
  assert.equal(errors(task({ Retry: [{ ErrorEquals: [] }] })).length, 1);
  // AWS accepts custom names under `States.` (its samples use them): a warning, not an error.
  assert.equal(errors(task({ Retry: [{ ErrorEquals: ['States.Nope'] }] })).length, 0);
  assert.equal(validateDefinition(task({ Retry: [{ ErrorEquals: ['States.Nope'] }] }))[0]?.severity, 'WARNING');
  assert.equal(errors(task({ Retry: [{ ErrorEquals: ['X'], JitterStrategy: 'SOME' }] })).length, 1);
  assert.equal(errors(task({ Retry: [{ ErrorEquals: ['X'], BackoffRate: 0.5, MaxAttempts: -1 }] })).length, 2);
  assert.equal(errors(task({ Catch: [{ ErrorEquals: ['X'] }] })).length, 1);
  assert.equal(one(task({ Retry: [{ ErrorEquals: ['X'], Foo: 1 }] })).location, '/States/S/Retry[0]');
});

test('Choice rules', () => {
  const choice = (rule: object) => JSON.stringify({ StartAt: 'C', States: { C: { Type: 'Choice', Choices: [rule], Default: 'D' }, D: { Type: 'Succeed' } } });
  assert.deepEqual(errors(choice({ Not: { Variable: '$.a', StringEquals: 'x' }, Next: 'D' })), []);
  assert.deepEqual(errors(choice({ And: [{ Variable: '$.a', NumericGreaterThan: 1 }, { Variable: '$.b', BooleanEqualsPath: '$.c' }], Next: 'D' })), []);
  assert.equal(one(choice({ Variable: '$.a', StringEquals: 'x' })).message, 'These fields are required: [Next]');
  assert.equal(errors(choice({ Variable: '$.a', StringEquals: 'x', NumericEquals: 1, Next: 'D' })).length, 1);
  assert.equal(errors(choice({ Variable: '$.a', NumericEquals: 'x', Next: 'D' })).length, 1);
  assert.equal(errors(choice({ StringEquals: 'x', Next: 'D' })).length, 1);
  assert.equal(one(choice({ Not: { Variable: '$.a', StringEquals: 'x', Next: 'D' }, Next: 'D' })).location, '/States/C/Choices[0]/Not');
  assert.equal(errors(choice({ Or: [], Next: 'D' })).length, 1);
  assert.equal(errors(JSON.stringify({ StartAt: 'C', States: { C: { Type: 'Choice', Choices: [], Default: 'D' }, D: { Type: 'Succeed' } } })).length, 1);
});

test('Map states', () => {
  const map = (extra: object) =>
    machine({ Type: 'Map', ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' }, StartAt: 'I', States: { I: { Type: 'Pass', End: true } } }, End: true, ...extra });
  assert.deepEqual(errors(map({ Label: 'label_ok-1', MaxConcurrency: 2, ToleratedFailurePercentage: 5, ItemsPath: '$.items' })), []);
  assert.equal(errors(map({ MaxConcurrency: -1 })).length, 1);
  assert.equal(errors(map({ ToleratedFailurePercentage: 101 })).length, 1);
  assert.equal(errors(map({ ItemsPath: '$.items[*]' })).length, 1);
  assert.equal(errors(map({ ItemSelector: {}, Parameters: {} })).length, 1);
  assert.equal(errors(machine({ Type: 'Map', End: true })).length, 1);
  assert.equal(
    errors(machine({ Type: 'Map', ItemProcessor: { ProcessorConfig: { Mode: 'LOCAL' }, StartAt: 'I', States: { I: { Type: 'Pass', End: true } } }, End: true })).length,
    1,
  );
});

test('Map labels are reported as AWS reports them', () => {
  const text = JSON.stringify({
    StartAt: 'M',
    States: {
      M: {
        Type: 'Map',
        ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' }, StartAt: 'I', States: { I: { Type: 'Pass', End: true } } },
        Label: 'label_\u0000',
        End: true,
      },
    },
  });
  assert.equal(message(text), `Error=ValueError Args=["Label contains invalid character: '\\\\x00'"] in definition '${text}'.`);
  const label = (l: string) => message(text.replace('label_\\u0000', l));
  assert.match(label('a~b'), /^Error=ValueError Args=\["Label contains invalid character: '~'"\] in definition/);
  assert.match(label('a\\"b'), /^Error=ValueError Args=\['Label contains invalid character: \\'"\\''\] in definition/);
  assert.match(label('a\\\\b'), /^Error=ValueError Args=\["Label contains invalid character: '\\\\\\\\'"\] in definition/);
  assert.match(label('a\u0085b'), /^Error=ValueError Args=\["Label contains invalid character: '\\\\x85'"\]/);
  assert.match(label('x'.repeat(41)), /^Error=ValueError Args=\['Label cannot exceed 40 characters'\]/);
  assert.match(label(''), /^Error=ValueError Args=\['Label cannot be empty'\]/);
  assert.match(label(' '), /^Error=ValueError Args=\["Label contains invalid character: ' '"\]/);
  assert.deepEqual(errors(text.replace('label_\\u0000', 'x'.repeat(40))), []);
});

test('validationResponse builds the ValidateStateMachineDefinition answer', () => {
  assert.deepEqual(validationResponse(validateDefinition(machine({ Type: 'Pass', End: true }))), { result: 'OK', diagnostics: [], truncated: false });
  const r = validationResponse(validateDefinition('{}'));
  assert.equal(r.result, 'FAIL');
  assert.equal(r.diagnostics.length, 1);
  const many = validateDefinition(machine({ Type: 'Pass', End: true, A: 1, B: 2, C: 3 }));
  assert.deepEqual(
    { n: validationResponse(many, 2).diagnostics.length, truncated: validationResponse(many, 2).truncated },
    { n: 2, truncated: true },
  );
});

// ------------------------------------------------------------------------------------------------
// No false positives: every definition AWS accepted in the conformance corpus validates cleanly.
// ------------------------------------------------------------------------------------------------

const CASES = fileURLToPath(new URL('../../../shared/conformance/cases', import.meta.url));

test('definitions accepted by AWS in the conformance corpus have no errors', (t) => {
  if (!fs.existsSync(CASES)) {
    t.skip(`no conformance cases at ${CASES}`);
    return;
  }
  let checked = 0;
  const failures: string[] = [];
  for (const category of fs.readdirSync(CASES)) {
    if (category === 'api' || !fs.statSync(path.join(CASES, category)).isDirectory()) continue;
    for (const file of fs.readdirSync(path.join(CASES, category))) {
      if (!file.endsWith('.json')) continue;
      const c = JSON.parse(fs.readFileSync(path.join(CASES, category, file), 'utf8')) as {
        definition?: { States?: unknown };
        testState?: { request?: { definition?: { States?: unknown } } };
        activities?: Record<string, unknown>;
        stateMachineType?: 'STANDARD' | 'EXPRESS';
      };
      const def = c.definition ?? c.testState?.request?.definition;
      if (!def || def.States === undefined) continue;
      let text = JSON.stringify(def);
      for (const key of Object.keys(c.activities ?? {})) {
        text = text.replaceAll('${' + key + '}', `arn:aws:states:us-east-1:123456789012:activity:${key}`);
      }
      checked++;
      const found = errors(text, c.stateMachineType ?? 'STANDARD');
      if (found.length > 0) failures.push(`${category}/${file}: ${JSON.stringify(found)}`);
    }
  }
  assert.ok(checked > 0, 'no definitions found');
  assert.deepEqual(failures, []);
});

test('Distributed Map: ItemReader, ItemBatcher and ResultWriter are checked, and refused on an inline Map', () => {
  const proc = (mode: string) => ({ ProcessorConfig: { Mode: mode }, StartAt: 'P', States: { P: { Type: 'Pass', End: true } } });
  const map = (extra: object, mode = 'DISTRIBUTED') => machine({ Type: 'Map', ItemProcessor: proc(mode), End: true, ...extra });
  const reader = { Resource: 'arn:aws:states:::s3:getObject', ReaderConfig: { InputType: 'CSV', CSVHeaderLocation: 'FIRST_ROW' }, Parameters: { Bucket: 'b', Key: 'k' } };
  assert.deepEqual(errors(map({ ItemReader: reader, ItemBatcher: { MaxItemsPerBatch: 2 }, ResultWriter: { WriterConfig: { Transformation: 'FLATTEN' } } })), []);
  assert.match(one(map({ ItemBatcher: { MaxItemsPerBatch: 2 } }, 'INLINE')).message, /'ItemBatcher' is supported only when .* Mode DISTRIBUTED/);
  assert.match(one(map({ ItemReader: { ...reader, Resource: 'arn:aws:states:::s3:getObjects' } })).message, /Value should be one of the following: \[arn:aws:states:::s3:getObject, arn:aws:states:::s3:listObjectsV2\]/);
  assert.match(one(map({ ItemReader: { ...reader, ReaderConfig: { InputType: 'XML' } } })).message, /Value should be one of the following: \[CSV, JSON, JSONL, MANIFEST, PARQUET\]/);
  assert.match(one(map({ ItemReader: { ...reader, ReaderConfig: { InputType: 'CSV', CSVHeaderLocation: 'GIVEN' } } })).message, /CSVHeaders/);
  assert.match(one(map({ ItemBatcher: { MaxItemsPerBatch: 2, Extra: 1 } })).message, /Field 'Extra' is not supported/);
  assert.match(one(map({ ResultWriter: { WriterConfig: { OutputType: 'XML' } } })).message, /\[JSON, JSONL\]/);
  assert.match(one(map({ ResultWriter: { Parameters: { Bucket: 'b' } } })).message, /Resource/);
});
