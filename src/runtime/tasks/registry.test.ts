import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StateMachine } from '../../library/state-machine.js';
import type { Json } from '../../shared/json.js';
import type { TaskInvoker } from './types.js';

/** An integration that answers with its own name and the resource it was given. */
const named = (name: string): TaskInvoker => ({ invoke: (cmd, _ctx, cb) => cb.succeeded({ by: name, resource: cmd.resource.arn }) });

const run = (resource: string, services: Record<string, TaskInvoker>, functions = {}) =>
  new StateMachine({ StartAt: 'T', States: { T: { Type: 'Task', Resource: resource, End: true } } }, { services, functions }).run({});

const by = async (resource: string, services: Record<string, TaskInvoker>): Promise<Json | undefined> => {
  const r = await run(resource, services);
  assert.equal(r.status, 'SUCCEEDED', `${resource}: ${r.error} ${r.cause}`);
  return (r.output as { by: Json }).by;
};

test('lookup order: the exact <service>:<api>, then aws-sdk:<service>:*, then aws-sdk:*', async () => {
  const all = { 'aws-sdk:s3:getObject': named('exact'), 'aws-sdk:s3:*': named('service'), 'aws-sdk:*': named('any') };
  assert.equal(await by('arn:aws:states:::aws-sdk:s3:getObject', all), 'exact');
  assert.equal(await by('arn:aws:states:::aws-sdk:s3:putObject', all), 'service');
  assert.equal(await by('arn:aws:states:::aws-sdk:dynamodb:getItem', all), 'any');
  assert.equal(await by('arn:aws:states:us-east-1:123456789012:aws-sdk:s3:listBuckets', { 'aws-sdk:*': named('any') }), 'any');
  // The fallbacks hold for .waitForTaskToken too: the call's result is TaskSubmitted, then the task waits.
  const sm = new StateMachine({ StartAt: 'T', States: { T: { Type: 'Task', Resource: 'arn:aws:states:::aws-sdk:sqs:sendMessage.waitForTaskToken', End: true } } }, { services: { 'aws-sdk:sqs:*': named('service') } });
  const running = sm.start({}, { onWaiting: (t) => running.sendTaskSuccess(t.token, { answered: true }) });
  const r = await running.done;
  assert.deepEqual(r.output, { answered: true });
  assert.ok(r.events.some((e) => e.type === 'TaskSubmitted'));
});

test('the fallbacks are for AWS SDK integrations only; an unknown resource keeps its States.Runtime error', async () => {
  // codebuild:startBuild is an optimized integration of AWS's that Stepwise does not have.
  const r = await run('arn:aws:states:::codebuild:startBuild', { 'aws-sdk:*': named('any'), 'aws-sdk:codebuild:*': named('service') });
  assert.equal(r.status, 'FAILED');
  assert.equal(r.error, 'States.Runtime');
  assert.equal(r.cause, "The resource 'arn:aws:states:::codebuild:startBuild' is not supported by this engine.");
  const proto = await run('arn:aws:states:::toString:valueOf', {});
  assert.equal(proto.error, 'States.Runtime');
});

test('a host integration takes the place of a built-in one of the same key (lambda:invoke)', async () => {
  assert.equal(await by('arn:aws:states:::lambda:invoke', { 'lambda:invoke': named('host') }), 'host');
  // Lambda function ARNs stay with the built-in Lambda integration.
  const r = await run('arn:aws:lambda:us-east-1:123456789012:function:f', { 'lambda:invoke': named('host') }, { f: () => 'local' });
  assert.equal(r.output, 'local');
});
