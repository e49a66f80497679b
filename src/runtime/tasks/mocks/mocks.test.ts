/**
 * The mock layer through the library (`StateMachine` with `mocks` and a test case per run): AWS's
 * documented example, and every kind of Task resource mocked with the history a real task gives.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DOCS_DEFINITION, DOCS_MOCK_CONFIG } from '../../../e2e/mocks-docs-example.js';
import { StateMachine, type ExecutionResult } from '../../../library/state-machine.js';
import type { Json } from '../../../shared/json.js';
import type { TaskInvoker } from '../types.js';

const types = (r: ExecutionResult) => r.events.map((e) => e.type);
/** The events between a state's StateEntered and StateExited (the first time it is entered). */
function eventsOf(r: ExecutionResult, state: string) {
  const start = r.events.findIndex((e) => e.type.endsWith('StateEntered') && e.details?.name === state);
  const end = r.events.findIndex((e, i) => i > start && e.type.endsWith('StateExited') && e.details?.name === state);
  return r.events.slice(start + 1, end < 0 ? undefined : end);
}

describe('mocked service integrations (library)', () => {
  const docs = () => new StateMachine(DOCS_DEFINITION, { name: 'LambdaSQSIntegration', mocks: DOCS_MOCK_CONFIG, waitTimeScale: 0 });

  it('HappyPath: both states answer from their mocked responses; Lambda’s result is SQSState’s input', async () => {
    const r = await docs().run({}, { testCase: 'HappyPath' });
    assert.equal(r.status, 'SUCCEEDED');
    const sqs = DOCS_MOCK_CONFIG.MockedResponses.MockedSQSSuccess['0'].Return;
    const lambda = DOCS_MOCK_CONFIG.MockedResponses.MockedLambdaSuccess['0'].Return;
    assert.deepEqual(r.output, sqs);
    assert.deepEqual(
      eventsOf(r, 'LambdaState').map((e) => [e.type, e.details?.resourceType, e.details?.resource]),
      [
        ['TaskScheduled', 'lambda', 'invoke'],
        ['TaskStarted', 'lambda', 'invoke'],
        ['TaskSucceeded', 'lambda', 'invoke'],
      ],
    );
    assert.deepEqual(eventsOf(r, 'LambdaState')[2]!.details?.output, lambda);
    const entered = r.events.find((e) => e.type === 'TaskStateEntered' && e.details?.name === 'SQSState')!;
    assert.deepEqual(entered.details?.input, lambda);
    const sqsEvents = eventsOf(r, 'SQSState');
    assert.deepEqual(sqsEvents[0]!.details?.parameters, { QueueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/myQueue', MessageBody: lambda });
    assert.deepEqual(sqsEvents.at(-1)!.details, { resourceType: 'sqs', resource: 'sendMessage', output: sqs, outputDetails: { truncated: false } });
  });

  it('RetryPath: invocation 0, then 1-2 fail (retried), invocation 3 succeeds', async () => {
    const r = await docs().run({}, { testCase: 'RetryPath' });
    assert.equal(r.status, 'SUCCEEDED');
    const lambda = eventsOf(r, 'LambdaState');
    assert.deepEqual(
      lambda.filter((e) => e.type === 'TaskFailed').map((e) => [e.details?.error, e.details?.cause]),
      [
        ['Lambda.ResourceNotReadyException', 'Lambda resource is not ready.'],
        ['Lambda.TimeoutException', 'Lambda timed out.'],
        ['Lambda.TimeoutException', 'Lambda timed out.'],
      ],
    );
    assert.equal(lambda.filter((e) => e.type === 'TaskScheduled').length, 4);
    assert.equal(lambda.at(-1)!.type, 'TaskSucceeded');
    assert.deepEqual(r.output, DOCS_MOCK_CONFIG.MockedResponses.MockedSQSSuccess['0'].Return);
  });

  it('HybridPath: an unmocked state calls the real integration', async () => {
    const calls: Json[] = [];
    const sendMessage: TaskInvoker = {
      invoke(cmd, _ctx, cb) {
        calls.push(cmd.input);
        cb.succeeded({ MessageId: 'from-the-integration' });
      },
    };
    const sm = new StateMachine(DOCS_DEFINITION, { name: 'LambdaSQSIntegration', mocks: DOCS_MOCK_CONFIG, services: { 'sqs:sendMessage': sendMessage }, waitTimeScale: 0 });
    const r = await sm.run({}, { testCase: 'HybridPath' });
    assert.equal(r.status, 'SUCCEEDED');
    assert.deepEqual(r.output, { MessageId: 'from-the-integration' });
    assert.deepEqual(calls, [{ QueueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/myQueue', MessageBody: DOCS_MOCK_CONFIG.MockedResponses.MockedLambdaSuccess['0'].Return }]);
    // Without a test case nothing is mocked: the Lambda function does not exist here.
    const plain = await sm.run({});
    assert.equal(plain.status, 'FAILED');
    assert.match(plain.cause ?? '', /HelloWorldFunction/);
  });

  it('an invocation the mocked response has no answer for fails the execution (States.Runtime)', async () => {
    const mocks = { StateMachines: { M: { TestCases: { T: { LambdaState: 'Once' } } } }, MockedResponses: { Once: { '0': { Throw: { Error: 'Boom', Cause: 'first' } } } } };
    const r = await new StateMachine(DOCS_DEFINITION, { name: 'M', mocks, waitTimeScale: 0 }).run({}, { testCase: 'T' });
    assert.equal(r.status, 'FAILED');
    assert.equal(r.error, 'States.Runtime');
    assert.match(r.cause ?? '', /The mocked response 'Once' of test case 'T' has no answer for invocation 1 of state 'LambdaState'/);
  });

  it('an unknown test case, or one without mocks, is refused when the run starts', () => {
    assert.throws(() => docs().start({}, { testCase: 'SadPath' }), /defines no test case 'SadPath' for the state machine 'LambdaSQSIntegration' \(it defines: HappyPath, RetryPath, HybridPath\)/);
    assert.throws(() => new StateMachine(DOCS_DEFINITION, { name: 'Other', mocks: DOCS_MOCK_CONFIG }).start({}, { testCase: 'HappyPath' }), /no test cases for the state machine 'Other'/);
    assert.throws(() => new StateMachine(DOCS_DEFINITION).start({}, { testCase: 'HappyPath' }), /no mocks option/);
  });

  it('any resource: Lambda ARNs, activities, .sync and .waitForTaskToken, HTTP and ECS; Throw goes to Catch', async () => {
    const def = {
      StartAt: 'Fn',
      States: {
        Fn: { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:123456789012:function:nowhere', Next: 'Act' },
        Act: { Type: 'Task', Resource: 'arn:aws:states:us-east-1:123456789012:activity:nobody', Next: 'Cb' },
        Cb: { Type: 'Task', Resource: 'arn:aws:states:::sqs:sendMessage.waitForTaskToken', Parameters: { QueueUrl: 'q', MessageBody: { 'token.$': '$$.Task.Token' } }, Next: 'Job' },
        Job: { Type: 'Task', Resource: 'arn:aws:states:::ecs:runTask.sync', Parameters: { TaskDefinition: 'td' }, Next: 'Http' },
        Http: { Type: 'Task', Resource: 'arn:aws:states:::http:invoke', Parameters: { ApiEndpoint: 'https://example.invalid', Method: 'GET' }, Catch: [{ ErrorEquals: ['States.Http.StatusCode.500'], Next: 'Caught' }], End: true },
        Caught: { Type: 'Pass', End: true },
      },
    };
    const mocks = {
      StateMachines: { Any: { TestCases: { All: { Fn: 'R1', Act: 'R2', Cb: 'R3', Job: 'R4', Http: 'H500' } } } },
      MockedResponses: {
        R1: { '0': { Return: { fn: 1 } } },
        R2: { '0': { Return: { act: 2 } } },
        R3: { '0': { Return: { approved: true } } },
        R4: { '0': { Return: { Containers: [{ ExitCode: 0 }] } } },
        H500: { '0': { Throw: { Error: 'States.Http.StatusCode.500', Cause: 'server error' } } },
      },
    };
    const waited: string[] = [];
    const r = await new StateMachine(def, { name: 'Any', mocks }).run({}, { testCase: 'All', onWaiting: (t) => waited.push(t.stateName) });
    assert.equal(r.status, 'SUCCEEDED');
    assert.deepEqual(waited, [], 'a mocked task waits for no token');
    assert.deepEqual(r.output, { Error: 'States.Http.StatusCode.500', Cause: 'server error' });
    assert.deepEqual(eventsOf(r, 'Fn').map((e) => e.type), ['LambdaFunctionScheduled', 'LambdaFunctionStarted', 'LambdaFunctionSucceeded']);
    assert.deepEqual(eventsOf(r, 'Act').map((e) => e.type), ['ActivityScheduled', 'ActivityStarted', 'ActivitySucceeded']);
    assert.deepEqual(eventsOf(r, 'Cb').map((e) => e.type), ['TaskScheduled', 'TaskStarted', 'TaskSubmitted', 'TaskSucceeded']);
    assert.deepEqual(eventsOf(r, 'Cb').at(-1)!.details?.output, { approved: true });
    assert.deepEqual(eventsOf(r, 'Job').map((e) => [e.type, e.details?.resource]), [
      ['TaskScheduled', 'runTask.sync'],
      ['TaskStarted', 'runTask.sync'],
      ['TaskSubmitted', 'runTask.sync'],
      ['TaskSucceeded', 'runTask.sync'],
    ]);
    assert.deepEqual(eventsOf(r, 'Http').map((e) => [e.type, e.details?.error]), [
      ['TaskScheduled', undefined],
      ['TaskStarted', undefined],
      ['TaskFailed', 'States.Http.StatusCode.500'],
    ]);
    assert.ok(types(r).includes('PassStateEntered'));
  });

  it('Map iterations count as invocations of their states, in order with MaxConcurrency 1', async () => {
    const def = {
      StartAt: 'Each',
      States: {
        Each: {
          Type: 'Map',
          MaxConcurrency: 1,
          ItemProcessor: { StartAt: 'Work', States: { Work: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: 'f' }, OutputPath: '$.Payload', End: true } } },
          End: true,
        },
      },
    };
    const mocks = { StateMachines: { M: { TestCases: { T: { Work: 'Seq' } } } }, MockedResponses: { Seq: { '0-1': { Return: { Payload: 'a' } }, '2': { Return: { Payload: 'b' } } } } };
    const r = await new StateMachine(def, { name: 'M', mocks }).run([1, 2, 3], { testCase: 'T' });
    assert.equal(r.status, 'SUCCEEDED');
    assert.deepEqual(r.output, ['a', 'a', 'b']);
  });
});
