/**
 * The work of one step is bounded (STEP_TRANSITIONS states entered): longer runs yield and continue in
 * later steps, through a timer, so other work runs in between; nothing of the execution changes.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compileMachine } from '../asl/compile.js';
import type { ExecutionInfo } from '../interpreter/exec-state.js';
import type { HistoryEvent } from '../interpreter/history.js';
import { STEP_TRANSITIONS } from '../interpreter/runner.js';
import type { Json } from '../shared/json.js';
import { ManualClock, systemClock, type Clock } from './clock.js';
import { ExecutionDriver } from './driver.js';
import { createTaskRegistry } from './tasks/registry.js';
import { functionsFromObject } from './tasks/functions.js';

const T0 = Date.UTC(2024, 0, 1);

function info(input: Json): ExecutionInfo {
  return {
    executionArn: 'arn:aws:states:us-east-1:123456789012:execution:M:e1',
    name: 'e1',
    stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:M',
    stateMachineName: 'M',
    roleArn: 'arn:aws:iam::123456789012:role/r',
    startTime: T0,
    input,
    redriveCount: 0,
  };
}

/** Runs a definition to its end; counts the steps persisted (onStep). */
async function run(def: object, input: Json, maxStepTransitions?: number, clock: Clock = new ManualClock(T0), maxHistoryEvents?: number) {
  const invoker = createTaskRegistry({ functions: functionsFromObject({}) });
  let steps = 0;
  const persisted: HistoryEvent[] = [];
  const d = new ExecutionDriver(compileMachine(def as Json), info(input), {
    clock,
    invoker,
    region: 'us-east-1',
    accountId: '123456789012',
    keepHistory: true,
    step: maxStepTransitions === undefined ? undefined : { maxStepTransitions, maxHistoryEvents },
    onStep: (r) => {
      steps++;
      persisted.push(...r.events);
    },
  });
  d.start();
  if (clock instanceof ManualClock) while (!d.ended && (await clock.advanceToNext()));
  const s = await d.done;
  return { s, steps, events: d.events, persisted };
}

const chain = (n: number) => {
  const states: Record<string, object> = {};
  for (let i = 0; i < n; i++) states[`S${i}`] = i < n - 1 ? { Type: 'Pass', Next: `S${i + 1}` } : { Type: 'Pass', End: true };
  return { StartAt: 'S0', States: states };
};

const strip = (events: HistoryEvent[]) => events.map((e) => ({ id: e.id, previousEventId: e.previousEventId, type: e.type, details: e.details }));

describe('step budget', () => {
  test('a long Pass chain runs in several steps, with the same history as in one', async () => {
    assert.equal(STEP_TRANSITIONS, 1000);
    const one = await run(chain(35), { a: 1 }, 1000);
    const cut = await run(chain(35), { a: 1 }, 10);
    assert.equal(one.s.status, 'SUCCEEDED');
    assert.equal(cut.s.status, 'SUCCEEDED');
    assert.deepEqual(cut.s.output, { a: 1 });
    assert.equal(one.steps, 1);
    assert.equal(cut.steps, 4);
    assert.deepEqual(strip(cut.events), strip(one.events));
    assert.deepEqual(strip(cut.persisted), strip(one.events));
    assert.equal(cut.s.continueSeq, null);
    assert.equal(cut.s.yielded, undefined);
  });

  test('an inline Map over many items and a Parallel with many branches finish, in order', async () => {
    const items = Array.from({ length: 100 }, (_, i) => i);
    const map = { StartAt: 'M', States: { M: { Type: 'Map', ItemProcessor: chain(3), End: true } } };
    const one = await run(map, items, 1000);
    const cut = await run(map, items, 7);
    assert.deepEqual(cut.s.output, items);
    assert.ok(cut.steps > 10, `${cut.steps} steps`);
    assert.deepEqual(strip(cut.events).map((e) => e.type), strip(one.events).map((e) => e.type));
    const limited = { StartAt: 'M', States: { M: { Type: 'Map', MaxConcurrency: 3, ItemProcessor: chain(4), End: true } } };
    assert.deepEqual((await run(limited, items, 5)).s.output, items);

    const branches = Array.from({ length: 30 }, (_, i) => ({ StartAt: `B${i}`, States: { [`B${i}`]: { Type: 'Pass', Result: i, End: true } } }));
    const par = await run({ StartAt: 'P', States: { P: { Type: 'Parallel', Branches: branches, End: true } } }, {}, 4);
    assert.deepEqual(par.s.output, branches.map((_, i) => i));
    assert.ok(par.steps > 5, `${par.steps} steps`);
  });

  test('an execution stopped between two steps is redriven from the state it was about to enter', async () => {
    const clock = new ManualClock(T0);
    const invoker = createTaskRegistry({ functions: functionsFromObject({}) });
    const d = new ExecutionDriver(compileMachine(chain(35) as Json), info({ a: 1 }), { clock, invoker, region: 'us-east-1', accountId: '123456789012', keepHistory: true, step: { maxStepTransitions: 10 } });
    await d.deliver({ k: 'start', info: d.state.info });
    assert.equal(d.state.root?.wait?.k, 'yield');
    await d.deliver({ k: 'stop', error: 'Halt' });
    assert.equal((await d.done).status, 'ABORTED');
    assert.equal(d.state.continueSeq, null);
    d.reopen();
    await d.deliver({ k: 'redrive', time: T0 + 1 });
    while (!d.ended && (await clock.advanceToNext()));
    const s = await d.done;
    assert.equal(s.status, 'SUCCEEDED');
    assert.deepEqual(s.output, { a: 1 });
    const entered = d.events.filter((e) => e.type === 'PassStateEntered').map((e) => (e.details as { name: string }).name);
    assert.deepEqual(entered, Array.from({ length: 35 }, (_, i) => `S${i}`));
  });

  test('a failing branch aborts the branches waiting to continue', async () => {
    const long = { StartAt: 'L0', States: chain(20).States };
    const branches = [long, { StartAt: 'F', States: { F: { Type: 'Fail', Error: 'Boom' } } }].map((b, i) => ({
      StartAt: `${b.StartAt}${i}`,
      States: Object.fromEntries(Object.entries(b.States).map(([k, v]) => [`${k}${i}`, { ...(v as object), ...('Next' in (v as object) ? { Next: `${(v as { Next: string }).Next}${i}` } : {}) }])),
    }));
    branches[0]!.StartAt = 'S00';
    const r = await run({ StartAt: 'P', States: { P: { Type: 'Parallel', Branches: branches, End: true } } }, {}, 3);
    assert.equal(r.s.status, 'FAILED');
    assert.equal(r.s.error, 'Boom');
    assert.equal(r.events.filter((e) => e.type === 'ExecutionFailed').length, 1);
    assert.equal(r.s.yielded, undefined);
  });

  test('a loop that never ends lets other work run, and can be stopped', async () => {
    const loop = { StartAt: 'C', States: { C: { Type: 'Choice', Choices: [{ Variable: '$.done', IsPresent: true, Next: 'E' }], Default: 'P' }, P: { Type: 'Pass', Next: 'C' }, E: { Type: 'Succeed' } } };
    const def = { StartAt: 'M', States: { M: { Type: 'Map', ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' }, ...loop }, End: true } } };
    const invoker = createTaskRegistry({ functions: functionsFromObject({}) });
    let steps = 0;
    const d = new ExecutionDriver(compileMachine(def as Json), info([1, 2]), { clock: systemClock, invoker, region: 'us-east-1', accountId: '123456789012', onStep: () => void steps++ });
    d.start();
    // Timers of others run while the execution goes on, between its steps (twice, each time after more steps).
    // (Not a fixed wait: a fast machine reaches each child's history quota in a few tens of milliseconds.)
    const seen: { ended: boolean; steps: number }[] = [];
    for (let i = 0; i < 2; i++) await new Promise<void>((r) => setTimeout(() => r(void seen.push({ ended: d.ended, steps })), 0));
    assert.deepEqual(seen.map((x) => x.ended), [false, false]);
    assert.ok(seen[1]!.steps > seen[0]!.steps && seen[0]!.steps >= 1, JSON.stringify(seen));
    d.stop('Stop', 'enough');
    const s = await d.done;
    assert.equal(s.status, 'ABORTED');
    // Each child execution has its own history quota: reaching it fails the item, then the Map.
    const r = await run(def, [1, 2], 10, new ManualClock(T0), 60);
    assert.equal(r.s.status, 'FAILED');
    assert.equal(r.s.error, 'States.Runtime');
    assert.match(r.s.cause!, /maximum number of history events \(60\)/);
  });
});
