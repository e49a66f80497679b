/**
 * E2E through the real server with @aws-sdk/client-sfn: the context object (`$states.context` in JSONata,
 * `$$` in JSONPath) of Standard executions, Express executions started with StartExecution, and Express
 * executions started with StartSyncExecution, with the fields, names and values AWS gives each.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateStateMachineCommand, StartExecutionCommand, StartSyncExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { ROLE, startTestServer, uniqueName, waitForEnd, type TestServer } from './helpers.js';

let srv: TestServer;
let c: SFNClient;
before(async () => {
  srv = await startTestServer();
  c = srv.client;
});
after(() => srv.close());

const JSONATA = JSON.stringify({
  QueryLanguage: 'JSONata',
  StartAt: 'QueryValues1',
  States: {
    QueryValues1: { Type: 'Pass', Output: '{% $merge([$states.input, {"first": $states.context}]) %}', Next: 'QueryValues2' },
    QueryValues2: { Type: 'Pass', Output: '{% $merge([$states.input, {"second": $states.context}]) %}', End: true },
  },
});
const JSONPATH = JSON.stringify({
  StartAt: 'QueryValues1',
  States: { QueryValues1: { Type: 'Pass', Parameters: { 'context.$': '$$' }, End: true } },
});

async function machine(definition: string, type: 'STANDARD' | 'EXPRESS'): Promise<{ arn: string; name: string }> {
  const name = uniqueName('ctx');
  const r = await c.send(new CreateStateMachineCommand({ name, definition, roleArn: ROLE, type }));
  return { arn: r.stateMachineArn!, name };
}

const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** Checks one context object against the execution it belongs to. */
function checkContext(ctx: Record<string, any>, exec: { arn: string; name: string; sm: { arn: string; name: string }; start: Date }, state: string, redrive: boolean) {
  assert.deepEqual(Object.keys(ctx).sort(), ['Execution', 'State', 'StateMachine']);
  const execKeys = ['Id', 'Input', 'Name', 'RoleArn', 'StartTime', ...(redrive ? ['RedriveCount'] : [])].sort();
  assert.deepEqual(Object.keys(ctx.Execution).sort(), execKeys);
  assert.equal(ctx.Execution.Id, exec.arn);
  assert.deepEqual(ctx.Execution.Input, { message: 'TestMessage' });
  assert.equal(ctx.Execution.Name, exec.name);
  assert.equal(ctx.Execution.RoleArn, ROLE);
  assert.match(ctx.Execution.StartTime, ISO_MS);
  assert.equal(Date.parse(ctx.Execution.StartTime), exec.start.getTime());
  if (redrive) assert.equal(ctx.Execution.RedriveCount, 0);
  assert.deepEqual(ctx.StateMachine, { Id: exec.sm.arn, Name: exec.sm.name });
  assert.deepEqual(Object.keys(ctx.State).sort(), ['EnteredTime', 'Name']);
  assert.equal(ctx.State.Name, state);
  assert.match(ctx.State.EnteredTime, ISO_MS);
  assert.ok(Date.parse(ctx.State.EnteredTime) >= exec.start.getTime());
}

describe('the context object', () => {
  const input = JSON.stringify({ message: 'TestMessage' });

  it('StartSyncExecution (Express): Execution has Id, Input, Name, RoleArn and StartTime, and no RedriveCount', async () => {
    for (const def of [JSONATA, JSONPATH]) {
      const sm = await machine(def, 'EXPRESS');
      const r = await c.send(new StartSyncExecutionCommand({ stateMachineArn: sm.arn, input }));
      assert.equal(r.status, 'SUCCEEDED', r.cause);
      const out = JSON.parse(r.output!);
      const exec = { arn: r.executionArn!, name: r.name!, sm, start: r.startDate! };
      if (def === JSONATA) {
        assert.equal(out.message, 'TestMessage');
        checkContext(out.first, exec, 'QueryValues1', false);
        checkContext(out.second, exec, 'QueryValues2', false);
      } else checkContext(out.context, exec, 'QueryValues1', false);
    }
  });

  it('StartExecution, Express and Standard: Execution also has RedriveCount 0', async () => {
    for (const type of ['EXPRESS', 'STANDARD'] as const) {
      const sm = await machine(JSONATA, type);
      const name = uniqueName('run');
      const { executionArn } = await c.send(new StartExecutionCommand({ stateMachineArn: sm.arn, name, input }));
      const d = await waitForEnd(c, executionArn!);
      assert.equal(d.status, 'SUCCEEDED', d.cause);
      const out = JSON.parse(d.output!);
      const exec = { arn: executionArn!, name, sm, start: d.startDate! };
      checkContext(out.first, exec, 'QueryValues1', true);
      checkContext(out.second, exec, 'QueryValues2', true);
    }
  });
});
