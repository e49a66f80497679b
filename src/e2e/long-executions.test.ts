/**
 * Executions that run long inside one request: a Map processor that can only loop is refused; one that
 * loops until stopped, a Map over 5,000 items and a 2,000-branch Parallel run in bounded steps, so the
 * server keeps answering other requests meanwhile (checked by order of events, not by timings).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateStateMachineCommand, DescribeExecutionCommand, ListStateMachinesCommand, StartExecutionCommand, StopExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { startChildServer, type ChildServer } from './child-server.js';
import { rejectsAws, ROLE, sdkClient, uniqueName, waitForEnd } from './helpers.js';

const distributed = (processor: object) => ({
  StartAt: 'M',
  States: { M: { Type: 'Map', ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' }, ...processor }, End: true } },
});

const passChain = (n: number) => {
  const states: Record<string, object> = {};
  for (let i = 0; i < n; i++) states[`S${i}`] = i < n - 1 ? { Type: 'Pass', Next: `S${i + 1}` } : { Type: 'Pass', End: true };
  return { StartAt: 'S0', States: states };
};

describe('long executions', { timeout: 120_000 }, () => {
  let srv: ChildServer;
  let c: SFNClient;
  before(async () => {
    srv = await startChildServer();
    c = sdkClient(srv.endpoint);
  });
  after(async () => {
    c.destroy();
    await srv.close();
  });

  const create = async (definition: object) =>
    (await c.send(new CreateStateMachineCommand({ name: uniqueName('long'), definition: JSON.stringify(definition), roleArn: ROLE }))).stateMachineArn!;
  const status = async (executionArn: string) => (await c.send(new DescribeExecutionCommand({ executionArn }))).status;

  it('a Distributed Map whose processor has no terminal state is refused', async () => {
    await rejectsAws(
      create(distributed({ StartAt: 'P', States: { P: { Type: 'Pass', Next: 'P' } } })),
      'InvalidDefinition',
      "Invalid State Machine Definition: 'MISSING_END_STATE: Workflow has no terminal state at /States/M/ItemProcessor'",
    );
  });

  it('a processor that loops until stopped: StartExecution answers, other calls answer while it runs, StopExecution ends it', async () => {
    const loop = { StartAt: 'C', States: { C: { Type: 'Choice', Choices: [{ Variable: '$.stop', IsPresent: true, Next: 'E' }], Default: 'P' }, P: { Type: 'Pass', Next: 'C' }, E: { Type: 'Succeed' } } };
    const arn = await create(distributed(loop));
    const { executionArn } = await c.send(new StartExecutionCommand({ stateMachineArn: arn, input: JSON.stringify([1, 2, 3]) }));
    assert.ok((await c.send(new ListStateMachinesCommand({}))).stateMachines!.length >= 1);
    assert.equal(await status(executionArn!), 'RUNNING');
    await c.send(new StopExecutionCommand({ executionArn, error: 'Enough' }));
    const end = await waitForEnd(c, executionArn!);
    assert.equal(end.status, 'ABORTED');
    assert.equal(end.error, 'Enough');
    assert.equal(srv.exit, undefined);
  });

  it('a Map over 5,000 items lets a ping through before it ends, and a 2,000-branch Parallel finishes', async () => {
    const items = Array.from({ length: 5000 }, (_, i) => i);
    const arn = await create(distributed(passChain(10)));
    const { executionArn } = await c.send(new StartExecutionCommand({ stateMachineArn: arn, input: JSON.stringify(items) }));
    await c.send(new ListStateMachinesCommand({}));
    assert.equal(await status(executionArn!), 'RUNNING', 'the ping was answered only after the execution had ended');
    const end = await waitForEnd(c, executionArn!, 90_000);
    assert.equal(end.status, 'SUCCEEDED', end.cause);
    assert.deepEqual(JSON.parse(end.output!), items);

    const branches = Array.from({ length: 2000 }, (_, i) => ({ StartAt: `B${i}`, States: { [`B${i}`]: { Type: 'Pass', Result: i, End: true } } }));
    const par = await create({ StartAt: 'X', States: { X: { Type: 'Parallel', Branches: branches, End: true } } });
    const started = await c.send(new StartExecutionCommand({ stateMachineArn: par, input: '{}' }));
    await c.send(new ListStateMachinesCommand({}));
    const pend = await waitForEnd(c, started.executionArn!, 90_000);
    assert.equal(pend.status, 'SUCCEEDED', pend.cause);
    assert.equal(JSON.parse(pend.output!).length, 2000);
    assert.equal(srv.exit, undefined);
  });
});
