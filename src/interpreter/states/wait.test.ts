import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { StateMachine, type ExecutionResult } from '../../library/state-machine.js';
import { ManualClock } from '../../runtime/clock.js';
import type { Json, JsonObject } from '../../shared/json.js';

const T0 = Date.UTC(2024, 0, 1);

/** Whether the promise has settled, after letting pending work run. */
async function isDone(p: Promise<unknown>): Promise<boolean> {
  let done = false;
  void p.then(() => (done = true));
  await new Promise((r) => setImmediate(r));
  return done;
}

/** Offsets from T0, in ms, of the events of the given type. */
const times = (r: ExecutionResult, type: string) => r.events.filter((e) => e.type === type).map((e) => e.timestamp - T0);

function waitMachine(wait: JsonObject, extra: JsonObject = {}) {
  return { StartAt: 'W', States: { W: { Type: 'Wait', End: true, ...wait } }, ...extra };
}

describe('Wait', () => {
  test('Seconds: the timer fires exactly when the seconds have passed, not before', async () => {
    const clock = new ManualClock(T0);
    const ex = new StateMachine(waitMachine({ Seconds: 10 }), { clock }).start({ a: 1 });
    await clock.advance(9999);
    assert.equal(await isDone(ex.done), false);
    await clock.advance(1);
    const r = await ex.done;
    assert.equal(r.status, 'SUCCEEDED');
    assert.deepEqual(r.output, { a: 1 });
    assert.deepEqual(times(r, 'WaitStateEntered'), [0]);
    assert.deepEqual(times(r, 'WaitStateExited'), [10000]);
  });

  test('Seconds 0 does not wait', async () => {
    const clock = new ManualClock(T0);
    const r = await new StateMachine(waitMachine({ Seconds: 0 }), { clock }).run({});
    assert.equal(r.status, 'SUCCEEDED');
    assert.equal(clock.pending, 0);
  });

  test('SecondsPath reads the delay from the input', async () => {
    const clock = new ManualClock(T0);
    const ex = new StateMachine(waitMachine({ SecondsPath: '$.delay' }), { clock }).start({ delay: 3 });
    await clock.advance(2999);
    assert.equal(await isDone(ex.done), false);
    await clock.advance(1);
    assert.deepEqual(times(await ex.done, 'WaitStateExited'), [3000]);
  });

  test('Timestamp: waits until that time, whatever the offset it is written in', async () => {
    for (const ts of ['2024-01-01T00:01:00Z', '2024-01-01T01:01:00+01:00', '2023-12-31T19:01:00-05:00', '2024-01-01T00:01:00.000Z']) {
      const clock = new ManualClock(T0);
      const ex = new StateMachine(waitMachine({ Timestamp: ts }), { clock }).start({});
      await clock.advance(59999);
      assert.equal(await isDone(ex.done), false, ts);
      await clock.advance(1);
      assert.deepEqual(times(await ex.done, 'WaitStateExited'), [60000], ts);
    }
  });

  test('a Timestamp in the past (or now) moves on at once', async () => {
    const clock = new ManualClock(T0);
    for (const ts of ['2023-06-01T00:00:00Z', '2024-01-01T00:00:00Z']) {
      const r = await new StateMachine(waitMachine({ Timestamp: ts }), { clock }).run({});
      assert.equal(r.status, 'SUCCEEDED', ts);
      assert.deepEqual(times(r, 'WaitStateExited'), [0]);
    }
  });

  test('TimestampPath: sub-millisecond digits are read; the wait is measured from when the state is entered', async () => {
    const clock = new ManualClock(T0);
    const sm = new StateMachine(
      { StartAt: 'First', States: { First: { Type: 'Wait', Seconds: 5, Next: 'W' }, W: { Type: 'Wait', TimestampPath: '$.at', End: true } } },
      { clock },
    );
    const ex = sm.start({ at: '2024-01-01T00:00:08.123456789Z' });
    await clock.advance(8122);
    assert.equal(await isDone(ex.done), false);
    await clock.advance(1);
    const r = await ex.done;
    assert.deepEqual(times(r, 'WaitStateEntered'), [0, 5000]);
    assert.deepEqual(times(r, 'WaitStateExited'), [5000, 8123]);
  });

  test('InputPath and OutputPath apply; the output is the (filtered) input', async () => {
    const clock = new ManualClock(T0);
    const ex = new StateMachine(waitMachine({ InputPath: '$.inner', SecondsPath: '$.s', OutputPath: '$.keep' }), { clock }).start({ inner: { s: 2, keep: 'k' } });
    await clock.advance(2000);
    const r = await ex.done;
    assert.equal(r.status, 'SUCCEEDED', r.cause);
    assert.equal(r.output, 'k');
  });

  test('bad SecondsPath and TimestampPath values fail with States.Runtime', async () => {
    const cases: [JsonObject, Json, string][] = [
      [{ SecondsPath: '$.s' }, { s: -1 }, 'The SecondsPath parameter references a negative value: $.s == -1'],
      [{ SecondsPath: '$.s' }, { s: 1.5 }, 'The SecondsPath parameter cannot be parsed as a long value: $.s == 1.5'],
      // the integer check comes before the sign check
      [{ SecondsPath: '$.s' }, { s: -1.5 }, 'The SecondsPath parameter cannot be parsed as a long value: $.s == -1.5'],
      [{ SecondsPath: '$.s' }, { s: '3' }, 'The SecondsPath parameter cannot be parsed as a long value: $.s == 3'],
      [{ SecondsPath: '$.s' }, {}, 'The SecondsPath parameter does not reference an input value: $.s'],
      [{ TimestampPath: '$.t' }, { t: 'tomorrow' }, 'The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: $.t == tomorrow'],
      [{ TimestampPath: '$.t' }, { t: '2024-02-30T00:00:00Z' }, 'The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: $.t == 2024-02-30T00:00:00Z'],
    ];
    for (const [wait, input, cause] of cases) {
      const clock = new ManualClock(T0);
      const r = await new StateMachine(waitMachine(wait), { clock }).run(input);
      assert.equal(r.status, 'FAILED', cause);
      assert.equal(r.error, 'States.Runtime');
      assert.equal(r.cause, `An error occurred while executing the state 'W' (entered at the event id #2). ${cause}`);
      assert.equal(clock.pending, 0);
    }
  });

  test('JSONata: Seconds and Timestamp are expressions; a non-integer Seconds fails with States.QueryEvaluationError', async () => {
    const clock = new ManualClock(T0);
    const jsonata = (wait: JsonObject) => waitMachine(wait, { QueryLanguage: 'JSONata' });
    const ex = new StateMachine(jsonata({ Seconds: '{% $states.input.n * 2 %}', Output: '{% $states.input.n %}' }), { clock }).start({ n: 2 });
    await clock.advance(3999);
    assert.equal(await isDone(ex.done), false);
    await clock.advance(1);
    const r1 = await ex.done;
    assert.equal(r1.output, 2);
    assert.deepEqual(times(r1, 'WaitStateExited'), [4000]);

    const ex2 = new StateMachine(jsonata({ Timestamp: '{% $states.input.at %}' }), { clock }).start({ at: '2024-01-01T00:00:10Z' });
    await clock.advance(6000);
    assert.equal((await ex2.done).status, 'SUCCEEDED');
    assert.equal(clock.now() - T0, 10000);

    for (const [expr, input, cause] of [
      ['$states.input.s', 1.5, "The JSONata expression '$states.input.s' specified for the field 'Seconds' returned an unexpected result type. Expected 'integer', but was 'number' for value: 1.5"],
      // the integer check comes before the sign check
      ['$states.input.s', -1.5, "The JSONata expression '$states.input.s' specified for the field 'Seconds' returned an unexpected result type. Expected 'integer', but was 'number' for value: -1.5"],
      ['$states.input.s', '3', "The JSONata expression '$states.input.s' specified for the field 'Seconds' returned an unexpected result type. Expected 'integer', but was 'string' for value: \"3\""],
      ['$states.input.s', -1, 'The Seconds field must be a non-negative integer, but was: -1'],
    ] as const) {
      const r3 = await new StateMachine(jsonata({ Seconds: `{% ${expr} %}` }), { clock }).run({ s: input });
      assert.equal(r3.status, 'FAILED');
      assert.equal(r3.error, 'States.QueryEvaluationError');
      assert.equal(r3.cause, `An error occurred while executing the state 'W' (entered at the event id #2). ${cause}`);
    }
  });

  test('a stopped execution ends its Wait with WaitStateAborted and drops the timer', async () => {
    const clock = new ManualClock(T0);
    const ex = new StateMachine(waitMachine({ Seconds: 100 }), { clock }).start({});
    await clock.advance(10);
    assert.equal(clock.pending, 1);
    ex.stop('Stopped', 'by test');
    const r = await ex.done;
    assert.equal(r.status, 'ABORTED');
    assert.deepEqual(
      r.events.map((e) => e.type),
      ['ExecutionStarted', 'WaitStateEntered', 'WaitStateAborted', 'ExecutionAborted'],
    );
    assert.equal(clock.pending, 0);
  });
});
