/**
 * TestState end to end: the real server (`startServer`, port 0) called through @aws-sdk/client-sfn.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { SFNClient, TestStateCommand, type TestStateCommandInput } from '@aws-sdk/client-sfn';
import { startServer } from '../cli/serve.js';

const ROLE = 'arn:aws:iam::123456789012:role/test-role';

describe('TestState through the API server', () => {
  let stop: () => Promise<void>;
  let client: SFNClient;
  let functionsDir: string;

  before(async () => {
    functionsDir = mkdtempSync(join(tmpdir(), 'stepwise-teststate-'));
    writeFileSync(join(functionsDir, 'double.mjs'), 'export const handler = async (event) => ({ doubled: event.n * 2 });\n');
    const { server, port } = await startServer({ port: 0, host: '127.0.0.1', region: 'us-east-1', accountId: '123456789012', functionsDir }, () => {});
    stop = () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    client = new SFNClient({
      endpoint: `http://127.0.0.1:${port}`,
      region: 'us-east-1',
      // TestState is sent to sync-<host> by default, as on AWS.
      disableHostPrefix: true,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
  });

  after(async () => {
    client.destroy();
    await stop();
    rmSync(functionsDir, { recursive: true, force: true });
  });

  const call = async (input: Omit<TestStateCommandInput, 'definition'> & { definition: object }) => {
    const out = await client.send(new TestStateCommand({ ...input, definition: JSON.stringify(input.definition) }));
    const { $metadata: _, ...rest } = out;
    return rest;
  };

  test('a Pass state with its inspection data as JSON text', async () => {
    const out = await call({
      definition: { Type: 'Pass', InputPath: '$.in', Parameters: { 'x.$': '$.v' }, ResultPath: '$.r', Next: 'After' },
      input: JSON.stringify({ in: { v: 1 } }),
      inspectionLevel: 'DEBUG',
    });
    assert.deepEqual(out, {
      status: 'SUCCEEDED',
      output: '{"in":{"v":1},"r":{"x":1}}',
      nextState: 'After',
      inspectionData: {
        input: '{"in":{"v":1}}',
        afterInputPath: '{"v":1}',
        afterParameters: '{"x":1}',
        afterResultSelector: '{"x":1}',
        afterResultPath: '{"in":{"v":1},"r":{"x":1}}',
      },
    });
  });

  test('a Task with a mocked error that its Catch handles', async () => {
    const out = await call({
      definition: {
        Type: 'Task',
        QueryLanguage: 'JSONata',
        Resource: 'arn:aws:states:::lambda:invoke',
        Arguments: { FunctionName: 'f' },
        Catch: [{ ErrorEquals: ['States.ALL'], Output: '{% $states.errorOutput %}', Next: 'Handler' }],
        End: true,
      },
      mock: { errorOutput: { error: 'Oops', cause: 'broken' } },
      inspectionLevel: 'TRACE',
    });
    assert.equal(out.status, 'CAUGHT_ERROR');
    assert.equal(out.nextState, 'Handler');
    assert.deepEqual(JSON.parse(out.output!), { Error: 'Oops', Cause: 'broken' });
    assert.deepEqual(out.inspectionData?.errorDetails, { catchIndex: 0 });
  });

  test('a Map state whose iterations failed beyond its tolerance is RETRIABLE', async () => {
    const out = await call({
      definition: {
        Type: 'Map',
        ToleratedFailureCount: 0,
        ItemProcessor: { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } },
        Retry: [{ ErrorEquals: ['States.ExceedToleratedFailureThreshold'], IntervalSeconds: 4 }],
        End: true,
      },
      input: '[1, 2]',
      mock: { result: '[1, 2]' },
      stateConfiguration: { mapIterationFailureCount: 1 },
      inspectionLevel: 'DEBUG',
    });
    assert.equal(out.status, 'RETRIABLE');
    assert.equal(out.error, 'States.ExceedToleratedFailureThreshold');
    assert.deepEqual(out.inspectionData?.errorDetails, { retryIndex: 0, retryBackoffIntervalSeconds: 4 });
    assert.equal(out.inspectionData?.maxConcurrency, 0);
    assert.equal(out.inspectionData?.toleratedFailureCount, 0);
  });

  test('a state picked from a state machine, with variables', async () => {
    const out = await call({
      definition: { StartAt: 'A', States: { A: { Type: 'Pass', Next: 'B' }, B: { Type: 'Pass', QueryLanguage: 'JSONata', Output: '{% $greeting %}', End: true } } },
      stateName: 'B',
      variables: JSON.stringify({ greeting: 'hi' }),
    });
    assert.deepEqual(out, { status: 'SUCCEEDED', output: '"hi"' });
  });

  test('a Task without a mock runs a local function', async () => {
    const out = await call({
      definition: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: 'double', 'Payload.$': '$' }, OutputPath: '$.Payload', End: true },
      input: '{"n": 21}',
      roleArn: ROLE,
    });
    assert.deepEqual(out, { status: 'SUCCEEDED', output: '{"doubled":42}' });
  });

  test("bad requests get AWS's errors", async () => {
    const rejects = async (input: Parameters<typeof call>[0], name: string, message: string | RegExp) => {
      await assert.rejects(call(input), (e: Error) => {
        assert.equal(e.name, name);
        if (typeof message === 'string') assert.equal(e.message, message);
        else assert.match(e.message, message);
        return true;
      });
    };
    await rejects({ definition: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', End: true } }, 'ValidationException', 'RoleArn must be specified when testing a Task state');
    await rejects(
      { definition: { Type: 'Parallel', Branches: [{ StartAt: 'P', States: { P: { Type: 'Pass', End: true } } }], End: true } },
      'InvalidDefinition',
      'TestState API does not support Map or Parallel states. Supported state types include: [Task, Wait, Pass, Succeed, Fail, Choice]',
    );
    await rejects({ definition: { StartAt: 'A', States: { A: { Type: 'Succeed' } } }, stateName: 'Z' }, 'ValidationException', 'State not found in definition');
    await rejects({ definition: { Type: 'Pass', End: true }, mock: { result: '{}' } }, 'ValidationException', "State type 'Pass' is not supported when a mock is specified");
    await rejects({ definition: { Type: 'Nope' } }, 'InvalidDefinition', /^Invalid State Machine Definition: /);
  });
});
