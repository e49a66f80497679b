import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Json, JsonObject } from '../../shared/json.js';
import { buildTestStateProgram, parseTestStateRequest, runTestState, TestStateRequestError, type TaskOutcome, type TestStateEnv, type TestStateResult } from './index.js';

const NOW = Date.UTC(2025, 0, 15, 10, 30, 0);
const ROLE = 'arn:aws:iam::123456789012:role/test';

type Params = Record<string, unknown>;

/** Calls TestState as the API does (definition, input, variables and context as JSON text). */
async function testState(p: Params, extra: Partial<TestStateEnv> = {}): Promise<TestStateResult> {
  const params: Params = { ...p };
  for (const k of ['definition', 'input', 'variables', 'context']) if (params[k] !== undefined) params[k] = JSON.stringify(params[k]);
  const req = parseTestStateRequest(params);
  const prog = buildTestStateProgram(req);
  return runTestState(req, prog, { now: NOW, seed: 7, region: 'us-east-1', accountId: '123456789012', stateMachineName: 'SM', executionName: 'EX', ...extra });
}

async function rejects(p: Params, code: string, message: string | RegExp): Promise<void> {
  await assert.rejects(testState(p), (e: unknown) => {
    assert.ok(e instanceof TestStateRequestError, String(e));
    assert.equal(e.code, code);
    if (typeof message === 'string') assert.equal(e.message, message);
    else assert.match(e.message, message);
    return true;
  });
}

const lambdaTask = (extra: JsonObject = {}): JsonObject => ({
  Type: 'Task',
  Resource: 'arn:aws:states:::lambda:invoke',
  Parameters: { 'FunctionName.$': '$.fn', Payload: { 'Input.$': '$' } },
  End: true,
  ...extra,
});

describe('TestState: Pass, Choice, Wait, Succeed, Fail', () => {
  test('JSONPath Pass reports every data-flow step at DEBUG', async () => {
    const r = await testState({
      definition: { Type: 'Pass', InputPath: '$.data', Parameters: { 'v.$': '$.x', k: 1 }, ResultPath: '$.out', End: true },
      input: { data: { x: 'a' }, other: 2 },
      inspectionLevel: 'DEBUG',
    });
    assert.equal(r.status, 'SUCCEEDED');
    assert.deepEqual(r.output, { data: { x: 'a' }, other: 2, out: { v: 'a', k: 1 } });
    assert.equal(r.nextState, undefined);
    assert.deepEqual(r.inspectionData, {
      input: { data: { x: 'a' }, other: 2 },
      afterInputPath: { x: 'a' },
      afterParameters: { v: 'a', k: 1 },
      afterResultSelector: { v: 'a', k: 1 },
      afterResultPath: { data: { x: 'a' }, other: 2, out: { v: 'a', k: 1 } },
    });
  });

  test('a Pass with Result reports the result instead of the input processing', async () => {
    const r = await testState({
      definition: { Type: 'Pass', InputPath: '$.data', Result: { r: 1 }, ResultPath: '$.out', End: true },
      input: { data: 1 },
      inspectionLevel: 'TRACE',
    });
    assert.deepEqual(r.output, { data: 1, out: { r: 1 } });
    assert.deepEqual(r.inspectionData, { input: { data: 1 }, result: { r: 1 }, afterResultSelector: { r: 1 }, afterResultPath: { data: 1, out: { r: 1 } } });
  });

  test('INFO has no inspection data', async () => {
    const r = await testState({ definition: { Type: 'Pass', End: true }, input: { a: 1 } });
    assert.deepEqual(r, { status: 'SUCCEEDED', output: { a: 1 } });
  });

  test('Choice reports the next state; no match fails', async () => {
    const def = { Type: 'Choice', Choices: [{ Variable: '$.v', NumericGreaterThan: 10, Next: 'Big' }], Default: 'Small' };
    assert.deepEqual(await testState({ definition: def, input: { v: 11 } }), { status: 'SUCCEEDED', output: { v: 11 }, nextState: 'Big' });
    assert.equal((await testState({ definition: def, input: { v: 1 } })).nextState, 'Small');
    const noDefault = await testState({ definition: { ...def, Default: undefined }, input: { v: 1 } });
    assert.equal(noDefault.status, 'FAILED');
    assert.equal(noDefault.error, 'States.NoChoiceMatched');
  });

  test('Wait does not wait', async () => {
    const started = Date.now();
    const r = await testState({ definition: { Type: 'Wait', Seconds: 3600, Next: 'After' }, input: { a: 1 } });
    assert.deepEqual(r, { status: 'SUCCEEDED', output: { a: 1 }, nextState: 'After' });
    assert.ok(Date.now() - started < 5000);
  });

  test('Fail and Succeed', async () => {
    const f = await testState({ definition: { Type: 'Fail', Error: 'E', Cause: 'C' }, input: { a: 1 }, inspectionLevel: 'DEBUG' });
    assert.deepEqual(f, { status: 'FAILED', error: 'E', cause: 'C', inspectionData: { input: { a: 1 }, afterInputPath: { a: 1 } } });
    const s = await testState({ definition: { Type: 'Succeed', OutputPath: '$.a' }, input: { a: 1 } });
    assert.deepEqual(s, { status: 'SUCCEEDED', output: 1 });
  });

  test('JSONata states report only their input, and the variables after the state', async () => {
    const r = await testState({
      definition: { Type: 'Pass', QueryLanguage: 'JSONata', Output: '{% $x + $states.input.n %}', Assign: { y: '{% $x * 2 %}' }, End: true },
      input: { n: 1 },
      variables: { x: 20 },
      inspectionLevel: 'DEBUG',
    });
    assert.equal(r.output, 21);
    assert.deepEqual(r.inspectionData, { input: { n: 1 }, variables: { x: 20, y: 40 } });
  });

  test('the default context object: express execution, StateName, no role', async () => {
    const r = await testState({ definition: { Type: 'Pass', QueryLanguage: 'JSONata', Output: '{% $states.context %}', End: true }, input: { a: 1 } });
    assert.deepEqual(r.output, {
      Execution: { Id: 'arn:aws:states:us-east-1:123456789012:express:SM:EX', Input: { a: 1 }, StartTime: '2025-01-15T10:30:00.000Z', Name: 'EX', RoleArn: null },
      StateMachine: { Id: 'arn:aws:states:us-east-1:123456789012:stateMachine:SM', Name: 'SM' },
      State: { Name: 'StateName', EnteredTime: '2025-01-15T10:30:00.000Z' },
    });
  });
});

describe('TestState: Task', () => {
  test('a mocked result goes through ResultSelector and ResultPath; the supplied context replaces $$', async () => {
    const context = { Execution: { Name: 'mine' } };
    const r = await testState({
      definition: lambdaTask({ ResultSelector: { 'r.$': '$.v', 'ctx.$': '$$' }, ResultPath: '$.res' }),
      input: { fn: 'f' },
      context,
      mock: { result: '{"v": 5}' },
      inspectionLevel: 'DEBUG',
    });
    assert.equal(r.status, 'SUCCEEDED');
    assert.deepEqual(r.output, { fn: 'f', res: { r: 5, ctx: context } });
    assert.deepEqual(r.inspectionData, {
      input: { fn: 'f' },
      afterInputPath: { fn: 'f' },
      afterParameters: { FunctionName: 'f', Payload: { Input: { fn: 'f' } } },
      result: { v: 5 },
      afterResultSelector: { r: 5, ctx: context },
      afterResultPath: { fn: 'f', res: { r: 5, ctx: context } },
    });
  });

  test('JSONata: afterArguments and result', async () => {
    const r = await testState({
      definition: { Type: 'Task', QueryLanguage: 'JSONata', Resource: 'arn:aws:states:::lambda:invoke', Arguments: { FunctionName: 'f', Payload: '{% $states.input.p %}' }, Output: '{% $states.result.v %}', Next: 'N' },
      input: { p: 3 },
      mock: { result: '{"v": "ok"}' },
      inspectionLevel: 'TRACE',
    });
    assert.deepEqual(r, { status: 'SUCCEEDED', output: 'ok', nextState: 'N', inspectionData: { input: { p: 3 }, afterArguments: { FunctionName: 'f', Payload: 3 }, result: { v: 'ok' } } });
  });

  const retrying = lambdaTask({ Retry: [{ ErrorEquals: ['Other'] }, { ErrorEquals: ['Boom'], IntervalSeconds: 2, MaxAttempts: 3, BackoffRate: 3 }] });

  test('a mocked error that a retrier handles is RETRIABLE, with its back-off', async () => {
    const r = await testState({ definition: retrying, input: { fn: 'f' }, mock: { errorOutput: { error: 'Boom', cause: 'why' } }, inspectionLevel: 'DEBUG' });
    assert.equal(r.status, 'RETRIABLE');
    assert.equal(r.error, 'Boom');
    assert.equal(r.cause, 'why');
    assert.equal(r.output, undefined);
    assert.deepEqual(r.inspectionData?.errorDetails, { retryIndex: 1, retryBackoffIntervalSeconds: 2 });
    const later = await testState({ definition: retrying, input: { fn: 'f' }, mock: { errorOutput: { error: 'Boom' } }, stateConfiguration: { retrierRetryCount: 2 }, inspectionLevel: 'DEBUG' });
    assert.deepEqual(later.inspectionData?.errorDetails, { retryIndex: 1, retryBackoffIntervalSeconds: 18 });
  });

  test('once the retrier is exhausted the state fails (or its Catch applies)', async () => {
    const r = await testState({ definition: retrying, input: { fn: 'f' }, mock: { errorOutput: { error: 'Boom', cause: 'c' } }, stateConfiguration: { retrierRetryCount: 3 }, inspectionLevel: 'DEBUG' });
    assert.equal(r.status, 'FAILED');
    assert.deepEqual(r.inspectionData?.errorDetails, { retryIndex: 1 });
    const caught = await testState({
      definition: { ...retrying, Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.err', Next: 'Handler' }] },
      input: { fn: 'f' },
      mock: { errorOutput: { error: 'Boom', cause: 'c' } },
      stateConfiguration: { retrierRetryCount: 3 },
      inspectionLevel: 'DEBUG',
    });
    assert.equal(caught.status, 'CAUGHT_ERROR');
    assert.equal(caught.nextState, 'Handler');
    assert.deepEqual(caught.output, { fn: 'f', err: { Error: 'Boom', Cause: 'c' } });
    assert.deepEqual(caught.inspectionData?.errorDetails, { catchIndex: 0, retryIndex: 1 });
  });

  test('Catch picks the first matching catcher; its Output sees $states.errorOutput and the retry count', async () => {
    const def = {
      Type: 'Task',
      QueryLanguage: 'JSONata',
      Resource: 'arn:aws:states:::lambda:invoke',
      Arguments: { FunctionName: 'f' },
      Catch: [
        { ErrorEquals: ['Other'], Next: 'A' },
        { ErrorEquals: ['States.TaskFailed'], Output: { e: '{% $states.errorOutput %}', n: '{% $states.context.State.RetryCount %}' }, Next: 'B' },
      ],
      End: true,
    };
    const r = await testState({ definition: def, mock: { errorOutput: { error: 'X', cause: 'Y' } }, roleArn: ROLE, inspectionLevel: 'DEBUG' });
    assert.deepEqual(r, {
      status: 'CAUGHT_ERROR',
      error: 'X',
      cause: 'Y',
      output: { e: { Error: 'X', Cause: 'Y' }, n: 0 },
      nextState: 'B',
      inspectionData: { input: {}, afterArguments: { FunctionName: 'f' }, errorDetails: { catchIndex: 1 } },
    });
  });

  test('without a mock the runtime performs the task', async () => {
    const seen: Json[] = [];
    const invokeTask = async (cmd: { input: Json }): Promise<TaskOutcome> => {
      seen.push(cmd.input);
      return { k: 'succeeded', output: { Payload: 'done' } };
    };
    const r = await testState({ definition: lambdaTask({ OutputPath: '$.Payload' }), input: { fn: 'f' }, roleArn: ROLE }, { invokeTask });
    assert.deepEqual(r, { status: 'SUCCEEDED', output: 'done' });
    assert.deepEqual(seen, [{ FunctionName: 'f', Payload: { Input: { fn: 'f' } } }]);
  });
});

describe('TestState: Map and Parallel under a mock', () => {
  const map = (extra: JsonObject = {}): JsonObject => ({
    Type: 'Map',
    ItemsPath: '$.items',
    MaxConcurrency: 2,
    ItemProcessor: { StartAt: 'Inner', States: { Inner: { Type: 'Task', Resource: 'arn:aws:lambda:region:account:function:nope', End: true } } },
    End: true,
    ...extra,
  });

  test('the mock is the Map result; items and limits are inspected', async () => {
    const r = await testState({ definition: map({ ResultPath: '$.out' }), input: { items: [1, 2] }, mock: { result: '["a","b"]' }, inspectionLevel: 'DEBUG' });
    assert.equal(r.status, 'SUCCEEDED');
    assert.deepEqual(r.output, { items: [1, 2], out: ['a', 'b'] });
    assert.deepEqual(r.inspectionData, {
      input: { items: [1, 2] },
      afterInputPath: { items: [1, 2] },
      afterItemsPath: [1, 2],
      maxConcurrency: 2,
      afterResultSelector: ['a', 'b'],
      afterResultPath: { items: [1, 2], out: ['a', 'b'] },
    });
  });

  test('Distributed Map: ItemsPointer into the reader data, ItemSelector, then ItemBatcher are inspected', async () => {
    const def = {
      Type: 'Map',
      ItemReader: { Resource: 'arn:aws:states:::s3:getObject', ReaderConfig: { InputType: 'JSON', ItemsPointer: '/data/rows' }, Parameters: { Bucket: 'b', Key: 'k' } },
      ItemSelector: { 'v.$': '$$.Map.Item.Value' },
      ItemBatcher: { MaxItemsPerBatch: 2, BatchInput: { 'tag.$': '$.tag' } },
      ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' }, StartAt: 'P', States: { P: { Type: 'Pass', End: true } } },
      End: true,
    };
    const r = await testState({
      definition: def,
      input: { tag: 't' },
      mock: { result: '[]' },
      stateConfiguration: { mapItemReaderData: JSON.stringify({ data: { rows: [1, 2, 3] } }) },
      inspectionLevel: 'DEBUG',
    });
    assert.equal(r.status, 'SUCCEEDED', JSON.stringify(r));
    assert.deepEqual(r.inspectionData?.afterItemsPointer, [1, 2, 3]);
    assert.deepEqual(r.inspectionData?.afterItemSelector, [{ v: 1 }, { v: 2 }, { v: 3 }]);
    assert.deepEqual(r.inspectionData?.afterItemBatcher, [
      { BatchInput: { tag: 't' }, Items: [{ v: 1 }, { v: 2 }] },
      { BatchInput: { tag: 't' }, Items: [{ v: 3 }] },
    ]);
  });

  test('mapIterationFailureCount over the tolerated failures fails the Map (Retry applies)', async () => {
    const def = map({ ToleratedFailureCount: 1, Retry: [{ ErrorEquals: ['States.ExceedToleratedFailureThreshold'] }] });
    const ok = await testState({ definition: def, input: { items: [1, 2, 3] }, mock: { result: '[1,2,3]' }, stateConfiguration: { mapIterationFailureCount: 1 } });
    assert.equal(ok.status, 'SUCCEEDED');
    const r = await testState({ definition: def, input: { items: [1, 2, 3] }, mock: { result: '[1,2,3]' }, stateConfiguration: { mapIterationFailureCount: 2 }, inspectionLevel: 'DEBUG' });
    assert.equal(r.status, 'RETRIABLE');
    assert.equal(r.error, 'States.ExceedToleratedFailureThreshold');
    assert.equal(r.cause, 'The specified tolerated failure threshold was exceeded');
    assert.deepEqual(r.inspectionData?.errorDetails, { retryIndex: 0, retryBackoffIntervalSeconds: 1 });
    const pct = await testState({ definition: map({ ToleratedFailurePercentage: 50 }), input: { items: [1, 2, 3] }, mock: { result: '[]' }, stateConfiguration: { mapIterationFailureCount: 2 } });
    assert.equal(pct.error, 'States.ExceedToleratedFailureThreshold');
    const none = await testState({ definition: map(), input: { items: [1, 2, 3] }, mock: { result: '[]' }, stateConfiguration: { mapIterationFailureCount: 3 } });
    assert.equal(none.status, 'SUCCEEDED');
  });

  test('a mocked error fails the Map', async () => {
    const r = await testState({ definition: map(), input: { items: [1] }, mock: { errorOutput: { error: 'E', cause: 'C' } }, stateConfiguration: { errorCausedByState: 'Inner' } });
    assert.deepEqual(r, { status: 'FAILED', error: 'E', cause: 'C' });
  });

  test('ItemsPath must select an array', async () => {
    const r = await testState({ definition: map({ ItemsPath: '$$.Execution.Input' }), input: [1], mock: { result: '[]' }, context: { Execution: { Input: { a: 1 } } } });
    assert.deepEqual(r, { status: 'FAILED', error: 'States.Runtime', cause: 'Reference path "$.Execution.Input" must point to array.' });
  });

  test('JSONata Map: Items, limits from expressions, $states.result in Output', async () => {
    const r = await testState({
      definition: {
        Type: 'Map',
        QueryLanguage: 'JSONata',
        Items: '{% $states.input.v %}',
        MaxConcurrency: '{% 1 + 1 %}',
        ToleratedFailurePercentage: 10,
        ItemProcessor: { StartAt: 'I', States: { I: { Type: 'Pass', End: true } } },
        Output: { n: '{% $count($states.result) %}' },
        End: true,
      },
      input: { v: [1, 2] },
      mock: { result: '[1,2,3]' },
      inspectionLevel: 'DEBUG',
    });
    assert.deepEqual(r, { status: 'SUCCEEDED', output: { n: 3 }, inspectionData: { input: { v: [1, 2] }, maxConcurrency: 2, toleratedFailurePercentage: 10 } });
  });

  test('ItemReader data comes from the state configuration', async () => {
    const def = { Type: 'Map', ItemReader: { Resource: 'arn:aws:states:::s3:getObject', Parameters: { Bucket: 'b', Key: 'k' } }, ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' }, StartAt: 'I', States: { I: { Type: 'Pass', End: true } } }, End: true };
    const r = await testState({ definition: def, mock: { result: '[1,4]' }, stateConfiguration: { mapItemReaderData: '[1,2]', mapIterationFailureCount: 0 } });
    assert.deepEqual(r, { status: 'SUCCEEDED', output: [1, 4] });
  });

  const parallel = { Type: 'Parallel', Branches: [{ StartAt: 'A', States: { A: { Type: 'Pass', End: true } } }, { StartAt: 'B', States: { B: { Type: 'Pass', End: true } } }], Next: 'After' };

  test('the mock is the Parallel result', async () => {
    const r = await testState({ definition: { ...parallel, ResultPath: '$.r' }, input: { x: 1 }, mock: { result: '[1, 2]' }, inspectionLevel: 'DEBUG' });
    assert.deepEqual(r, {
      status: 'SUCCEEDED',
      output: { x: 1, r: [1, 2] },
      nextState: 'After',
      inspectionData: { input: { x: 1 }, afterResultSelector: [1, 2], afterResultPath: { x: 1, r: [1, 2] } },
    });
    const failed = await testState({ definition: parallel, mock: { errorOutput: { error: 'E' } }, stateConfiguration: { errorCausedByState: 'B' } });
    assert.deepEqual(failed, { status: 'FAILED', error: 'E' });
  });

  test('JSONata Parallel: Arguments and Output', async () => {
    const r = await testState({
      definition: { ...parallel, QueryLanguage: 'JSONata', Arguments: '{% $states.input.a %}', Output: { in: '{% $states.input %}', res: '{% $states.result %}' } },
      input: { a: 1 },
      mock: { result: '[{"x":1},{"y":2}]' },
    });
    assert.deepEqual(r.output, { in: { a: 1 }, res: [{ x: 1 }, { y: 2 }] });
  });

  test('mock result shape for Map and Parallel', async () => {
    await rejects({ definition: parallel, mock: { result: '{}' } }, 'ValidationException', 'Mocked result must be an array.');
    await rejects({ definition: parallel, mock: { result: '[1]' } }, 'ValidationException', 'Mocked result must contain the same number of items as number of Parallel branches.');
    await rejects({ definition: map(), mock: { result: '{}' } }, 'ValidationException', 'Mocked result must be an array.');
    const writer = { ResultWriter: { Resource: 'arn:aws:states:::s3:putObject', Parameters: { Bucket: 'b', Prefix: 'p' } } };
    const distributed = { ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED' }, StartAt: 'Inner', States: { Inner: { Type: 'Pass', End: true } } } };
    await rejects({ definition: map({ ...writer, ...distributed }), mock: { result: '[]' } }, 'ValidationException', 'Mocked result must be a JSON object.');
    // An inline Map cannot have a ResultWriter: the definition is refused.
    await rejects({ definition: map(writer), mock: { result: '[]' } }, 'InvalidDefinition', /ResultWriter/);
  });
});

describe('TestState: a state picked from a state machine', () => {
  const machine = {
    StartAt: 'First',
    States: {
      First: { Type: 'Pass', QueryLanguage: 'JSONata', Output: '{% $states.input.a %}', Next: 'Loop' },
      Loop: {
        Type: 'Map',
        ItemProcessor: { StartAt: 'Inner', States: { Inner: { Type: 'Pass', Parameters: { 'v.$': '$.a' }, End: true } } },
        End: true,
      },
    },
  };

  test('runs the named state (also one inside a Map) in its query language', async () => {
    assert.deepEqual(await testState({ definition: machine, stateName: 'First', input: { a: 5 } }), { status: 'SUCCEEDED', output: 5, nextState: 'Loop' });
    const inner = await testState({ definition: machine, stateName: 'Inner', input: { a: 5 }, inspectionLevel: 'DEBUG' });
    assert.deepEqual(inner.output, { v: 5 });
    assert.deepEqual(inner.inspectionData?.afterParameters, { v: 5 });
  });

  test('an unknown state name', async () => {
    await rejects({ definition: machine, stateName: 'Nope' }, 'ValidationException', 'State not found in definition');
  });

  test('the machine must be valid', async () => {
    await rejects({ definition: { StartAt: 'A', States: { A: { Type: 'Pass', Next: 'Missing' } } }, stateName: 'A' }, 'InvalidDefinition', /MISSING_TRANSITION_TARGET/);
  });
});

describe('TestState: request checks', () => {
  test('Map and Parallel need a mock', async () => {
    await rejects(
      { definition: { Type: 'Parallel', Branches: [{ StartAt: 'A', States: { A: { Type: 'Pass', End: true } } }], End: true } },
      'InvalidDefinition',
      'TestState API does not support Map or Parallel states. Supported state types include: [Task, Wait, Pass, Succeed, Fail, Choice]',
    );
  });

  test('Pass, Fail and Succeed take no mock', async () => {
    await rejects({ definition: { Type: 'Succeed' }, mock: { result: '{}' } }, 'ValidationException', "State type 'Succeed' is not supported when a mock is specified");
  });

  test('mock fields', async () => {
    const def = lambdaTask();
    await rejects({ definition: def, mock: { result: '{}', errorOutput: { error: 'E' } } }, 'ValidationException', 'A test mock should have only one of the following fields: [result, errorOutput].');
    await rejects({ definition: def, mock: { result: 'not JSON', fieldValidationMode: 'NONE' } }, 'ValidationException', 'Mocked result must be valid JSON');
    await rejects({ definition: def, mock: { result: '{}' }, revealSecrets: true }, 'ValidationException', 'TestState does not support RevealSecrets when a mock is specified.');
    await rejects({ definition: def, mock: { result: '{"StatusCode": "200"}' } }, 'ValidationException', "Mock result schema validation error: Field 'StatusCode' must be a number");
  });

  test('a Task without a mock needs a role', async () => {
    await rejects({ definition: lambdaTask() }, 'ValidationException', 'RoleArn must be specified when testing a Task state');
  });

  test('a single state may point to states it does not contain', async () => {
    const r = await testState({ definition: { Type: 'Pass', Next: 'Elsewhere' }, input: 1 });
    assert.deepEqual(r, { status: 'SUCCEEDED', output: 1, nextState: 'Elsewhere' });
  });

  test('a supplied context object is checked', async () => {
    const def = lambdaTask();
    const mock = { result: '{}' };
    const bad = (context: Json) => rejects({ definition: def, mock, context }, 'ValidationException', /^Invalid Context object provided: /);
    await rejects({ definition: def, mock, context: { Execution: { Id: 1 } } }, 'ValidationException', 'Invalid Context object provided: Execution.Id must be a string');
    await rejects({ definition: def, mock, context: { Map: {} } }, 'ValidationException', "Invalid Context object provided: 'Map' field is not supported when mocking a Context object");
    await rejects({ definition: def, mock, context: { Execution: { pokemon: 1 } } }, 'ValidationException', "Invalid Context object provided: Field 'pokemon' is not allowed");
    await rejects({ definition: def, mock, context: { Pokedex: {} } }, 'ValidationException', "Invalid Context object provided: Field 'Pokedex' is not allowed");
    await bad({ Task: { Token: 't' } });
  });

  test('a token task sees the supplied Task.Token', async () => {
    const def = {
      Type: 'Task',
      Resource: 'arn:aws:states:::sqs:sendMessage.waitForTaskToken',
      Parameters: { QueueUrl: 'q', MessageBody: { 'TaskToken.$': '$$.Task.Token' } },
      ResultPath: '$.SQS',
      Next: 'N',
    };
    const r = await testState({ definition: def, context: { Task: { Token: 'abcd' } }, mock: { result: '{"ok":1}' }, inspectionLevel: 'DEBUG' });
    assert.deepEqual(r.output, { SQS: { ok: 1 } });
    assert.deepEqual(r.inspectionData?.afterParameters, { QueueUrl: 'q', MessageBody: { TaskToken: 'abcd' } });
    await rejects({ definition: def, roleArn: ROLE }, 'ValidationException', /only when a mock is specified/);
  });

  test('stateName picks a state of a state machine only', async () => {
    await rejects({ definition: { Type: 'Succeed' }, stateName: 'Succeed' }, 'ValidationException', 'State not found in definition');
  });

  test('field constraints', async () => {
    await rejects({ definition: { Type: 'Succeed' }, stateName: '' }, 'ValidationException', /at 'stateName' failed to satisfy constraint/);
    await rejects({ definition: { Type: 'Succeed' }, inspectionLevel: 'ALL' }, 'ValidationException', /enum value set: \[INFO, DEBUG, TRACE\]/);
    assert.throws(() => parseTestStateRequest({ definition: '{"Type": "Succeed"}', input: '{' }), (e: unknown) => e instanceof TestStateRequestError && e.code === 'InvalidExecutionInput');
  });
});
