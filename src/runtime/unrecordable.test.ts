import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileMachine } from '../asl/compile.js';
import type { ExecState, ExecutionInfo } from '../interpreter/exec-state.js';
import type { HistoryEvent } from '../interpreter/history.js';
import type { Json } from '../shared/json.js';
import { ManualClock } from './clock.js';
import { ExecutionDriver } from './driver.js';
import { createTaskRegistry } from './tasks/registry.js';
import { functionsFromObject } from './tasks/functions.js';

const T0 = Date.UTC(2024, 0, 1);
const info: ExecutionInfo = {
  executionArn: 'arn:aws:states:us-east-1:123456789012:execution:M:e1',
  name: 'e1',
  stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:M',
  stateMachineName: 'M',
  roleArn: 'arn:aws:iam::123456789012:role/r',
  startTime: T0,
  input: {},
  redriveCount: 0,
};

test('a step too large to store fails the execution cleanly, after the events already stored', async () => {
  const clock = new ManualClock(T0);
  const def = { StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 1, Next: 'Big' }, Big: { Type: 'Pass', Result: 'big', Next: 'Done' }, Done: { Type: 'Succeed' } } };
  const stored: HistoryEvent[] = [];
  let last: ExecState | undefined;
  const d = new ExecutionDriver(compileMachine(def as Json), info, {
    clock,
    invoker: createTaskRegistry({ functions: functionsFromObject({}) }),
    region: 'us-east-1',
    accountId: '123456789012',
    // The store writes JSON text: a step past what a string can hold is refused as V8 refuses it.
    onStep: (r) => {
      const text = JSON.stringify(r.state);
      if (r.events.some((e) => e.type === 'PassStateEntered')) throw new RangeError('Invalid string length');
      stored.push(...r.events);
      last = JSON.parse(text) as ExecState;
    },
  });
  const started = d.deliver({ k: 'start', info });
  await started;
  await clock.advance(1000);
  const s = await d.done;
  assert.equal(s.status, 'FAILED');
  assert.equal(s.error, 'States.Runtime');
  assert.match(s.cause!, /grew beyond what can be recorded \(Invalid string length\)/);
  assert.deepEqual(
    stored.map((e) => [e.id, e.previousEventId, e.type]),
    [
      [1, 0, 'ExecutionStarted'],
      [2, 0, 'WaitStateEntered'],
      [3, 2, 'ExecutionFailed'],
    ],
  );
  assert.equal(last!.status, 'FAILED');
  assert.equal(last!.lastEventId, 3);
  assert.deepEqual(last!.pending, {});
  assert.equal(d.dead, false);
});
