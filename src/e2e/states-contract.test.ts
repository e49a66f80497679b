/**
 * The shared integration contract for `states:startExecution` (nested workflows), run on the real
 * server's engine (memory store), with the child state machines created through the API.
 */
import assert from 'node:assert/strict';
import { CreateStateMachineCommand } from '@aws-sdk/client-sfn';
import type { HistoryEvent } from '../interpreter/history.js';
import type { Json, JsonObject } from '../shared/json.js';
import { historyOf, runIntegrationContract, until, type ContractHost } from '../runtime/tasks/integrations/contract.js';
import { abortedChildCause } from '../runtime/tasks/integrations/states.js';
import { ROLE, smArn, startTestServer, uniqueName, type TestServer } from './helpers.js';

const CHILDREN: Record<string, object> = {
  echo: { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } },
  failing: { StartAt: 'F', States: { F: { Type: 'Fail', Error: 'Child.Failed', Cause: 'the child failed' } } },
  waiting: { StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 1000000, End: true } } },
};
/** The children's ARNs, by their role above. */
const child: Record<string, string> = {};

async function host(): Promise<ContractHost> {
  const server: TestServer = await startTestServer({ db: ':memory:', waitTimeScale: 0.05 });
  for (const [role, definition] of Object.entries(CHILDREN)) {
    const r = await server.client.send(new CreateStateMachineCommand({ name: uniqueName(`contract-${role}`), definition: JSON.stringify(definition), roleArn: ROLE }));
    child[role] = r.stateMachineArn!;
  }
  return { engine: server.running.engine, close: () => server.close() };
}

/** The child a task started, from its TaskSubmitted event (StartExecution's response). */
async function childOf(h: ContractHost, parent: string): Promise<string> {
  const submitted = await until(async () => (await historyOf(h.engine, parent)).find((e) => e.type === 'TaskSubmitted'), 'TaskSubmitted');
  return (submitted.details?.output as { ExecutionArn: string }).ExecutionArn;
}

/** The token a `.waitForTaskToken` child was given in its input. */
async function tokenOf(h: ContractHost, parent: string): Promise<string> {
  const rec = await h.engine.store.getExecution(await childOf(h, parent));
  return (JSON.parse(rec!.input) as { token: string }).token;
}

const start = (suffix: string, role: string, input: Json = { n: 1 }): JsonObject => ({
  Resource: `arn:aws:states:::states:startExecution${suffix}`,
  // The children exist once the host is up; the suite reads the Resource before (for the tests' names).
  Parameters: { StateMachineArn: child[role] ?? `(created by the host): ${role}`, Input: input },
});

/** A `.sync` child is stopped once the task managing it is over, with AWS's cause. */
const childStopped = async (h: ContractHost, parent: string, events: HistoryEvent[]) => {
  const arn = (events.find((e) => e.type === 'TaskSubmitted')!.details?.output as { ExecutionArn: string }).ExecutionArn;
  const rec = await until(async () => {
    const r = await h.engine.store.getExecution(arn);
    return r && r.status !== 'RUNNING' ? r : undefined;
  }, 'the child to be stopped');
  assert.equal(rec.status, 'ABORTED');
  assert.equal(rec.cause, abortedChildCause(parent));
};

const syncCase = (suffix: string, parsed: boolean) => ({
  name: `states:startExecution${suffix}`,
  succeed: {
    fields: () => start(suffix, 'echo'),
    output: (o: Json | undefined) => {
      const d = o as { Status: string; Output: Json; ExecutionArn: string };
      assert.equal(d.Status, 'SUCCEEDED');
      assert.deepEqual(d.Output, parsed ? { n: 1 } : '{"n":1}');
    },
  },
  fail: { fields: () => start(suffix, 'failing'), error: 'States.TaskFailed', cause: /"Error":"Child\.Failed"/ },
  wait: { fields: () => start(suffix, 'waiting'), letGo: childStopped },
});

const answer = (outcome: { k: 'succeeded'; output: Json } | { k: 'failed'; error: string; cause: string }) => async (h: ContractHost, parent: string) => {
  assert.equal(await h.engine.tokens.complete(await tokenOf(h, parent), outcome), true);
};

runIntegrationContract({
  name: 'states:startExecution',
  host,
  cases: [
    {
      name: 'states:startExecution',
      succeed: {
        fields: () => start('', 'echo'),
        output: (o) => {
          const r = o as { ExecutionArn: string; StartDate: number };
          assert.match(r.ExecutionArn, /^arn:aws:states:us-east-1:123456789012:execution:contract-echo-/);
          assert.equal(typeof r.StartDate, 'number');
        },
      },
      fail: { fields: () => ({ ...start('', 'echo'), Parameters: { StateMachineArn: smArn('no-such-machine') } }), error: 'StepFunctions.StateMachineDoesNotExistException', cause: /^State Machine Does Not Exist: / },
    },
    syncCase('.sync', false),
    syncCase('.sync:2', true),
    {
      name: 'states:startExecution.waitForTaskToken',
      succeed: { fields: () => start('.waitForTaskToken', 'echo', { 'token.$': '$$.Task.Token' }), play: answer({ k: 'succeeded', output: { approved: true } }), output: (o) => assert.deepEqual(o, { approved: true }) },
      fail: { fields: () => start('.waitForTaskToken', 'echo', { 'token.$': '$$.Task.Token' }), play: answer({ k: 'failed', error: 'Rejected', cause: 'not today' }), error: 'Rejected', cause: 'not today' },
      wait: {
        fields: () => start('.waitForTaskToken', 'echo', { 'token.$': '$$.Task.Token' }),
        letGo: async (h, parent) => assert.equal(await h.engine.tokens.complete(await tokenOf(h, parent), { k: 'succeeded', output: {} }), false),
      },
    },
  ],
});
