import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compileMachine as compileJson } from '../asl/compile.js';
import type { Machine } from '../asl/model.js';
import type { Json, JsonObject } from '../shared/json.js';
import type { Command } from './commands.js';
import type { ExecState, ExecutionInfo, MapWait, ParallelWait } from './exec-state.js';
import type { HistoryEvent } from './history.js';
import type { EngineInput } from './inputs.js';
import { NOT_REDRIVABLE, notRedrivableMessage, redriveBlocker } from './redrive.js';
import { initialState, step } from './step.js';

const T0 = Date.UTC(2024, 0, 1);
const FN = 'arn:aws:lambda:us-east-1:123456789012:function:';
const ARN = 'arn:aws:states:us-east-1:123456789012:execution:M:e1';

const compileMachine = (def: object): Machine => compileJson(def as Json);

function info(input: Json, startTime = T0): ExecutionInfo {
  return {
    executionArn: ARN,
    name: 'e1',
    stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:M',
    stateMachineName: 'M',
    roleArn: 'arn:aws:iam::123456789012:role/r',
    startTime,
    input,
    redriveCount: 0,
  };
}

type InvokeTask = Extract<Command, { k: 'invokeTask' }>;
/** How a test answers a task: an input to feed back, or null to leave it open. */
type Respond = (c: InvokeTask) => EngineInput | null;

interface Trace {
  events: HistoryEvent[];
  commands: Command[];
  invocations: InvokeTask[];
  state: ExecState;
}

/**
 * Feeds `first`, then answers every invokeTask (with `respond`) and fires every Wait/retry timer, in the
 * order the commands came, until nothing is left to feed. The state goes through JSON after every step
 * (the stores persist it so). Time moves one second per step.
 */
class Execution {
  now = T0;
  state: ExecState;
  readonly events: HistoryEvent[] = [];

  constructor(
    readonly m: Machine,
    readonly input: Json,
    startTime = T0,
  ) {
    this.state = initialState(info(input, startTime));
    this.now = startTime;
  }

  async feed(first: EngineInput, respond: Respond = () => null, o: { fireTimers?: boolean; maxHistoryEvents?: number } = {}): Promise<Trace> {
    const t: Trace = { events: [], commands: [], invocations: [], state: this.state };
    const queue: EngineInput[] = [first];
    for (let n = 0; queue.length; n++) {
      assert.ok(n < 200, 'the execution does not settle');
      const r = await step(this.m, this.state, queue.shift()!, { now: this.now, seed: 7 + n }, o.maxHistoryEvents ? { maxHistoryEvents: o.maxHistoryEvents } : undefined);
      this.now += 1000;
      this.state = JSON.parse(JSON.stringify(r.state)) as ExecState;
      t.events.push(...r.events);
      t.commands.push(...r.commands);
      for (const c of r.commands) {
        if (c.k === 'invokeTask') {
          t.invocations.push(c);
          const a = respond(c);
          if (a) queue.push(a);
        } else if (c.k === 'startTimer' && c.why !== 'executionTimeout' && o.fireTimers !== false) queue.push({ k: 'timerFired', seq: c.seq });
      }
    }
    this.events.push(...t.events);
    t.state = this.state;
    return t;
  }

  start(respond?: Respond, fireTimers = true): Promise<Trace> {
    return this.feed({ k: 'start', info: info(this.input, this.state.info.startTime) }, respond, { fireTimers });
  }

  redrive(respond?: Respond): Promise<Trace> {
    return this.feed({ k: 'redrive', time: this.now }, respond);
  }
}

const fnName = (c: InvokeTask): string => (c.resource.kind === 'lambda-function' ? c.resource.functionName : '?');
const ok =
  (out: (c: InvokeTask) => Json = (c) => ({ from: fnName(c), got: c.input })): Respond =>
  (c) => ({ k: 'taskSucceeded', seq: c.seq, output: out(c) });
const fail = (c: InvokeTask): EngineInput => ({ k: 'taskFailed', seq: c.seq, error: 'Boom', cause: `${fnName(c)} failed` });

const types = (es: HistoryEvent[]) => es.map((e) => e.type);
const named = (es: HistoryEvent[], type: string, name: string) => es.find((e) => e.type === type && (e.details as JsonObject | undefined)?.name === name)!;

/** Ids run 1..n over the whole history; every event links to an earlier one (the first state to 0). */
function assertWellLinked(all: HistoryEvent[]): void {
  assert.deepEqual(
    all.map((e) => e.id),
    all.map((_, i) => i + 1),
  );
  for (const e of all.slice(1)) assert.ok(e.previousEventId >= 0 && e.previousEventId < e.id, `event ${e.id} (${e.type}) links to ${e.previousEventId}`);
}

describe('redrive: a Task failure at the top level', () => {
  const def = {
    StartAt: 'P1',
    States: {
      P1: { Type: 'Pass', Result: 'one', ResultPath: '$.p1', Next: 'P2' },
      P2: { Type: 'Pass', Parameters: { 'seen.$': '$.p1' }, ResultPath: '$.p2', Next: 'T' },
      T: {
        Type: 'Task',
        Resource: `${FN}work`,
        Parameters: { 'p2.$': '$.p2', 'redrives.$': '$$.Execution.RedriveCount', 'entered.$': '$$.State.EnteredTime' },
        Retry: [{ ErrorEquals: ['Boom'], MaxAttempts: 1, IntervalSeconds: 1 }],
        ResultPath: '$.t',
        Next: 'P3',
      },
      P3: { Type: 'Pass', Parameters: { 'data.$': '$', 'execution.$': '$$.Execution' }, End: true },
    },
  };

  test('re-runs from the Task with its input: no earlier state again, the retries start over, the output is right', async () => {
    const ex = new Execution(compileMachine(def), { x: 1 });
    const first = await ex.start(fail);
    assert.equal(first.state.status, 'FAILED');
    assert.deepEqual(
      first.invocations.map((c) => c.attempt),
      [0, 1],
    );
    const lastId = first.events.at(-1)!.id;
    const entered = named(first.events, 'TaskStateEntered', 'T');

    let calls = 0;
    const redriveAt = ex.now;
    const second = await ex.redrive((c) => (++calls === 1 ? fail(c) : ok()(c)));
    assert.equal(second.state.status, 'SUCCEEDED', JSON.stringify([second.state.error, second.state.cause]));
    // The Task ran again, its Retry counters from zero; the Pass states before it did not.
    assert.deepEqual(
      second.invocations.map((c) => [fnName(c), c.attempt]),
      [
        ['work', 0],
        ['work', 1],
      ],
    );
    assert.deepEqual(types(second.events).filter((t) => t.endsWith('StateEntered')), ['PassStateEntered']);
    assert.equal(named(second.events, 'PassStateEntered', 'P3').type, 'PassStateEntered');
    // Same input as the original attempt, but the context tells the redrive; the state keeps its entry time.
    const before = first.invocations[0]!.input as JsonObject;
    const after = second.invocations[0]!.input as JsonObject;
    assert.deepEqual(before.p2, { seen: 'one' });
    assert.deepEqual(after.p2, before.p2);
    assert.deepEqual([before.redrives, after.redrives], [0, 1]);
    assert.equal(after.entered, before.entered);
    const out = second.state.output as JsonObject;
    assert.deepEqual((out.data as JsonObject).t, { from: 'work', got: after });
    assert.deepEqual((out.data as JsonObject).p1, 'one');
    assert.deepEqual(out.execution, {
      Id: ARN,
      Input: { x: 1 },
      StartTime: '2024-01-01T00:00:00.000Z',
      Name: 'e1',
      RoleArn: 'arn:aws:iam::123456789012:role/r',
      RedriveCount: 1,
      RedriveTime: new Date(redriveAt).toISOString(),
    });
    assert.equal(second.state.info.redriveCount, 1);

    // ExecutionRedriven follows the event that ended the execution; the Task's new scheduling links
    // to its original TaskStateEntered (as AWS records it); ids go on from the last one.
    const [redriven, scheduled] = second.events;
    assert.deepEqual(
      [redriven!.id, redriven!.previousEventId, redriven!.type, redriven!.details],
      [lastId + 1, lastId, 'ExecutionRedriven', { redriveCount: 1 }],
    );
    assert.deepEqual([scheduled!.type, scheduled!.previousEventId], ['LambdaFunctionScheduled', entered.id]);
    assertWellLinked(ex.events);
  });

  test('a second failure can be redriven again: redriveCount 2', async () => {
    const ex = new Execution(compileMachine(def), { x: 1 });
    await ex.start(fail);
    const second = await ex.redrive(fail);
    assert.equal(second.state.status, 'FAILED');
    assert.equal(second.state.error, 'Boom');
    const third = await ex.redrive(ok());
    assert.equal(third.state.status, 'SUCCEEDED');
    assert.equal(third.state.info.redriveCount, 2);
    assert.deepEqual((third.invocations[0]!.input as JsonObject).redrives, 2);
    assert.equal(((third.state.output as JsonObject).execution as JsonObject).RedriveCount, 2);
    const redriven = ex.events.filter((e) => e.type === 'ExecutionRedriven');
    assert.deepEqual(
      redriven.map((e) => e.details),
      [{ redriveCount: 1 }, { redriveCount: 2 }],
    );
    // Each ExecutionRedriven follows an ExecutionFailed.
    const byId = new Map(ex.events.map((e) => [e.id, e]));
    assert.deepEqual(
      redriven.map((e) => byId.get(e.previousEventId)!.type),
      ['ExecutionFailed', 'ExecutionFailed'],
    );
    assertWellLinked(ex.events);
  });
});

describe('redrive: Parallel', () => {
  const def = {
    StartAt: 'P',
    States: {
      P: {
        Type: 'Parallel',
        Branches: [
          { StartAt: 'A', States: { A: { Type: 'Task', Resource: `${FN}a`, End: true } } },
          { StartAt: 'B', States: { B: { Type: 'Task', Resource: `${FN}b`, End: true } } },
          { StartAt: 'C', States: { C: { Type: 'Task', Resource: `${FN}c`, End: true } } },
        ],
        End: true,
      },
    },
  };

  test('a Catch-less branch failure: only the failed and the aborted branches run again; the others keep their results', async () => {
    const ex = new Execution(compileMachine(def), { n: 1 });
    // a succeeds, b fails, c is still running when b fails (it is aborted).
    const first = await ex.start((c) => (fnName(c) === 'a' ? ok()(c) : fnName(c) === 'b' ? fail(c) : null));
    assert.equal(first.state.status, 'FAILED');
    const w = first.state.root!.wait as ParallelWait;
    assert.equal(w.k, 'parallel');
    assert.deepEqual(
      w.children.map((c) => (c ? [c.state, c.halted] : null)),
      [null, ['B', true], ['C', true]],
    );

    const second = await ex.redrive(ok((c) => `${fnName(c)} again`));
    assert.equal(second.state.status, 'SUCCEEDED');
    const count = (n: string) => [...first.invocations, ...second.invocations].filter((c) => fnName(c) === n).length;
    assert.deepEqual([count('a'), count('b'), count('c')], [1, 2, 2]);
    assert.deepEqual(second.state.output, [{ from: 'a', got: { n: 1 } }, 'b again', 'c again']);
    // No new ParallelStateStarted or TaskStateEntered: the branches continue in their states.
    assert.deepEqual(types(second.events), [
      'ExecutionRedriven',
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
      'LambdaFunctionSucceeded',
      'TaskStateExited',
      'LambdaFunctionSucceeded',
      'TaskStateExited',
      'ParallelStateSucceeded',
      'ParallelStateExited',
      'ExecutionSucceeded',
    ]);
    const scheduled = second.events.filter((e) => e.type === 'LambdaFunctionScheduled');
    assert.deepEqual(
      scheduled.map((e) => e.previousEventId),
      [named(first.events, 'TaskStateEntered', 'B').id, named(first.events, 'TaskStateEntered', 'C').id],
    );
    assertWellLinked(ex.events);
  });

  test('after States.DataLimitExceeded the whole Parallel state runs again, its successful branches too', async () => {
    const big = 'x'.repeat(300_000);
    const ex = new Execution(compileMachine(def), {});
    const first = await ex.start((c) => (fnName(c) === 'a' ? ok()(c) : fnName(c) === 'b' ? ok(() => big)(c) : null));
    assert.equal(first.state.status, 'FAILED');
    assert.equal(first.state.error, 'States.DataLimitExceeded');
    const second = await ex.redrive(ok((c) => fnName(c)));
    assert.equal(second.state.status, 'SUCCEEDED');
    assert.deepEqual(
      second.invocations.map(fnName),
      ['a', 'b', 'c'],
    );
    assert.deepEqual(second.state.output, ['a', 'b', 'c']);
    assert.ok(types(second.events).includes('ParallelStateStarted'));
  });

  test('branches that never started because an earlier one failed at once are started on redrive', async () => {
    const d = {
      StartAt: 'P',
      States: {
        P: {
          Type: 'Parallel',
          Parameters: { 'v.$': '$.v' },
          Branches: [
            // No rule matches before the redrive: the Choice fails at once (States.NoChoiceMatched).
            { StartAt: 'F', States: { F: { Type: 'Choice', Choices: [{ Variable: '$$.Execution.RedriveCount', NumericGreaterThan: 0, Next: 'Ok' }] }, Ok: { Type: 'Pass', Result: 'ok', End: true } } },
            { StartAt: 'T', States: { T: { Type: 'Task', Resource: `${FN}t`, End: true } } },
          ],
          End: true,
        },
      },
    };
    const ex = new Execution(compileMachine(d), { v: 5 });
    const first = await ex.start(ok());
    assert.equal(first.state.error, 'States.NoChoiceMatched');
    assert.equal(first.invocations.length, 0);
    const second = await ex.redrive(ok((c) => c.input));
    // The Choice is evaluated again (now it matches); the branch that never ran starts with the state's effective input.
    assert.equal(second.state.status, 'SUCCEEDED');
    assert.deepEqual(
      second.invocations.map((c) => [fnName(c), c.input]),
      [['t', { v: 5 }]],
    );
    assert.deepEqual(second.state.output, ['ok', { v: 5 }]);
    assert.equal(second.events[1]!.type, 'ChoiceStateExited');
    assert.equal(second.events[1]!.previousEventId, named(first.events, 'ChoiceStateEntered', 'F').id);
    assertWellLinked(ex.events);
  });
});

describe('redrive: inline Map', () => {
  const def = (extra: object) => ({
    StartAt: 'M',
    States: {
      M: {
        Type: 'Map',
        ItemsPath: '$.items',
        ...extra,
        ItemProcessor: { StartAt: 'W', States: { W: { Type: 'Task', Resource: `${FN}work`, End: true } } },
        End: true,
      },
    },
  });

  test('the tolerated-failure threshold exceeded: only the failed and the aborted iterations run again', async () => {
    const ex = new Execution(compileMachine(def({ ToleratedFailureCount: 1 })), { items: [0, 1, 2, 3, 4] });
    // 0 and 2 succeed, 1 and 3 fail (the second failure exceeds the threshold), 4 is still running.
    const first = await ex.start((c) => ((c.input as number) % 2 === 1 ? fail(c) : c.input === 4 ? null : ok((x) => x.input)(c)));
    assert.equal(first.state.status, 'FAILED');
    assert.equal(first.state.error, 'States.ExceedToleratedFailureThreshold');
    const w = first.state.root!.wait as MapWait;
    assert.deepEqual(Object.keys(w.children), ['1', '3', '4']);

    const second = await ex.redrive(ok((c) => `item ${c.input as number} again`));
    assert.equal(second.state.status, 'SUCCEEDED', JSON.stringify(second.state.error));
    assert.deepEqual(
      second.invocations.map((c) => c.input),
      [1, 3, 4],
    );
    assert.deepEqual(second.state.output, [0, 'item 1 again', 2, 'item 3 again', 'item 4 again']);
    assert.ok(!types(second.events).includes('MapStateStarted'));
    assert.ok(!types(second.events).includes('MapIterationStarted'));
    assert.deepEqual(
      second.events.filter((e) => e.type === 'MapIterationSucceeded').map((e) => (e.details as JsonObject).index),
      [1, 3, 4],
    );
    assertWellLinked(ex.events);
  });

  test('with MaxConcurrency 1 the failed iteration resumes first, then the items never started', async () => {
    const ex = new Execution(compileMachine(def({ MaxConcurrency: 1 })), { items: ['a', 'b', 'c'] });
    const first = await ex.start((c) => (c.input === 'b' ? fail(c) : ok((x) => x.input)(c)));
    assert.equal(first.state.status, 'FAILED');
    assert.deepEqual(first.invocations.map((c) => c.input), ['a', 'b']);
    const enteredB = first.events.filter((e) => e.type === 'TaskStateEntered')[1]!;

    const second = await ex.redrive(ok((c) => `${c.input as string}!`));
    assert.equal(second.state.status, 'SUCCEEDED');
    assert.deepEqual(second.invocations.map((c) => c.input), ['b', 'c']);
    assert.deepEqual(second.state.output, ['a', 'b!', 'c!']);
    // b continues in its state (linked to its TaskStateEntered); c starts as a new iteration.
    assert.equal(second.events[1]!.type, 'LambdaFunctionScheduled');
    assert.equal(second.events[1]!.previousEventId, enteredB.id);
    assert.deepEqual(
      second.events.filter((e) => e.type === 'MapIterationStarted').map((e) => (e.details as JsonObject).index),
      [2],
    );
    assertWellLinked(ex.events);
  });

  test('the failed Map keeps one copy of the variables, not one per iteration; redriven iterations see them', async () => {
    const big = 'v'.repeat(20_000);
    const d = {
      StartAt: 'Set',
      States: {
        Set: { Type: 'Pass', Assign: { big }, Next: 'M' },
        M: {
          Type: 'Map',
          ItemsPath: '$.items',
          ItemProcessor: {
            StartAt: 'W',
            States: { W: { Type: 'Task', Resource: `${FN}work`, Parameters: { 'i.$': '$', 'v.$': '$big' }, End: true } },
          },
          End: true,
        },
      },
    };
    const ex = new Execution(compileMachine(d), { items: [0, 1, 2, 3, 4, 5] });
    const first = await ex.start((c) => ((c.input as JsonObject).i === 0 ? fail(c) : null));
    assert.equal(first.state.status, 'FAILED');
    const text = JSON.stringify(first.state);
    assert.equal(text.split(big).length - 1, 1, 'the variable is kept once');
    const second = await ex.redrive(ok((c) => (c.input as JsonObject).i as number));
    assert.equal(second.state.status, 'SUCCEEDED');
    assert.equal(second.invocations.length, 6);
    for (const c of second.invocations) assert.equal((c.input as JsonObject).v, big);
    assert.deepEqual(second.state.output, [0, 1, 2, 3, 4, 5]);
  });
});

describe('redrive: Distributed Map', () => {
  test('the Map Run is redriven (MapRunRedriven with its ARN and count); only the failed child executions run again', async () => {
    const def = {
      StartAt: 'M',
      States: {
        M: {
          Type: 'Map',
          ItemsPath: '$.items',
          ItemProcessor: {
            ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
            StartAt: 'W',
            States: { W: { Type: 'Task', Resource: `${FN}work`, End: true } },
          },
          End: true,
        },
      },
    };
    // Answers come in order: 1 and 3 succeed before 2 fails.
    const ex = new Execution(compileMachine(def), { items: [1, 3, 2] });
    const first = await ex.start((c) => (c.input === 2 ? fail(c) : ok((x) => x.input)(c)));
    assert.equal(first.state.status, 'FAILED');
    const runArn = (first.events.find((e) => e.type === 'MapRunStarted')!.details as JsonObject).mapRunArn;
    assert.match(String(runArn), /^arn:aws:states:us-east-1:123456789012:mapRun:M\/M:/);
    const second = await ex.redrive(ok((c) => `${c.input as number} again`));
    assert.equal(second.state.status, 'SUCCEEDED');
    assert.deepEqual(second.invocations.map((c) => c.input), [2]);
    assert.deepEqual(second.state.output, [1, 3, '2 again']);
    assert.deepEqual(types(second.events), ['ExecutionRedriven', 'MapRunRedriven', 'MapRunSucceeded', 'MapStateSucceeded', 'MapStateExited', 'ExecutionSucceeded']);
    assert.deepEqual(second.events[1]!.details, { mapRunArn: runArn, redriveCount: 1 });
    assertWellLinked(ex.events);
  });
});

describe('redrive: nested', () => {
  test('a Map inside a Parallel branch: only the failed iteration runs again', async () => {
    const def = {
      StartAt: 'P',
      States: {
        P: {
          Type: 'Parallel',
          Branches: [
            { StartAt: 'X', States: { X: { Type: 'Task', Resource: `${FN}x`, End: true } } },
            {
              StartAt: 'M',
              States: {
                M: {
                  Type: 'Map',
                  ItemsPath: '$.items',
                  ItemProcessor: { StartAt: 'W', States: { W: { Type: 'Task', Resource: `${FN}work`, End: true } } },
                  End: true,
                },
              },
            },
          ],
          End: true,
        },
      },
    };
    // Answers come in order: x, 1 and 3 succeed before 2 fails (so no iteration is left running).
    const ex = new Execution(compileMachine(def), { items: [1, 3, 2] });
    const first = await ex.start((c) => (c.input === 2 ? fail(c) : ok((x) => (fnName(x) === 'x' ? 'x' : x.input))(c)));
    assert.equal(first.state.status, 'FAILED');
    const second = await ex.redrive(ok((c) => `${c.input as number} again`));
    assert.equal(second.state.status, 'SUCCEEDED');
    assert.deepEqual(
      second.invocations.map((c) => [fnName(c), c.input]),
      [['work', 2]],
    );
    assert.deepEqual(second.state.output, ['x', [1, 3, '2 again']]);
    assert.deepEqual(types(second.events), [
      'ExecutionRedriven',
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
      'LambdaFunctionSucceeded',
      'TaskStateExited',
      'MapIterationSucceeded',
      'MapStateSucceeded',
      'MapStateExited',
      'ParallelStateSucceeded',
      'ParallelStateExited',
      'ExecutionSucceeded',
    ]);
    assertWellLinked(ex.events);
  });
});

describe('redrive: TIMED_OUT and ABORTED executions', () => {
  test('an execution that timed out resumes its Task and arms the execution timeout anew', async () => {
    const def = {
      TimeoutSeconds: 10,
      StartAt: 'Pre',
      States: { Pre: { Type: 'Pass', Next: 'T' }, T: { Type: 'Task', Resource: `${FN}slow`, End: true } },
    };
    const ex = new Execution(compileMachine(def), { k: 1 });
    const first = await ex.start();
    const timeout = first.commands.find((c) => c.k === 'startTimer' && c.why === 'executionTimeout') as Extract<Command, { k: 'startTimer' }>;
    const timedOut = await ex.feed({ k: 'timerFired', seq: timeout.seq });
    assert.equal(timedOut.state.status, 'TIMED_OUT');
    assert.equal(redriveBlocker(timedOut.state), undefined);

    const second = await ex.redrive();
    assert.equal(second.state.status, 'RUNNING');
    const again = second.commands.find((c) => c.k === 'startTimer') as Extract<Command, { k: 'startTimer' }>;
    assert.deepEqual([again.why, again.delayMs], ['executionTimeout', 10_000]);
    assert.ok(again.seq > timeout.seq);
    assert.deepEqual(second.invocations.map((c) => [fnName(c), c.input]), [['slow', { k: 1 }]]);
    assert.deepEqual(types(second.events), ['ExecutionRedriven', 'LambdaFunctionScheduled', 'LambdaFunctionStarted']);
    const done = await ex.feed({ k: 'taskSucceeded', seq: second.invocations[0]!.seq, output: 'late' });
    assert.equal(done.state.status, 'SUCCEEDED');
    assert.deepEqual(done.commands, [
      { k: 'cancel', seq: again.seq },
      { k: 'complete', status: 'SUCCEEDED' },
    ]);
    assertWellLinked(ex.events);
  });

  test('a stopped execution resumes the aborted Wait (its full delay again) and the aborted Map iterations', async () => {
    const def = {
      StartAt: 'M',
      States: {
        M: {
          Type: 'Map',
          ItemsPath: '$.items',
          ItemProcessor: { StartAt: 'W', States: { W: { Type: 'Task', Resource: `${FN}work`, End: true } } },
          Next: 'Pause',
        },
        Pause: { Type: 'Wait', Seconds: 100, End: true },
      },
    };
    // Stopped while iteration 1 runs (0 succeeded).
    const ex = new Execution(compileMachine(def), { items: [0, 1] });
    await ex.start((c) => (c.input === 0 ? ok((x) => x.input)(c) : null));
    const stopped = await ex.feed({ k: 'stop', error: 'Halt', cause: 'user' });
    assert.equal(stopped.state.status, 'ABORTED');
    const second = await ex.redrive(ok((c) => `${c.input as number} again`));
    assert.deepEqual(second.invocations.map((c) => c.input), [1]);
    assert.equal(second.state.status, 'SUCCEEDED');
    assert.deepEqual(second.state.output, [0, '1 again']);

    // Stopped during the Wait: the redrive waits the full 100 s again, without a new WaitStateEntered.
    const ex2 = new Execution(compileMachine(def), { items: [0] });
    const first2 = await ex2.start(ok((c) => c.input), false);
    const waitTimer = first2.commands.find((c) => c.k === 'startTimer')!;
    assert.ok(waitTimer);
    const r = await step(ex2.m, ex2.state, { k: 'stop' }, { now: ex2.now, seed: 1 });
    ex2.state = r.state;
    ex2.events.push(...r.events);
    assert.equal(r.state.status, 'ABORTED');
    const redriven = await step(ex2.m, ex2.state, { k: 'redrive', time: ex2.now }, { now: ex2.now, seed: 2 });
    assert.deepEqual(types(redriven.events), ['ExecutionRedriven']);
    assert.deepEqual(redriven.commands, [{ k: 'startTimer', seq: 3, delayMs: 100_000, why: 'wait', stateName: 'Pause' }]);
    const fired = await step(ex2.m, redriven.state, { k: 'timerFired', seq: 3 }, { now: ex2.now + 100_000, seed: 3 });
    assert.deepEqual(types(fired.events), ['WaitStateExited', 'ExecutionSucceeded']);
    assert.equal(fired.events[0]!.previousEventId, named(ex2.events, 'WaitStateEntered', 'Pause').id);
  });
});

describe('redrive: a Fail state', () => {
  test('fails again at once, ExecutionFailed following ExecutionRedriven (no new FailStateEntered)', async () => {
    const def = { StartAt: 'F', States: { F: { Type: 'Fail', Error: 'Nope', Cause: 'always' } } };
    const ex = new Execution(compileMachine(def), {});
    const first = await ex.start();
    const second = await ex.redrive();
    const last = first.events.at(-1)!.id;
    assert.deepEqual(
      second.events.map((e) => [e.id, e.previousEventId, e.type]),
      [
        [last + 1, last, 'ExecutionRedriven'],
        [last + 2, last + 1, 'ExecutionFailed'],
      ],
    );
    assert.deepEqual([second.state.status, second.state.error, second.state.cause], ['FAILED', 'Nope', 'always']);
  });
});

describe('redrive: when it is refused', () => {
  const def = { StartAt: 'T', States: { T: { Type: 'Task', Resource: `${FN}f`, End: true } } };

  test('a SUCCEEDED or RUNNING execution is not redriven, with AWS reason', async () => {
    const running = new Execution(compileMachine(def), {});
    await running.start();
    assert.equal(redriveBlocker(running.state), NOT_REDRIVABLE.running);
    assert.equal(NOT_REDRIVABLE.running, 'Execution is RUNNING and cannot be redriven');
    const before = JSON.stringify(running.state);
    const r1 = await running.redrive();
    assert.deepEqual([r1.events, r1.commands], [[], []]);
    assert.equal(JSON.stringify(running.state), before);

    const done = new Execution(compileMachine(def), {});
    await done.start(ok());
    assert.equal(done.state.status, 'SUCCEEDED');
    assert.equal(redriveBlocker(done.state), 'Execution is SUCCEEDED and cannot be redriven');
    const r2 = await done.redrive(ok());
    assert.deepEqual([r2.events, r2.commands, r2.state.info.redriveCount], [[], [], 0]);
    assert.equal(
      notRedrivableMessage(ARN, NOT_REDRIVABLE.succeeded),
      `Execution ${ARN} invalid for redrive as: Execution is SUCCEEDED and cannot be redriven`,
    );
  });

  test('the other AWS reasons: history limit, redrivable period, one-year limit, start before the launch, deleting', async () => {
    const ex = new Execution(compileMachine(def), {});
    await ex.start(fail);
    assert.equal(ex.state.status, 'FAILED');
    const stopped = ex.state.stopTime!;
    assert.equal(redriveBlocker(ex.state, { now: stopped + 14 * 86_400_000 }), undefined);
    assert.equal(redriveBlocker(ex.state, { now: stopped + 14 * 86_400_000 + 1 }), 'Execution redrivable period exceeded');
    assert.equal(redriveBlocker({ ...ex.state, stopTime: T0 + 366 * 86_400_000 }, { now: T0 + 366 * 86_400_000 }), 'Execution has exceeded the max execution time');
    assert.equal(redriveBlocker(ex.state, { maxHistoryEvents: ex.state.lastEventId + 1 }), 'Execution history event limit exceeded');
    assert.equal(redriveBlocker(ex.state, { maxHistoryEvents: ex.state.lastEventId + 2 }), undefined);
    assert.equal(redriveBlocker({ ...ex.state, lastEventId: 24_999 }), 'Execution history event limit exceeded');
    assert.equal(redriveBlocker({ ...ex.state, lastEventId: 24_998 }), undefined);
    assert.equal(redriveBlocker(ex.state, { stateMachineDeleting: true }), 'State machine is in DELETING status');
    const old = new Execution(compileMachine(def), {}, Date.UTC(2023, 10, 14));
    await old.start(fail);
    assert.equal(redriveBlocker(old.state), 'Execution was started before the launch of RedriveExecution');
    // The step refuses what redriveBlocker refuses.
    const late = await ex.feed({ k: 'redrive', time: stopped + 15 * 86_400_000 });
    assert.deepEqual([late.events, late.state.status], [[], 'FAILED']);
    const full = await ex.feed({ k: 'redrive', time: ex.now }, ok(), { maxHistoryEvents: ex.state.lastEventId + 1 });
    assert.deepEqual([full.events, full.state.status], [[], 'FAILED']);
  });
});
