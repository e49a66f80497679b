import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { StateMachine, type ExecutionResult } from '../../library/state-machine.js';
import { ManualClock, settle } from '../../runtime/clock.js';
import type { Json, JsonObject } from '../../shared/json.js';

const T0 = Date.UTC(2024, 0, 1);
const FN = 'arn:aws:lambda:us-east-1:123456789012:function:';

/** A function whose invocations the test finishes by hand, in any order. */
class Gate {
  started: number[] = [];
  running = 0;
  maxRunning = 0;
  #open = new Map<number, (v: Json) => void>();
  readonly fn = (e: { i: number }) =>
    new Promise<Json>((resolve) => {
      this.started.push(e.i);
      this.running++;
      this.maxRunning = Math.max(this.maxRunning, this.running);
      this.#open.set(e.i, (v) => {
        this.running--;
        resolve(v);
      });
    });
  async finish(i: number, v: Json = `done ${i}`): Promise<void> {
    const f = this.#open.get(i);
    assert.ok(f, `item ${i} is not running`);
    this.#open.delete(i);
    f(v);
    await settle();
  }
}

function mapMachine(map: JsonObject, processor?: JsonObject) {
  return {
    StartAt: 'M',
    States: {
      M: {
        Type: 'Map',
        ItemSelector: { 'i.$': '$$.Map.Item.Index', 'v.$': '$$.Map.Item.Value' },
        ItemProcessor: processor ?? { StartAt: 'Work', States: { Work: { Type: 'Task', Resource: `${FN}work`, End: true } } },
        End: true,
        ...map,
      },
    },
  };
}

const types = (r: ExecutionResult) => r.events.map((e) => e.type);

describe('Map: concurrency and order', () => {
  test('MaxConcurrency 2: two iterations at a time, started in item order, results in item order', async () => {
    const gate = new Gate();
    const ex = new StateMachine(mapMachine({ MaxConcurrency: 2 }), { functions: { work: gate.fn } }).start(['a', 'b', 'c', 'd', 'e']);
    await settle();
    assert.deepEqual(gate.started, [0, 1]);
    await gate.finish(1);
    assert.deepEqual(gate.started, [0, 1, 2]);
    await gate.finish(2);
    assert.deepEqual(gate.started, [0, 1, 2, 3]);
    await gate.finish(0);
    assert.deepEqual(gate.started, [0, 1, 2, 3, 4]);
    await gate.finish(4);
    await gate.finish(3);
    const r = await ex.done;
    assert.equal(gate.maxRunning, 2);
    assert.deepEqual(r.output, ['done 0', 'done 1', 'done 2', 'done 3', 'done 4']);
    // Iteration events come in the order things happened.
    assert.deepEqual(
      r.events.filter((e) => e.type.startsWith('MapIteration')).map((e) => `${e.type.slice(12)} ${(e.details as JsonObject).index}`),
      ['Started 0', 'Started 1', 'Succeeded 1', 'Started 2', 'Succeeded 2', 'Started 3', 'Succeeded 0', 'Started 4', 'Succeeded 4', 'Succeeded 3'],
    );
  });

  test('no MaxConcurrency (or 0) runs every item at once', async () => {
    for (const map of [{}, { MaxConcurrency: 0 }] as JsonObject[]) {
      const gate = new Gate();
      const ex = new StateMachine(mapMachine(map), { functions: { work: gate.fn } }).start([1, 2, 3, 4]);
      await settle();
      assert.deepEqual(gate.started, [0, 1, 2, 3]);
      for (const i of [3, 2, 1, 0]) await gate.finish(i, i * 10);
      assert.deepEqual((await ex.done).output, [0, 10, 20, 30]);
    }
  });

  test('MaxConcurrencyPath reads the limit from the input', async () => {
    const gate = new Gate();
    const ex = new StateMachine(mapMachine({ ItemsPath: '$.items', MaxConcurrencyPath: '$.limit' }), { functions: { work: gate.fn } }).start({ items: [1, 2, 3], limit: 1 });
    await settle();
    assert.deepEqual(gate.started, [0]);
    await gate.finish(0);
    assert.deepEqual(gate.started, [0, 1]);
    await gate.finish(1);
    await gate.finish(2);
    assert.equal((await ex.done).status, 'SUCCEEDED');
    assert.equal(gate.maxRunning, 1);
  });

  test('Wait states in iterations fire by the clock; MaxConcurrency 1 runs them one after the other', async () => {
    const clock = new ManualClock(T0);
    const ex = new StateMachine(
      mapMachine({ MaxConcurrency: 1, ItemSelector: { 's.$': '$$.Map.Item.Value' } }, { StartAt: 'W', States: { W: { Type: 'Wait', SecondsPath: '$.s', End: true } } }),
      { clock },
    ).start([3, 1, 2]);
    await clock.advance(6000);
    const r = await ex.done;
    assert.equal(r.status, 'SUCCEEDED');
    assert.deepEqual(
      r.events.filter((e) => e.type === 'MapIterationSucceeded').map((e) => e.timestamp - T0),
      [3000, 4000, 6000],
    );
  });
});

describe('Map: input, selection and output', () => {
  test('ItemsPath, ItemSelector with the context item, ResultSelector and ResultPath', async () => {
    const r = await new StateMachine({
      StartAt: 'M',
      States: {
        M: {
          Type: 'Map',
          ItemsPath: '$.list',
          ItemSelector: { 'index.$': '$$.Map.Item.Index', 'value.$': '$$.Map.Item.Value', 'tag.$': '$.tag' },
          ItemProcessor: { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } },
          ResultSelector: { 'count.$': 'States.ArrayLength($)', 'items.$': '$' },
          ResultPath: '$.mapped',
          End: true,
        },
      },
    }).run({ list: ['x', 'y'], tag: 't' });
    assert.deepEqual(r.output, {
      list: ['x', 'y'],
      tag: 't',
      mapped: {
        count: 2,
        items: [
          { index: 0, value: 'x', tag: 't' },
          { index: 1, value: 'y', tag: 't' },
        ],
      },
    });
    assert.deepEqual((r.events.find((e) => e.type === 'MapStateStarted')!.details as JsonObject).length, 2);
  });

  test('an empty array gives [] at once', async () => {
    const r = await new StateMachine(mapMachine({})).run([]);
    assert.deepEqual(r.output, []);
    assert.deepEqual(types(r), ['ExecutionStarted', 'MapStateEntered', 'MapStateStarted', 'MapStateSucceeded', 'MapStateExited', 'ExecutionSucceeded']);
  });

  test('items that are not an array fail with States.Runtime', async () => {
    const r = await new StateMachine(mapMachine({ ItemsPath: '$.items' })).run({ items: { a: 1 } });
    assert.equal(r.error, 'States.Runtime');
    assert.equal(r.cause, `An error occurred while executing the state 'M' (entered at the event id #2). Map state input must be an array but was: {"a":1}`);
  });

  test('JSONata: Items, ItemSelector and Output are expressions', async () => {
    const r = await new StateMachine({
      QueryLanguage: 'JSONata',
      StartAt: 'M',
      States: {
        M: {
          Type: 'Map',
          Items: '{% $states.input.numbers[$ > 1] %}',
          ItemSelector: { n: '{% $states.context.Map.Item.Value %}', i: '{% $states.context.Map.Item.Index %}' },
          ItemProcessor: { StartAt: 'P', States: { P: { Type: 'Pass', Output: '{% $states.input.n * 10 + $states.input.i %}', End: true } } },
          Output: '{% $sum($states.result) %}',
          End: true,
        },
      },
    }).run({ numbers: [1, 2, 3] });
    assert.equal(r.status, 'SUCCEEDED', r.cause);
    assert.equal(r.output, 20 + 31);
  });
});

describe('Map: failures', () => {
  test('a failing iteration fails the state and aborts the running ones', async () => {
    const gate = new Gate();
    const ex = new StateMachine(mapMachine({}, {
      StartAt: 'Work',
      States: { Work: { Type: 'Task', Resource: `${FN}work`, End: true } },
    }), {
      functions: {
        work: (e: { i: number; v: Json }) => (e.v === 'bad' ? Promise.reject(Object.assign(new Error('no'), { name: 'ItemError' })) : gate.fn(e)),
      },
    }).start(['ok', 'bad', 'ok']);
    const r = await ex.done;
    assert.equal(r.status, 'FAILED');
    assert.equal(r.error, 'ItemError');
    assert.deepEqual(
      r.events.filter((e) => e.type.startsWith('Map')).map((e) => `${e.type}${e.type.startsWith('MapIteration') ? ` ${(e.details as JsonObject).index}` : ''}`),
      [
        'MapStateEntered',
        'MapStateStarted',
        'MapIterationStarted 0',
        'MapIterationStarted 1',
        'MapIterationStarted 2',
        'MapIterationFailed 1',
        'MapIterationAborted 0',
        'MapIterationAborted 2',
        'MapStateFailed',
      ],
    );
    assert.equal(r.events.filter((e) => e.type === 'TaskStateAborted').length, 2);
  });

  test('ToleratedFailureCount: up to that many failed items are tolerated', async () => {
    const functions = { work: (e: { v: string }) => (e.v === 'bad' ? Promise.reject(Object.assign(new Error('no'), { name: 'ItemError' })) : e.v) };
    const items = ['a', 'bad', 'c', 'bad'];
    const ok = await new StateMachine(mapMachine({ ToleratedFailureCount: 2 }), { functions }).run(items);
    assert.equal(ok.status, 'SUCCEEDED', ok.cause);
    const out = ok.output as Json[];
    assert.deepEqual([out[0], out[2]], ['a', 'c']);
    assert.equal((out[1] as JsonObject).Error, 'ItemError');
    const over = await new StateMachine(mapMachine({ ToleratedFailureCount: 1 }), { functions }).run(items);
    assert.deepEqual([over.status, over.error, over.cause], ['FAILED', 'States.ExceedToleratedFailureThreshold', 'The specified tolerance threshold was exceeded.']);
  });

  test('ToleratedFailurePercentage: the share of failed items may reach it, not pass it', async () => {
    const functions = { work: (e: { v: string }) => (e.v === 'bad' ? Promise.reject(new Error('no')) : e.v) };
    const items = ['a', 'bad', 'c', 'd'];
    assert.equal((await new StateMachine(mapMachine({ ToleratedFailurePercentage: 25 }), { functions }).run(items)).status, 'SUCCEEDED');
    const over = await new StateMachine(mapMachine({ ToleratedFailurePercentage: 24.9 }), { functions }).run(items);
    assert.equal(over.error, 'States.ExceedToleratedFailureThreshold');
  });

  test('the tolerance error can be caught like any other', async () => {
    const r = await new StateMachine({
      StartAt: 'M',
      States: {
        M: {
          Type: 'Map',
          ToleratedFailureCount: 0,
          ItemProcessor: { StartAt: 'F', States: { F: { Type: 'Fail', Error: 'E' } } },
          Catch: [{ ErrorEquals: ['States.ExceedToleratedFailureThreshold'], ResultPath: '$.error', Next: 'C' }],
          ItemsPath: '$.items',
          End: true,
        },
        C: { Type: 'Succeed' },
      },
    }).run({ items: [1] });
    assert.deepEqual(r.output, { items: [1], error: { Error: 'States.ExceedToleratedFailureThreshold', Cause: 'The specified tolerance threshold was exceeded.' } });
  });
});

describe('Map: variables', () => {
  test('iterations read outer variables; what they assign stays in the iteration', async () => {
    const r = await new StateMachine({
      StartAt: 'Init',
      States: {
        Init: { Type: 'Pass', Assign: { prefix: 'item-' }, Next: 'M' },
        M: {
          Type: 'Map',
          ItemProcessor: {
            StartAt: 'Set',
            States: {
              Set: { Type: 'Pass', Assign: { 'mine.$': '$' }, Next: 'Read' },
              Read: { Type: 'Pass', Parameters: { 'name.$': "States.Format('{}{}', $prefix, $mine)" }, End: true },
            },
          },
          Assign: { 'names.$': '$[*].name' },
          Next: 'After',
        },
        After: { Type: 'Pass', Parameters: { 'names.$': '$names', 'prefix.$': '$prefix' }, End: true },
      },
    }).run(['a', 'b', 'c']);
    assert.equal(r.status, 'SUCCEEDED', r.cause);
    assert.deepEqual(r.output, { names: ['item-a', 'item-b', 'item-c'], prefix: 'item-' });
  });

  test('a variable assigned inside an iteration is not visible after the Map', async () => {
    const r = await new StateMachine({
      StartAt: 'M',
      States: {
        M: { Type: 'Map', ItemProcessor: { StartAt: 'Set', States: { Set: { Type: 'Pass', Assign: { 'inner.$': '$' }, End: true } } }, Next: 'After' },
        After: { Type: 'Pass', Parameters: { 'x.$': '$inner' }, End: true },
      },
    }).run([1]);
    assert.equal(r.status, 'FAILED');
    assert.equal(r.error, 'States.Runtime');
    assert.match(r.cause!, /'\$inner'/);
  });
});

describe('Map: JSONata Items of a type JSON cannot hold', () => {
  test('a function fails with AWS\'s unsupported result type, an EvaluationFailed event at Items, and no iteration', async () => {
    const def = {
      QueryLanguage: 'JSONata',
      StartAt: 'MapIterateState',
      States: {
        MapIterateState: {
          Type: 'Map',
          Items: '{% $fn := function($x){$x} %}',
          ItemProcessor: { ProcessorConfig: { Mode: 'INLINE' }, StartAt: 'Pass', States: { Pass: { Type: 'Pass', End: true } } },
          End: true,
        },
      },
    };
    const r = await new StateMachine(def, { clock: new ManualClock(T0) }).run({});
    const cause =
      "An error occurred while executing the state 'MapIterateState' (entered at the event id #2). The JSONata expression '$fn := function($x){$x}' specified for the field 'Items' returned an unsupported result type.";
    assert.equal(r.status, 'FAILED');
    assert.equal(r.error, 'States.QueryEvaluationError');
    assert.equal(r.cause, cause);
    assert.deepEqual(r.events.map((e) => e.type), ['ExecutionStarted', 'MapStateEntered', 'EvaluationFailed', 'MapStateFailed', 'ExecutionFailed']);
    const ev = r.events.find((e) => e.type === 'EvaluationFailed')!.details as JsonObject;
    assert.equal(ev.location, 'Items');
    assert.equal(ev.cause, cause);
  });
});
