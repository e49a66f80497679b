/**
 * E2E through the real server with @aws-sdk/client-sfn: StartExecution, DescribeExecution, ListExecutions,
 * GetExecutionHistory (pagination, reverseOrder, includeExecutionData), StopExecution,
 * DescribeStateMachineForExecution, and Express machines with StartSyncExecution.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  DescribeStateMachineForExecutionCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  StartExecutionCommand,
  StartSyncExecutionCommand,
  StopExecutionCommand,
  type HistoryEvent,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import { passDefinition, rejectsAws, ROLE, smArn, startTestServer, uniqueName, waitForEnd, type TestServer } from './helpers.js';

let srv: TestServer;
let c: SFNClient;
before(async () => {
  srv = await startTestServer();
  c = srv.client;
});
after(() => srv.close());

const CHAIN = JSON.stringify({
  StartAt: 'A',
  States: {
    A: { Type: 'Pass', Result: { step: 'a' }, ResultPath: '$.a', Next: 'B' },
    B: { Type: 'Pass', Result: { step: 'b' }, ResultPath: '$.b', Next: 'C' },
    C: { Type: 'Pass', End: true },
  },
});
const WAIT = JSON.stringify({ StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 60, End: true } } });
const FAIL = JSON.stringify({ StartAt: 'F', States: { F: { Type: 'Fail', Error: 'Custom.Error', Cause: 'it broke' } } });

async function machine(definition: string, type: 'STANDARD' | 'EXPRESS' = 'STANDARD'): Promise<string> {
  const r = await c.send(new CreateStateMachineCommand({ name: uniqueName('exec'), definition, roleArn: ROLE, type }));
  return r.stateMachineArn!;
}

describe('StartExecution / DescribeExecution', () => {
  it('runs an execution and describes it as AWS does', async () => {
    const sm = await machine(CHAIN);
    const name = uniqueName('run');
    const started = await c.send(new StartExecutionCommand({ stateMachineArn: sm, name, input: '{"x": 1}' }));
    assert.equal(started.executionArn, sm.replace(':stateMachine:', ':execution:') + `:${name}`);
    assert.ok(started.startDate instanceof Date);
    const d = await waitForEnd(c, started.executionArn!);
    assert.equal(d.status, 'SUCCEEDED');
    assert.equal(d.name, name);
    assert.equal(d.stateMachineArn, sm);
    assert.equal(d.input, '{"x": 1}');
    assert.deepEqual(d.inputDetails, { included: true });
    assert.deepEqual(JSON.parse(d.output!), { x: 1, a: { step: 'a' }, b: { step: 'b' } });
    assert.deepEqual(d.outputDetails, { included: true });
    assert.ok(d.stopDate instanceof Date && d.stopDate >= d.startDate!);
    assert.equal(d.redriveCount, 0);
    assert.equal(d.redriveStatus, 'NOT_REDRIVABLE');
    assert.equal(d.redriveStatusReason, 'Execution is SUCCEEDED and cannot be redriven');
    assert.equal(d.error, undefined);

    const meta = await c.send(new DescribeExecutionCommand({ executionArn: started.executionArn, includedData: 'METADATA_ONLY' }));
    assert.equal(meta.input, undefined);
    assert.equal(meta.output, undefined);

    // Closed execution of the same name: ExecutionAlreadyExists.
    await rejectsAws(
      c.send(new StartExecutionCommand({ stateMachineArn: sm, name, input: '{"x": 1}' })),
      'ExecutionAlreadyExists',
      `Execution Already Exists: '${started.executionArn}'`,
    );
  });

  it('is idempotent for a running execution with the same name and input', async () => {
    const sm = await machine(WAIT);
    const name = uniqueName('idem');
    const a = await c.send(new StartExecutionCommand({ stateMachineArn: sm, name, input: '{}' }));
    const b = await c.send(new StartExecutionCommand({ stateMachineArn: sm, name, input: '{}' }));
    assert.equal(b.executionArn, a.executionArn);
    assert.equal(b.startDate?.getTime(), a.startDate?.getTime());
    await rejectsAws(c.send(new StartExecutionCommand({ stateMachineArn: sm, name, input: '{"other": true}' })), 'ExecutionAlreadyExists');
    await c.send(new StopExecutionCommand({ executionArn: a.executionArn }));
  });

  it('reports a failed execution with its error and cause', async () => {
    const sm = await machine(FAIL);
    const { executionArn } = await c.send(new StartExecutionCommand({ stateMachineArn: sm }));
    const d = await waitForEnd(c, executionArn!);
    assert.equal(d.status, 'FAILED');
    assert.equal(d.error, 'Custom.Error');
    assert.equal(d.cause, 'it broke');
    assert.equal(d.output, undefined);
    assert.equal(d.redriveStatus, 'REDRIVABLE');
  });

  it('rejects bad input and unknown targets with AWS errors', async () => {
    const sm = await machine(CHAIN);
    await rejectsAws(
      c.send(new StartExecutionCommand({ stateMachineArn: sm, input: 'not json' })),
      'InvalidExecutionInput',
      "Invalid State Machine Execution Input: 'Unrecognized token 'not': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')'",
    );
    await rejectsAws(
      c.send(new StartExecutionCommand({ stateMachineArn: sm, input: "{'a': 1}" })),
      'InvalidExecutionInput',
      "Invalid State Machine Execution Input: 'Unexpected character (''' (code 39)): was expecting double-quote to start field name'",
    );
    await rejectsAws(c.send(new StartExecutionCommand({ stateMachineArn: sm, input: '' })), 'InvalidExecutionInput', "Invalid State Machine Execution Input: 'Invalid execution input.'");
    await rejectsAws(c.send(new StartExecutionCommand({ stateMachineArn: sm, name: 'bad name' })), 'InvalidName', "Invalid Name: 'bad name'");
    const missing = smArn(uniqueName('nope'));
    await rejectsAws(c.send(new StartExecutionCommand({ stateMachineArn: missing })), 'StateMachineDoesNotExist', `State Machine Does Not Exist: '${missing}'`);
    await rejectsAws(c.send(new DescribeExecutionCommand({ executionArn: 'invalid_arn' })), 'InvalidArn', "Invalid Arn: 'Invalid ARN prefix: invalid_arn'");
    const noExec = `${sm.replace(':stateMachine:', ':execution:')}:never`;
    await rejectsAws(c.send(new DescribeExecutionCommand({ executionArn: noExec })), 'ExecutionDoesNotExist', `Execution Does Not Exist: '${noExec}'`);
    // JSON scalars are valid inputs.
    const pass = await machine(passDefinition());
    for (const input of ['1', '"text"', 'null', '[1,2]']) {
      const { executionArn } = await c.send(new StartExecutionCommand({ stateMachineArn: pass, input }));
      const d = await waitForEnd(c, executionArn!);
      assert.equal(d.status, 'SUCCEEDED');
      assert.deepEqual(JSON.parse(d.output!), JSON.parse(input));
    }
  });
});

describe('ListExecutions', () => {
  it('lists newest first, filters by status, and pages', async () => {
    const sm = await machine(CHAIN);
    const arns: string[] = [];
    for (let i = 0; i < 5; i++) {
      const { executionArn } = await c.send(new StartExecutionCommand({ stateMachineArn: sm, name: `e${i}` }));
      await waitForEnd(c, executionArn!);
      arns.push(executionArn!);
    }
    const all = await c.send(new ListExecutionsCommand({ stateMachineArn: sm }));
    assert.deepEqual(
      all.executions!.map((e) => e.executionArn),
      [...arns].reverse(),
    );
    const first = all.executions![0]!;
    assert.equal(first.status, 'SUCCEEDED');
    assert.equal(first.stateMachineArn, sm);
    assert.equal(first.name, 'e4');
    assert.equal(first.redriveCount, 0);
    assert.ok(first.startDate instanceof Date && first.stopDate instanceof Date);

    const paged: string[] = [];
    let nextToken: string | undefined;
    do {
      const r = await c.send(new ListExecutionsCommand({ stateMachineArn: sm, maxResults: 2, nextToken }));
      paged.push(...r.executions!.map((e) => e.executionArn!));
      nextToken = r.nextToken;
    } while (nextToken);
    assert.deepEqual(paged, [...arns].reverse());

    assert.equal((await c.send(new ListExecutionsCommand({ stateMachineArn: sm, statusFilter: 'SUCCEEDED' }))).executions!.length, 5);
    assert.equal((await c.send(new ListExecutionsCommand({ stateMachineArn: sm, statusFilter: 'RUNNING' }))).executions!.length, 0);
  });

  it('validates its parameters', async () => {
    const sm = await machine(CHAIN);
    await rejectsAws(
      c.send(new ListExecutionsCommand({ stateMachineArn: sm, statusFilter: 'succeeded' as never })),
      'ValidationException',
      "1 validation error detected: Value 'succeeded' at 'statusFilter' failed to satisfy constraint: Member must satisfy enum value set: [SUCCEEDED, TIMED_OUT, PENDING_REDRIVE, ABORTED, FAILED, RUNNING]",
    );
    await rejectsAws(
      c.send(new ListExecutionsCommand({ stateMachineArn: sm, maxResults: 1001 })),
      'ValidationException',
      "1 validation error detected: Value '1001' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000",
    );
    const long = 't'.repeat(3097);
    await rejectsAws(
      c.send(new ListExecutionsCommand({ stateMachineArn: sm, nextToken: long })),
      'ValidationException',
      `1 validation error detected: Value '${long}' at 'nextToken' failed to satisfy constraint: Member must have length less than or equal to 3096`,
    );
    await rejectsAws(c.send(new ListExecutionsCommand({ stateMachineArn: sm, nextToken: 'garbage' })), 'InvalidToken');
    await rejectsAws(c.send(new ListExecutionsCommand({ stateMachineArn: 'invalid_state_machine_arn' })), 'InvalidArn', "Invalid Arn: 'Invalid ARN prefix: invalid_state_machine_arn'");
    const missing = smArn(uniqueName('nope'));
    await rejectsAws(c.send(new ListExecutionsCommand({ stateMachineArn: missing })), 'StateMachineDoesNotExist', `State Machine Does Not Exist: '${missing}'`);
  });
});

describe('GetExecutionHistory', () => {
  const types = (events: HistoryEvent[]) => events.map((e) => e.type);

  it('returns the history, reversed, paged, and without data', async () => {
    const sm = await machine(CHAIN);
    const { executionArn } = await c.send(new StartExecutionCommand({ stateMachineArn: sm, input: '{"k": "v"}' }));
    await waitForEnd(c, executionArn!);
    const full = (await c.send(new GetExecutionHistoryCommand({ executionArn }))).events!;
    assert.deepEqual(types(full), [
      'ExecutionStarted',
      'PassStateEntered',
      'PassStateExited',
      'PassStateEntered',
      'PassStateExited',
      'PassStateEntered',
      'PassStateExited',
      'ExecutionSucceeded',
    ]);
    assert.deepEqual(
      full.map((e) => e.id),
      [1, 2, 3, 4, 5, 6, 7, 8],
    );
    assert.equal(full[0]!.previousEventId, 0);
    assert.ok(full[0]!.timestamp instanceof Date);
    const started = full[0]!.executionStartedEventDetails!;
    assert.deepEqual(JSON.parse(started.input!), { k: 'v' });
    assert.deepEqual(started.inputDetails, { truncated: false });
    assert.equal(started.roleArn, ROLE);
    assert.equal(full[1]!.stateEnteredEventDetails?.name, 'A');

    const reversed = (await c.send(new GetExecutionHistoryCommand({ executionArn, reverseOrder: true }))).events!;
    assert.deepEqual(
      reversed.map((e) => e.id),
      [8, 7, 6, 5, 4, 3, 2, 1],
    );

    for (const reverseOrder of [false, true]) {
      const ids: number[] = [];
      let nextToken: string | undefined;
      let pages = 0;
      do {
        const r = await c.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 3, reverseOrder, nextToken }));
        assert.ok(r.events!.length <= 3);
        ids.push(...r.events!.map((e) => e.id!));
        nextToken = r.nextToken;
        pages++;
      } while (nextToken);
      assert.equal(pages, 3);
      assert.deepEqual(ids, reverseOrder ? [8, 7, 6, 5, 4, 3, 2, 1] : [1, 2, 3, 4, 5, 6, 7, 8]);
    }

    const bare = (await c.send(new GetExecutionHistoryCommand({ executionArn, includeExecutionData: false }))).events!;
    assert.equal(bare[0]!.executionStartedEventDetails?.input, undefined);
    assert.equal(bare[7]!.executionSucceededEventDetails?.output, undefined);
    assert.ok(full[7]!.executionSucceededEventDetails?.output);
  });

  it('reports unknown executions and bad arguments', async () => {
    await rejectsAws(c.send(new GetExecutionHistoryCommand({ executionArn: 'nope' })), 'InvalidArn', "Invalid Arn: 'Invalid ARN prefix: nope'");
    const missing = `arn:aws:states:us-east-1:123456789012:execution:${uniqueName('sm')}:x`;
    await rejectsAws(c.send(new GetExecutionHistoryCommand({ executionArn: missing })), 'ExecutionDoesNotExist', `Execution Does Not Exist: '${missing}'`);
    const sm = await machine(CHAIN);
    const { executionArn } = await c.send(new StartExecutionCommand({ stateMachineArn: sm }));
    await rejectsAws(c.send(new GetExecutionHistoryCommand({ executionArn, nextToken: 'bogus' })), 'InvalidToken');
    await rejectsAws(c.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 5000 })), 'ValidationException', /at 'maxResults' failed to satisfy constraint/);
  });
});

describe('StopExecution', () => {
  it('aborts a running execution with error and cause', async () => {
    const sm = await machine(WAIT);
    const { executionArn } = await c.send(new StartExecutionCommand({ stateMachineArn: sm }));
    const stopped = await c.send(new StopExecutionCommand({ executionArn, error: 'Manual.Stop', cause: 'operator' }));
    assert.ok(stopped.stopDate instanceof Date);
    const d = await c.send(new DescribeExecutionCommand({ executionArn }));
    assert.equal(d.status, 'ABORTED');
    assert.equal(d.error, 'Manual.Stop');
    assert.equal(d.cause, 'operator');
    const events = (await c.send(new GetExecutionHistoryCommand({ executionArn, reverseOrder: true, maxResults: 1 }))).events!;
    assert.equal(events[0]!.type, 'ExecutionAborted');
    assert.deepEqual(events[0]!.executionAbortedEventDetails, { error: 'Manual.Stop', cause: 'operator' });
  });

  it('without error and cause, the aborted event has no details', async () => {
    const sm = await machine(WAIT);
    const { executionArn } = await c.send(new StartExecutionCommand({ stateMachineArn: sm }));
    await c.send(new StopExecutionCommand({ executionArn }));
    const d = await c.send(new DescribeExecutionCommand({ executionArn }));
    assert.equal(d.status, 'ABORTED');
    assert.equal(d.error, undefined);
    assert.equal(d.cause, undefined);
    const last = (await c.send(new GetExecutionHistoryCommand({ executionArn, reverseOrder: true }))).events![0]!;
    assert.deepEqual(last.executionAbortedEventDetails, {});
  });

  it('reports unknown executions', async () => {
    const missing = `arn:aws:states:us-east-1:123456789012:execution:${uniqueName('sm')}:x`;
    await rejectsAws(c.send(new StopExecutionCommand({ executionArn: missing })), 'ExecutionDoesNotExist', `Execution Does Not Exist: '${missing}'`);
  });
});

describe('DescribeStateMachineForExecution', () => {
  it('describes the definition the execution ran', async () => {
    const sm = await machine(CHAIN);
    const { executionArn } = await c.send(new StartExecutionCommand({ stateMachineArn: sm }));
    const d = await c.send(new DescribeStateMachineForExecutionCommand({ executionArn }));
    assert.equal(d.stateMachineArn, sm);
    assert.equal(d.definition, CHAIN);
    assert.equal(d.roleArn, ROLE);
    assert.ok(d.updateDate instanceof Date);
    assert.deepEqual(d.loggingConfiguration, { level: 'OFF', includeExecutionData: false });
    assert.deepEqual(d.tracingConfiguration, { enabled: false });
    assert.equal(d.revisionId, undefined);
  });
});

describe('Express state machines', () => {
  it('StartSyncExecution returns the result (SUCCEEDED and FAILED)', async () => {
    const sm = await machine(passDefinition({ done: true }), 'EXPRESS');
    const r = await c.send(new StartSyncExecutionCommand({ stateMachineArn: sm, name: 'sync1', input: '{"in": 1}' }));
    assert.equal(r.status, 'SUCCEEDED');
    assert.equal(r.output, '{"done":true}');
    assert.deepEqual(r.outputDetails, { included: true });
    assert.equal(r.input, '{"in": 1}');
    assert.equal(r.name, 'sync1');
    assert.equal(r.stateMachineArn, sm);
    assert.match(r.executionArn!, new RegExp(`^${sm.replace(':stateMachine:', ':express:')}:sync1:[0-9a-f-]{36}$`));
    assert.ok(r.billingDetails && r.billingDetails.billedDurationInMilliseconds! >= 100);

    const failing = await machine(FAIL, 'EXPRESS');
    const f = await c.send(new StartSyncExecutionCommand({ stateMachineArn: failing }));
    assert.equal(f.status, 'FAILED');
    assert.equal(f.error, 'Custom.Error');
    assert.equal(f.cause, 'it broke');
    assert.equal(f.output, undefined);
  });

  it('StartExecution gives an express ARN; Standard-only operations refuse Express', async () => {
    const sm = await machine(passDefinition(), 'EXPRESS');
    const { executionArn } = await c.send(new StartExecutionCommand({ stateMachineArn: sm }));
    assert.match(executionArn!, /:express:/);
    await rejectsAws(c.send(new ListExecutionsCommand({ stateMachineArn: sm })), 'StateMachineTypeNotSupported', 'This operation is not supported by this type of state machine');
    const std = await machine(passDefinition());
    await rejectsAws(c.send(new StartSyncExecutionCommand({ stateMachineArn: std })), 'StateMachineTypeNotSupported', 'This operation is not supported by this type of state machine');
  });

  it('rejects callbacks and .sync in Express definitions', async () => {
    const def = JSON.stringify({ StartAt: 'T', States: { T: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken', End: true } } });
    await rejectsAws(
      c.send(new CreateStateMachineCommand({ name: uniqueName('x'), definition: def, roleArn: ROLE, type: 'EXPRESS' })),
      'InvalidDefinition',
      /Express state machine does not support '\.waitForTaskToken'/,
    );
  });
});
