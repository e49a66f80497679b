import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compileMachine as compileJson } from '../asl/compile.js';
import type { Machine } from '../asl/model.js';
import type { Json, JsonObject } from '../shared/json.js';
import type { Command } from './commands.js';
import type { ExecState, ExecutionInfo } from './exec-state.js';
import type { HistoryEvent } from './history.js';
import type { EngineInput } from './inputs.js';
import { initialState, step } from './step.js';

const T0 = Date.UTC(2024, 0, 1);

const compileMachine = (def: object): Machine => compileJson(def as Json);

function info(input: Json, name = 'e1'): ExecutionInfo {
  return {
    executionArn: `arn:aws:states:us-east-1:123456789012:execution:M:${name}`,
    name,
    stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:M',
    stateMachineName: 'M',
    roleArn: 'arn:aws:iam::123456789012:role/r',
    startTime: T0,
    input,
    redriveCount: 0,
  };
}

type InvokeTask = Extract<Command, { k: 'invokeTask' }>;

interface Trace {
  events: HistoryEvent[];
  commands: Command[];
  /** The input fed to each step, in order. */
  inputs: EngineInput[];
  state: ExecState;
}

interface DriveOptions {
  /** Serialise the state after every step and continue from the parsed copy. */
  roundTrip?: boolean;
  /** What each task returns (default: its input). */
  respond?: (c: InvokeTask) => EngineInput;
  /** Seeds per step (default: 1000 + step number). */
  seed?: (n: number) => number;
}

/**
 * Runs an execution by hand: feeds the step, reads its commands, answers each invokeTask and startTimer
 * (in the order the commands came) with the matching input. Time moves one second per step.
 */
async function drive(m: Machine, input: Json, o: DriveOptions = {}): Promise<Trace> {
  let s = initialState(info(input));
  const trace: Trace = { events: [], commands: [], inputs: [], state: s };
  const queue: EngineInput[] = [{ k: 'start', info: info(input) }];
  for (let n = 0; queue.length; n++) {
    assert.ok(n < 500, 'execution does not end');
    const inp = queue.shift()!;
    trace.inputs.push(inp);
    const r = await step(m, s, inp, { now: T0 + n * 1000, seed: o.seed ? o.seed(n) : 1000 + n });
    trace.events.push(...r.events);
    trace.commands.push(...r.commands);
    s = o.roundTrip ? (JSON.parse(JSON.stringify(r.state)) as ExecState) : r.state;
    for (const c of r.commands) {
      if (c.k === 'invokeTask') queue.push(o.respond ? o.respond(c) : { k: 'taskSucceeded', seq: c.seq, output: c.input });
      else if (c.k === 'startTimer' && c.why !== 'executionTimeout') queue.push({ k: 'timerFired', seq: c.seq });
    }
  }
  trace.state = s;
  return trace;
}

const FN = 'arn:aws:lambda:us-east-1:123456789012:function:';

/** A Task, a Wait, a Map (with Tasks and Waits) and a Parallel (with Tasks): every kind of waiting. */
const WORKFLOW = {
  StartAt: 'Prepare',
  States: {
    Prepare: {
      Type: 'Pass',
      Parameters: { 'id.$': 'States.UUID()', 'r.$': 'States.MathRandom(1, 1000)', 'items.$': '$.items' },
      Next: 'Fetch',
    },
    Fetch: { Type: 'Task', Resource: `${FN}fetch`, Parameters: { 'items.$': '$.items', 'id.$': '$.id' }, ResultPath: '$.fetched', Next: 'Pause' },
    Pause: { Type: 'Wait', Seconds: 5, Next: 'Each' },
    Each: {
      Type: 'Map',
      ItemsPath: '$.items',
      MaxConcurrency: 2,
      ItemSelector: { 'v.$': '$$.Map.Item.Value', 'i.$': '$$.Map.Item.Index' },
      ItemProcessor: {
        StartAt: 'Work',
        States: {
          Work: { Type: 'Task', Resource: `${FN}work`, Next: 'Nap' },
          Nap: { Type: 'Wait', SecondsPath: '$.got.v', End: true },
        },
      },
      ResultPath: '$.mapped',
      Next: 'Both',
    },
    Both: {
      Type: 'Parallel',
      Branches: [
        { StartAt: 'Left', States: { Left: { Type: 'Task', Resource: `${FN}left`, Parameters: { side: 'left' }, End: true } } },
        {
          StartAt: 'Right',
          States: {
            Right: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: 'right', Payload: { 'n.$': '$.r' } }, Next: 'RightWait' },
            RightWait: { Type: 'Wait', Seconds: 1, End: true },
          },
        },
      ],
      ResultPath: '$.both',
      End: true,
    },
  },
};

const WORKFLOW_INPUT = { items: [3, 1, 2] };

/** Tasks answer with something derived from their input, so a wrong routing shows in the output. */
const respondByName = (c: InvokeTask): EngineInput => {
  const name = c.resource.kind === 'lambda-function' ? c.resource.functionName : 'invoke';
  return { k: 'taskSucceeded', seq: c.seq, output: { from: name, got: c.input } };
};

describe('step: determinism', () => {
  test('the same machine, inputs, now and seed give identical events, commands and output', async () => {
    const m = compileMachine(WORKFLOW);
    const a = await drive(m, WORKFLOW_INPUT, { respond: respondByName });
    const b = await drive(compileMachine(WORKFLOW), WORKFLOW_INPUT, { respond: respondByName });
    assert.equal(a.state.status, 'SUCCEEDED', JSON.stringify([a.state.error, a.state.cause]));
    assert.deepEqual(b.events, a.events);
    assert.deepEqual(b.commands, a.commands);
    assert.deepEqual(b.state.output, a.state.output);
  });

  test('the seed is what the randomness comes from: another seed gives another UUID', async () => {
    const m = compileMachine(WORKFLOW);
    const a = await drive(m, WORKFLOW_INPUT, { respond: respondByName });
    const b = await drive(m, WORKFLOW_INPUT, { respond: respondByName, seed: (n) => 7 + n });
    const idA = (a.state.output as JsonObject).id;
    const idB = (b.state.output as JsonObject).id;
    assert.match(String(idA), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.notEqual(idA, idB);
  });

  test('JSONata expressions ($uuid, $random, $now) are deterministic too', async () => {
    const def = {
      QueryLanguage: 'JSONata',
      StartAt: 'P',
      States: { P: { Type: 'Pass', Output: { u: '{% $uuid() %}', r: '{% $random() %}', t: '{% $now() %}' }, End: true } },
    };
    const a = await drive(compileMachine(def), {});
    const b = await drive(compileMachine(def), {});
    assert.equal(a.state.status, 'SUCCEEDED', JSON.stringify([a.state.error, a.state.cause]));
    assert.deepEqual(a.state.output, b.state.output);
    assert.deepEqual(a.events, b.events);
    assert.equal((a.state.output as JsonObject).t, '2024-01-01T00:00:00.000Z');
  });
});

describe('step: the execution state is plain JSON', () => {
  test('continuing from a JSON copy after every step gives the same history and result', async () => {
    const m = compileMachine(WORKFLOW);
    const live = await drive(m, WORKFLOW_INPUT, { respond: respondByName });
    const copied = await drive(m, WORKFLOW_INPUT, { respond: respondByName, roundTrip: true });
    assert.equal(live.state.status, 'SUCCEEDED');
    assert.deepEqual(copied.events, live.events);
    assert.deepEqual(copied.commands, live.commands);
    assert.deepEqual(copied.state, live.state);
    assert.deepEqual(live.state.output, {
      id: (live.state.output as JsonObject).id,
      r: (live.state.output as JsonObject).r,
      items: [3, 1, 2],
      fetched: { from: 'fetch', got: { items: [3, 1, 2], id: (live.state.output as JsonObject).id } },
      mapped: [
        { from: 'work', got: { v: 3, i: 0 } },
        { from: 'work', got: { v: 1, i: 1 } },
        { from: 'work', got: { v: 2, i: 2 } },
      ],
      both: [
        { from: 'left', got: { side: 'left' } },
        { from: 'invoke', got: { FunctionName: 'right', Payload: { n: (live.state.output as JsonObject).r } } },
      ],
    });
  });

  test('the state survives a JSON round trip at every step of a failing, retrying, catching execution', async () => {
    const def = {
      StartAt: 'P',
      States: {
        P: {
          Type: 'Parallel',
          Branches: [
            { StartAt: 'A', States: { A: { Type: 'Task', Resource: `${FN}a`, Retry: [{ ErrorEquals: ['Boom'], MaxAttempts: 2, IntervalSeconds: 1 }], End: true } } },
            { StartAt: 'B', States: { B: { Type: 'Wait', Seconds: 100, End: true } } },
          ],
          Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.err', Next: 'Done' }],
          End: true,
        },
        Done: { Type: 'Succeed' },
      },
    };
    // Task "a" always fails; the retries run out and the Parallel state's catcher takes over.
    const respond = (c: InvokeTask): EngineInput => ({ k: 'taskFailed', seq: c.seq, error: 'Boom', cause: `attempt ${c.attempt}` });
    const m = compileMachine(def);
    const live = await drive(m, { x: 1 }, { respond });
    const copied = await drive(m, { x: 1 }, { respond, roundTrip: true });
    assert.equal(live.state.status, 'SUCCEEDED');
    assert.deepEqual(live.state.output, { x: 1, err: { Error: 'Boom', Cause: 'attempt 2' } });
    assert.deepEqual(copied.events, live.events);
    assert.deepEqual(copied.state, live.state);
  });
});

describe('step: history events', () => {
  test('ids run 1..n across steps and every previousEventId points to an earlier event', async () => {
    const t = await drive(compileMachine(WORKFLOW), WORKFLOW_INPUT, { respond: respondByName });
    assert.deepEqual(
      t.events.map((e) => e.id),
      t.events.map((_, i) => i + 1),
    );
    assert.equal(t.events[0]!.type, 'ExecutionStarted');
    assert.equal(t.events[0]!.previousEventId, 0);
    // As AWS records it, the first StateEntered links to 0; every later event to an earlier one.
    assert.equal(t.events[1]!.previousEventId, 0);
    for (const e of t.events.slice(2)) assert.ok(e.previousEventId >= 1 && e.previousEventId < e.id, `event ${e.id} links to ${e.previousEventId}`);
    assert.equal(t.events.at(-1)!.type, 'ExecutionSucceeded');
  });

  test('a linear run links every event to the one before it, with AWS event types in order', async () => {
    const def = {
      StartAt: 'T',
      States: {
        T: { Type: 'Task', Resource: `${FN}f`, Next: 'W' },
        W: { Type: 'Wait', Seconds: 2, End: true },
      },
    };
    const t = await drive(compileMachine(def), { a: 1 });
    assert.deepEqual(
      t.events.map((e) => [e.id, e.previousEventId, e.type]),
      [
        [1, 0, 'ExecutionStarted'],
        [2, 0, 'TaskStateEntered'],
        [3, 2, 'LambdaFunctionScheduled'],
        [4, 3, 'LambdaFunctionStarted'],
        [5, 4, 'LambdaFunctionSucceeded'],
        [6, 5, 'TaskStateExited'],
        [7, 6, 'WaitStateEntered'],
        [8, 7, 'WaitStateExited'],
        [9, 8, 'ExecutionSucceeded'],
      ],
    );
    // Events carry the step's time: the task's outcome came in the second step, the timer in the third.
    assert.deepEqual(
      t.events.map((e) => (e.timestamp - T0) / 1000),
      [0, 0, 0, 0, 1, 1, 1, 2, 2],
    );
  });

  test('Map iterations and Parallel branches link to the state that started them', async () => {
    const t = await drive(compileMachine(WORKFLOW), WORKFLOW_INPUT, { respond: respondByName });
    const byId = new Map(t.events.map((e) => [e.id, e]));
    const mapStarted = t.events.find((e) => e.type === 'MapStateStarted')!;
    const iterations = t.events.filter((e) => e.type === 'MapIterationStarted');
    assert.equal(iterations.length, 3);
    for (const it of iterations) assert.equal(it.previousEventId, mapStarted.id);
    const parStarted = t.events.find((e) => e.type === 'ParallelStateStarted')!;
    const branchStarts = t.events.filter((e) => e.type === 'TaskStateEntered' && byId.get(e.previousEventId)?.type === 'ParallelStateStarted');
    assert.deepEqual(
      branchStarts.map((e) => [e.previousEventId, (e.details as JsonObject).name]),
      [
        [parStarted.id, 'Left'],
        [parStarted.id, 'Right'],
      ],
    );
  });
});

describe('step: commands', () => {
  test('invokeTask carries the evaluated parameters, the resource, timeouts and the attempt', async () => {
    const def = {
      StartAt: 'T',
      States: {
        T: {
          Type: 'Task',
          Resource: `${FN}f`,
          Parameters: { 'a.$': '$.a', fixed: 1, 'ctx.$': '$$.State.Name' },
          TimeoutSeconds: 30,
          HeartbeatSeconds: 10,
          End: true,
        },
      },
    };
    const m = compileMachine(def);
    const s = initialState(info({ a: 'x' }));
    const r = await step(m, s, { k: 'start', info: info({ a: 'x' }) }, { now: T0, seed: 1 });
    assert.deepEqual(r.commands, [
      {
        k: 'invokeTask',
        seq: 1,
        stateName: 'T',
        resource: { kind: 'lambda-function', arn: `${FN}f`, functionName: 'f' },
        input: { a: 'x', fixed: 1, ctx: 'T' },
        timeoutSeconds: 30,
        heartbeatSeconds: 10,
        token: undefined,
        attempt: 0,
        credentials: undefined,
      },
    ]);
    assert.equal(r.state.status, 'RUNNING');
    const r2 = await step(m, r.state, { k: 'taskSucceeded', seq: 1, output: 'done' }, { now: T0 + 5, seed: 2 });
    assert.deepEqual(r2.commands, [{ k: 'complete', status: 'SUCCEEDED' }]);
    assert.equal(r2.state.output, 'done');
  });

  test('callback tasks get a task token; a retry is a new attempt with a new sequence number', async () => {
    const def = {
      StartAt: 'T',
      States: {
        T: {
          Type: 'Task',
          Resource: 'arn:aws:states:::sqs:sendMessage.waitForTaskToken',
          Parameters: { 'token.$': '$$.Task.Token' },
          Retry: [{ ErrorEquals: ['E'], IntervalSeconds: 3, BackoffRate: 1 }],
          End: true,
        },
      },
    };
    const m = compileMachine(def);
    const r1 = await step(m, initialState(info({})), { k: 'start', info: info({}) }, { now: T0, seed: 1 });
    const c1 = r1.commands[0] as InvokeTask;
    assert.equal(typeof c1.token, 'string');
    assert.deepEqual(c1.input, { token: c1.token });
    assert.equal(c1.attempt, 0);
    const r2 = await step(m, r1.state, { k: 'taskFailed', seq: c1.seq, error: 'E' }, { now: T0 + 1, seed: 2 });
    assert.deepEqual(r2.commands, [{ k: 'startTimer', seq: 2, delayMs: 3000, why: 'retry', stateName: 'T' }]);
    const r3 = await step(m, r2.state, { k: 'timerFired', seq: 2 }, { now: T0 + 3001, seed: 3 });
    const c3 = r3.commands[0] as InvokeTask;
    assert.equal(c3.k, 'invokeTask');
    assert.equal(c3.seq, 3);
    assert.equal(c3.attempt, 1);
    assert.notEqual(c3.token, c1.token);
  });

  test('a .sync or callback call that returned records TaskSubmitted once, before the outcome', async () => {
    const def = { StartAt: 'T', States: { T: { Type: 'Task', Resource: 'arn:aws:states:::states:startExecution.sync:2', Parameters: { StateMachineArn: 'x' }, End: true } } };
    const m = compileMachine(def);
    const r1 = await step(m, initialState(info({})), { k: 'start', info: info({}) }, { now: T0, seed: 1 });
    const seq = (r1.commands[0] as InvokeTask).seq;
    const response = { ExecutionArn: 'arn:child', StartDate: T0 };
    const r2 = await step(m, r1.state, { k: 'taskSubmitted', seq, output: response }, { now: T0 + 1, seed: 2 });
    assert.deepEqual(
      r2.events.map((e) => [e.type, e.previousEventId, e.details]),
      [['TaskSubmitted', 4, { resourceType: 'states', resource: 'startExecution.sync:2', output: response, outputDetails: { truncated: false } }]],
    );
    assert.deepEqual(r2.commands, []);
    // The same call made again (after a restart) records nothing more.
    const r3 = await step(m, r2.state, { k: 'taskSubmitted', seq, output: response }, { now: T0 + 2, seed: 3 });
    assert.deepEqual(r3.events, []);
    const r4 = await step(m, r3.state, { k: 'taskSucceeded', seq, output: { Status: 'SUCCEEDED' } }, { now: T0 + 3, seed: 4 });
    assert.deepEqual(
      r4.events.map((e) => [e.type, e.previousEventId]),
      [['TaskSucceeded', 5], ['TaskStateExited', 6], ['ExecutionSucceeded', 7]],
    );
  });

  test('a callback token answered before its call returned: the answer waits for TaskSubmitted, in the state', async () => {
    const callback = { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken', Parameters: { FunctionName: 'f', Payload: { 'token.$': '$$.Task.Token' } }, End: true };
    const def = { StartAt: 'P', States: { P: { Type: 'Parallel', Branches: [{ StartAt: 'T', States: { T: callback } }], End: true } } };
    const m = compileMachine(def);
    const r1 = await step(m, initialState(info({})), { k: 'start', info: info({}) }, { now: T0, seed: 1 });
    const seq = (r1.commands[0] as InvokeTask).seq;
    const r2 = await step(m, r1.state, { k: 'taskSucceeded', seq, output: { ok: 1 }, byToken: true }, { now: T0 + 1, seed: 2 });
    assert.deepEqual([r2.events, r2.commands], [[], []]);
    // Kept through a restart (the store keeps the state as JSON); a second answer changes nothing.
    const stored = JSON.parse(JSON.stringify(r2.state)) as ExecState;
    const r3 = await step(m, stored, { k: 'taskSucceeded', seq, output: { ok: 2 }, byToken: true }, { now: T0 + 2, seed: 3 });
    assert.deepEqual([r3.events, r3.commands], [[], []]);
    const response = { Payload: { sent: true }, StatusCode: 200 };
    const r4 = await step(m, r3.state, { k: 'taskSubmitted', seq, output: response }, { now: T0 + 3, seed: 4 });
    assert.deepEqual(
      r4.events.map((e) => [e.type, e.details?.output]),
      [
        ['TaskSubmitted', response],
        ['TaskSucceeded', { ok: 1 }],
        ['TaskStateExited', { ok: 1 }],
        ['ParallelStateSucceeded', undefined],
        ['ParallelStateExited', [{ ok: 1 }]],
        ['ExecutionSucceeded', [{ ok: 1 }]],
      ],
    );
    assert.equal(r4.state.status, 'SUCCEEDED');

    // The call itself failing (no token) ends the task whatever answer is waiting.
    const f1 = await step(m, initialState(info({}, 'e2')), { k: 'start', info: info({}, 'e2') }, { now: T0, seed: 1 });
    const fseq = (f1.commands[0] as InvokeTask).seq;
    const f2 = await step(m, f1.state, { k: 'taskFailed', seq: fseq, error: 'Late', byToken: true }, { now: T0 + 1, seed: 2 });
    assert.deepEqual(f2.events, []);
    const f3 = await step(m, f2.state, { k: 'taskFailed', seq: fseq, error: 'Lambda.ServiceException', cause: 'down' }, { now: T0 + 2, seed: 3 });
    assert.deepEqual(
      f3.events.map((e) => [e.type, e.details?.error]),
      [['TaskFailed', 'Lambda.ServiceException'], ['TaskStateAborted', undefined], ['ParallelStateFailed', undefined], ['ExecutionFailed', 'Lambda.ServiceException']],
    );
  });

  test('a callback token answered after TaskSubmitted, or an outcome from the call itself, takes effect at once', async () => {
    const def = { StartAt: 'T', States: { T: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken', Parameters: { FunctionName: 'f', Payload: { 'token.$': '$$.Task.Token' } }, End: true } } };
    const m = compileMachine(def);
    const r1 = await step(m, initialState(info({})), { k: 'start', info: info({}) }, { now: T0, seed: 1 });
    const seq = (r1.commands[0] as InvokeTask).seq;
    const r2 = await step(m, r1.state, { k: 'taskSubmitted', seq, output: {} }, { now: T0 + 1, seed: 2 });
    const r3 = await step(m, r2.state, { k: 'taskSucceeded', seq, output: { ok: 1 }, byToken: true }, { now: T0 + 2, seed: 3 });
    assert.deepEqual(r3.events.map((e) => e.type), ['TaskSucceeded', 'TaskStateExited', 'ExecutionSucceeded']);
    const s1 = await step(m, initialState(info({}, 'e2')), { k: 'start', info: info({}, 'e2') }, { now: T0, seed: 1 });
    const s2 = await step(m, s1.state, { k: 'taskSucceeded', seq: (s1.commands[0] as InvokeTask).seq, output: { ok: 2 } }, { now: T0 + 1, seed: 2 });
    assert.deepEqual(s2.events.map((e) => e.type), ['TaskSucceeded', 'TaskStateExited', 'ExecutionSucceeded']);
  });

  test('Wait states arm timers with their delay; Timestamp waits are measured from the step time', async () => {
    const def = {
      StartAt: 'S',
      States: {
        S: { Type: 'Wait', Seconds: 7, Next: 'TS' },
        TS: { Type: 'Wait', Timestamp: '2024-01-01T00:01:00Z', End: true },
      },
    };
    const m = compileMachine(def);
    const r1 = await step(m, initialState(info({})), { k: 'start', info: info({}) }, { now: T0, seed: 1 });
    assert.deepEqual(r1.commands, [{ k: 'startTimer', seq: 1, delayMs: 7000, why: 'wait', stateName: 'S' }]);
    const r2 = await step(m, r1.state, { k: 'timerFired', seq: 1 }, { now: T0 + 7000, seed: 2 });
    assert.deepEqual(r2.commands, [{ k: 'startTimer', seq: 2, delayMs: 53000, why: 'wait', stateName: 'TS' }]);
    // A timer that is not awaited changes nothing.
    const r3 = await step(m, r2.state, { k: 'timerFired', seq: 99 }, { now: T0 + 8000, seed: 3 });
    assert.deepEqual([r3.events, r3.commands], [[], []]);
    const r4 = await step(m, r3.state, { k: 'timerFired', seq: 2 }, { now: T0 + 60000, seed: 4 });
    assert.deepEqual(r4.commands, [{ k: 'complete', status: 'SUCCEEDED' }]);
  });

  test('a failing Parallel branch cancels the open task and timer of the others', async () => {
    const def = {
      StartAt: 'P',
      States: {
        P: {
          Type: 'Parallel',
          Branches: [
            { StartAt: 'A', States: { A: { Type: 'Task', Resource: `${FN}a`, End: true } } },
            { StartAt: 'B', States: { B: { Type: 'Task', Resource: `${FN}b`, End: true } } },
            { StartAt: 'C', States: { C: { Type: 'Wait', Seconds: 60, End: true } } },
          ],
          Catch: [{ ErrorEquals: ['States.ALL'], Next: 'After' }],
          End: true,
        },
        After: { Type: 'Wait', Seconds: 1, End: true },
      },
    };
    const m = compileMachine(def);
    const r1 = await step(m, initialState(info({})), { k: 'start', info: info({}) }, { now: T0, seed: 1 });
    assert.deepEqual(
      r1.commands.map((c) => [c.k, 'seq' in c ? c.seq : undefined]),
      [
        ['invokeTask', 1],
        ['invokeTask', 2],
        ['startTimer', 3],
      ],
    );
    // The execution goes on (the error is caught), so the cancels come from aborting the branches.
    const r2 = await step(m, r1.state, { k: 'taskFailed', seq: 2, error: 'Bad', cause: 'b failed' }, { now: T0 + 1, seed: 2 });
    assert.deepEqual(r2.commands, [
      { k: 'cancel', seq: 1 },
      { k: 'cancel', seq: 3 },
      { k: 'startTimer', seq: 4, delayMs: 1000, why: 'wait', stateName: 'After' },
    ]);
    assert.deepEqual(
      r2.events.map((e) => e.type),
      ['LambdaFunctionFailed', 'TaskStateAborted', 'TaskStateAborted', 'WaitStateAborted', 'ParallelStateExited', 'WaitStateEntered'],
    );
    assert.equal(r2.state.status, 'RUNNING');
    assert.deepEqual(Object.keys(r2.state.pending), ['4']);
    // The late outcome of the cancelled task is ignored.
    const r3 = await step(m, r2.state, { k: 'taskSucceeded', seq: 1, output: 1 }, { now: T0 + 2, seed: 3 });
    assert.deepEqual([r3.events, r3.commands], [[], []]);
    const r4 = await step(m, r3.state, { k: 'timerFired', seq: 4 }, { now: T0 + 1001, seed: 4 });
    assert.deepEqual(r4.commands, [{ k: 'complete', status: 'SUCCEEDED' }]);
    assert.deepEqual(r4.state.output, { Error: 'Bad', Cause: 'b failed' });
  });

  test('the execution timeout is a timer; when it fires the execution times out and open work is cancelled', async () => {
    const def = { TimeoutSeconds: 10, StartAt: 'T', States: { T: { Type: 'Task', Resource: `${FN}slow`, End: true } } };
    const m = compileMachine(def);
    const r1 = await step(m, initialState(info({})), { k: 'start', info: info({}) }, { now: T0, seed: 1 });
    assert.deepEqual(r1.commands[0], { k: 'startTimer', seq: 1, delayMs: 10000, why: 'executionTimeout' });
    assert.equal(r1.commands[1]!.k, 'invokeTask');
    const r2 = await step(m, r1.state, { k: 'timerFired', seq: 1 }, { now: T0 + 10000, seed: 2 });
    assert.deepEqual(r2.commands, [
      { k: 'cancel', seq: 2 },
      { k: 'complete', status: 'TIMED_OUT' },
    ]);
    assert.deepEqual(
      r2.events.map((e) => [e.type, e.details]),
      [
        ['TaskStateAborted', undefined],
        ['ExecutionTimedOut', { error: 'States.Timeout' }],
      ],
    );
    assert.equal(r2.state.status, 'TIMED_OUT');
  });

  test('stop aborts the execution with the given error and cause', async () => {
    const def = { StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 100, End: true } } };
    const m = compileMachine(def);
    const r1 = await step(m, initialState(info({})), { k: 'start', info: info({}) }, { now: T0, seed: 1 });
    const r2 = await step(m, r1.state, { k: 'stop', error: 'Halt', cause: 'user' }, { now: T0 + 5, seed: 2 });
    assert.deepEqual(
      r2.events.map((e) => [e.id, e.previousEventId, e.type, e.details]),
      [
        [3, 2, 'WaitStateAborted', undefined],
        [4, 3, 'ExecutionAborted', { error: 'Halt', cause: 'user' }],
      ],
    );
    assert.deepEqual(r2.commands, [
      { k: 'cancel', seq: 1 },
      { k: 'complete', status: 'ABORTED' },
    ]);
    assert.deepEqual([r2.state.status, r2.state.error, r2.state.cause], ['ABORTED', 'Halt', 'user']);
    // A finished execution takes no more input.
    const r3 = await step(m, r2.state, { k: 'timerFired', seq: 1 }, { now: T0 + 6, seed: 3 });
    assert.deepEqual([r3.events, r3.commands], [[], []]);
  });

  test('a second start input is ignored', async () => {
    const def = { StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 1, End: true } } };
    const m = compileMachine(def);
    const r1 = await step(m, initialState(info({})), { k: 'start', info: info({}) }, { now: T0, seed: 1 });
    const r2 = await step(m, r1.state, { k: 'start', info: info({}) }, { now: T0, seed: 1 });
    assert.deepEqual([r2.events, r2.commands], [[], []]);
  });
});
