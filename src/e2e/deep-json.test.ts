/**
 * JSON nested deeper than AWS reads (Jackson's 1000 levels) is refused up front with AWS's error shape,
 * never a 500, a dead server or an execution acknowledged and then lost; a state that nests its output
 * deeper fails its execution cleanly.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateStateMachineCommand, DescribeExecutionCommand, StartExecutionCommand, StartSyncExecutionCommand } from '@aws-sdk/client-sfn';
import { passDefinition, rawRequest, rejectsAws, ROLE, startTestServer, uniqueName, waitForEnd, type TestServer } from './helpers.js';

const deepArray = (n: number) => '['.repeat(n) + ']'.repeat(n);
const NESTING = /^Invalid State Machine Execution Input: 'Document nesting depth \(1001\) exceeds the maximum allowed \(1000, from `StreamReadConstraints.getMaxNestingDepth\(\)`\)'$/;

describe('deep JSON', () => {
  let t: TestServer;
  before(async () => (t = await startTestServer()));
  after(async () => t.close());

  const create = async (definition: string, type?: 'EXPRESS') =>
    (await t.client.send(new CreateStateMachineCommand({ name: uniqueName('deep'), definition, roleArn: ROLE, type }))).stateMachineArn!;

  it('an Express input nested 4,250 deep is refused, and the server lives on', async () => {
    const arn = await create(passDefinition(), 'EXPRESS');
    // 1000 levels are accepted, as by AWS.
    const ok = await t.client.send(new StartSyncExecutionCommand({ stateMachineArn: arn, input: deepArray(1000) }));
    assert.equal(ok.status, 'SUCCEEDED');
    assert.equal(ok.output, deepArray(1000));
    await rejectsAws(t.client.send(new StartExecutionCommand({ stateMachineArn: arn, input: deepArray(3000) })), 'InvalidExecutionInput', NESTING);
    await rejectsAws(t.client.send(new StartExecutionCommand({ stateMachineArn: arn, input: deepArray(4250) })), 'InvalidExecutionInput', NESTING);
    await rejectsAws(t.client.send(new StartSyncExecutionCommand({ stateMachineArn: arn, input: deepArray(4250) })), 'InvalidExecutionInput', NESTING);
    await new Promise((r) => setTimeout(r, 50));
    const ping = await rawRequest(t.endpoint, { target: 'AWSStepFunctions.ListStateMachines' });
    assert.equal(ping.status, 200);
  });

  it('a Standard input nested 5,000 deep is refused instead of acknowledged and lost', async () => {
    const arn = await create(passDefinition());
    await rejectsAws(t.client.send(new StartExecutionCommand({ stateMachineArn: arn, input: deepArray(5000) })), 'InvalidExecutionInput', NESTING);
    // 1001 is one too many; a deep input inside strings does not count.
    await rejectsAws(t.client.send(new StartExecutionCommand({ stateMachineArn: arn, input: deepArray(1001) })), 'InvalidExecutionInput', NESTING);
    const { executionArn } = await t.client.send(new StartExecutionCommand({ stateMachineArn: arn, input: JSON.stringify({ s: deepArray(5000) }) }));
    assert.equal((await waitForEnd(t.client, executionArn!)).status, 'SUCCEEDED');
  });

  it('definitions and request fields nested 5,000 deep answer 400 in AWS shape, not 500', async () => {
    const deepDef = `{"StartAt":"P","States":{"P":{"Type":"Pass","End":true,"Result":${deepArray(5000)}}}}`;
    const v = await rawRequest(t.endpoint, { target: 'AWSStepFunctions.ValidateStateMachineDefinition', body: JSON.stringify({ definition: deepDef }) });
    assert.equal(v.status, 200, v.text);
    const diags = v.body!.diagnostics as { code: string; message: string }[];
    assert.equal(diags[0]!.code, 'INVALID_JSON_DESCRIPTION');
    assert.match(diags[0]!.message, /^Document nesting depth \(1001\) exceeds the maximum allowed \(1000/);
    await rejectsAws(create(deepDef), 'InvalidDefinition', /Document nesting depth \(1001\)/);
    const bad = [
      { target: 'ValidateStateMachineDefinition', body: JSON.stringify({ definition: deepArray(5000) }) },
      { target: 'ListStateMachines', body: `{"maxResults":${deepArray(5000)}}` },
      { target: 'CreateStateMachine', body: `{"name":"x","roleArn":"${ROLE}","definition":"{}","tags":${deepArray(5000)}}` },
      { target: 'TestState', body: JSON.stringify({ definition: '{"Type":"Pass","End":true}', roleArn: ROLE, input: deepArray(5000) }) },
      { target: 'TestState', body: JSON.stringify({ definition: `{"Type":"Pass","End":true,"Result":${deepArray(5000)}}`, roleArn: ROLE }) },
    ];
    for (const b of bad) {
      const r = await rawRequest(t.endpoint, { target: `AWSStepFunctions.${b.target}`, body: b.body });
      assert.ok(r.status === 200 || r.status === 400, `${b.target}: ${r.status} ${r.text.slice(0, 200)}`);
      if (r.status === 400) {
        assert.equal(typeof r.body?.__type, 'string', r.text.slice(0, 200));
        assert.equal(typeof r.body?.message, 'string', r.text.slice(0, 200));
      }
    }
  });

  it('States.StringToJson of text nested too deep fails the state', async () => {
    const def = JSON.stringify({ StartAt: 'P', States: { P: { Type: 'Pass', Parameters: { 'v.$': 'States.StringToJson($.s)' }, End: true } } });
    const arn = await create(def);
    const { executionArn } = await t.client.send(new StartExecutionCommand({ stateMachineArn: arn, input: JSON.stringify({ s: deepArray(5000) }) }));
    const end = await waitForEnd(t.client, executionArn!);
    assert.equal(end.status, 'FAILED');
    assert.equal(end.error, 'States.Runtime');
  });

  it('states that nest their output deeper than 1000 levels fail the execution; nothing crashes', async () => {
    const nest = (n: number, leaf: string) => '{"a":'.repeat(n) + leaf + '}'.repeat(n);
    const states: string[] = [];
    for (let i = 0; i < 6; i++) states.push(`"P${i}":{"Type":"Pass",${i < 5 ? `"Next":"P${i + 1}"` : '"End":true'},"Parameters":${nest(990, '{"b.$":"$"}')}}`);
    const def = `{"StartAt":"P0","States":{${states.join(',')}}}`;
    const express = await create(def, 'EXPRESS');
    const sync = await t.client.send(new StartSyncExecutionCommand({ stateMachineArn: express, input: '{}' }));
    assert.equal(sync.status, 'FAILED');
    assert.equal(sync.error, 'States.Runtime');
    assert.match(sync.cause!, /The output of the state 'P1' is nested deeper than the maximum of 1000 levels/);
    await t.client.send(new StartExecutionCommand({ stateMachineArn: express, input: '{}' }));
    const standard = await create(def);
    const { executionArn } = await t.client.send(new StartExecutionCommand({ stateMachineArn: standard, input: '{}' }));
    const end = await waitForEnd(t.client, executionArn!);
    assert.equal(end.status, 'FAILED');
    assert.equal((await t.client.send(new DescribeExecutionCommand({ executionArn }))).error, 'States.Runtime');
    await new Promise((r) => setTimeout(r, 50));
    assert.equal((await rawRequest(t.endpoint, { target: 'AWSStepFunctions.ListStateMachines' })).status, 200);
  });
});
