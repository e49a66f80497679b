import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { describe, test } from 'node:test';
import type { ExecutionInfo } from '../interpreter/exec-state.js';
import type { HistoryEvent } from '../interpreter/history.js';
import { MemoryStore } from '../store/memory/memory-store.js';
import type { ExecutionRecord } from '../store/store.js';
import { ManualClock, settle } from './clock.js';
import { Engine, EXPRESS_KEEP_MS } from './engine.js';
import { EVENT_OVERHEAD_BYTES, EXECUTION_OVERHEAD_BYTES, ExpressAtCapacity, ExpressExecutions, expressFootprint } from './express.js';

const T0 = Date.UTC(2024, 0, 1);
const SM = 'arn:aws:states:us-east-1:123456789012:stateMachine:M';
const arnOf = (name: string) => `arn:aws:states:us-east-1:123456789012:express:M:${name}:00000000-0000-0000-0000-000000000000`;

function record(name: string, input = '{}'): ExecutionRecord {
  return { executionArn: arnOf(name), stateMachineArn: SM, name, type: 'EXPRESS', status: 'RUNNING', startDate: T0, input, definition: '{}', roleArn: 'r', redriveCount: 0 };
}

function kept(ex: ExpressExecutions): string[] {
  return ex.records().map((r) => r.name);
}

describe('ExpressExecutions', () => {
  const bounds = { keep: 3, keepBytes: 1000, keepMs: 60_000, maxRunning: 100 };

  test('evicts the oldest ended beyond the count, in the order they ended (not started)', () => {
    let now = T0;
    const ex = new ExpressExecutions(bounds, () => now);
    for (const n of ['a', 'b', 'c', 'd', 'e']) ex.start(arnOf(n), { rec: record(n), events: [] });
    // Ended in another order than started.
    for (const n of ['c', 'a', 'e', 'b']) {
      now += 1;
      ex.end(arnOf(n), 10);
    }
    assert.deepEqual(kept(ex), ['d', 'a', 'e', 'b']);
    assert.equal(ex.get(arnOf('c')), undefined);
    assert.equal(ex.get(arnOf('a'))?.rec.name, 'a');
    assert.equal(ex.endedCount, 3);
    assert.equal(ex.endedBytes, 30);
  });

  test('never evicts a running execution', () => {
    const ex = new ExpressExecutions({ ...bounds, keep: 1, keepBytes: 1 }, () => T0);
    ex.start(arnOf('long'), { rec: record('long'), events: [] });
    for (let i = 0; i < 50; i++) {
      ex.start(arnOf(`s${i}`), { rec: record(`s${i}`), events: [] });
      ex.end(arnOf(`s${i}`), 500);
    }
    assert.equal(ex.get(arnOf('long'))?.rec.name, 'long');
    assert.equal(ex.runningCount, 1);
    assert.deepEqual(kept(ex), ['long', 's49']);
  });

  test('keeps the estimated size of the ended ones within the budget, the newest whatever its size', () => {
    const ex = new ExpressExecutions({ ...bounds, keep: 100 }, () => T0);
    const sizes = [300, 300, 300, 300, 200, 900, 50, 2000];
    sizes.forEach((bytes, i) => {
      ex.start(arnOf(`x${i}`), { rec: record(`x${i}`), events: [] });
      ex.end(arnOf(`x${i}`), bytes);
      if (ex.endedCount > 1) assert.ok(ex.endedBytes <= bounds.keepBytes, `after x${i}: ${ex.endedBytes} bytes kept`);
    });
    // x7 alone is over the budget: it stays, as the newest.
    assert.deepEqual(kept(ex), ['x7']);
    assert.equal(ex.endedBytes, 2000);
    ex.start(arnOf('y'), { rec: record('y'), events: [] });
    ex.end(arnOf('y'), 100);
    assert.deepEqual(kept(ex), ['y']);
  });

  test('drops an ended execution once it has been kept keepMs, and lets its driver go', () => {
    let now = T0;
    const ex = new ExpressExecutions(bounds, () => now);
    const events: HistoryEvent[] = [{ id: 1, previousEventId: 0, timestamp: T0, type: 'ExecutionStarted' }];
    ex.start(arnOf('a'), { rec: record('a'), events, driver: {} as never });
    assert.ok(ex.get(arnOf('a'))?.driver);
    ex.end(arnOf('a'), 10);
    assert.equal(ex.get(arnOf('a'))?.driver, undefined);
    assert.equal(ex.get(arnOf('a'))?.events, events);
    now += bounds.keepMs - 1;
    ex.start(arnOf('b'), { rec: record('b'), events: [] });
    ex.end(arnOf('b'), 10);
    now += 1;
    assert.equal(ex.get(arnOf('a')), undefined);
    assert.deepEqual(kept(ex), ['b']);
    assert.equal(ex.endedBytes, 10);
  });

  test('refuses a start while maxRunning run; ended ones do not count', () => {
    const ex = new ExpressExecutions({ ...bounds, maxRunning: 2 }, () => T0);
    ex.start(arnOf('a'), { rec: record('a'), events: [] });
    ex.start(arnOf('b'), { rec: record('b'), events: [] });
    assert.throws(() => ex.start(arnOf('c'), { rec: record('c'), events: [] }), ExpressAtCapacity);
    assert.equal(ex.get(arnOf('c')), undefined);
    ex.end(arnOf('a'), 10);
    ex.start(arnOf('c'), { rec: record('c'), events: [] });
    assert.deepEqual(kept(ex), ['b', 'c', 'a']);
  });

  test('estimates an execution by its strings and its events, each shared payload once', () => {
    const big = { items: Array.from({ length: 100 }, (_, i) => `item-${i}`) };
    const events: HistoryEvent[] = [
      { id: 1, previousEventId: 0, timestamp: T0, type: 'ExecutionStarted', details: { input: big } },
      { id: 2, previousEventId: 1, timestamp: T0, type: 'PassStateEntered', details: { name: 'P', input: big } },
      { id: 3, previousEventId: 2, timestamp: T0, type: 'PassStateExited', details: { name: 'P', output: big } },
    ];
    const rec = { ...record('a', JSON.stringify(big)), output: JSON.stringify(big) };
    const bigBytes = JSON.stringify(big).length;
    const n = expressFootprint(rec, events);
    const fixed = EXECUTION_OVERHEAD_BYTES + rec.executionArn.length + rec.name.length + 3 * EVENT_OVERHEAD_BYTES;
    // The record's input and output, the payload once, the names and the keys.
    assert.equal(n, fixed + 3 * bigBytes + 2 * '"P"'.length + 'input'.length * 2 + 'output'.length + 'name'.length * 2);
  });
});

describe('Engine: ended Express executions', () => {
  const definition = JSON.stringify({ StartAt: 'P', States: { P: { Type: 'Pass', End: true } } });
  const slow = JSON.stringify({ StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 60, End: true } } });

  function start(engine: Engine, clock: ManualClock, name: string, def = definition) {
    const rec = { ...record(name), definition: def, startDate: clock.now() };
    const info: ExecutionInfo = { executionArn: rec.executionArn, name, stateMachineArn: SM, stateMachineName: 'M', roleArn: 'r', startTime: rec.startDate, input: {}, redriveCount: 0 };
    return engine.startExpress(rec, engine.machines.get(def), info);
  }

  test('are kept within expressKeep, the oldest ended evicted first; running ones stay; five minutes at most', async () => {
    const clock = new ManualClock(T0);
    const engine = new Engine({ store: new MemoryStore(), clock, region: 'us-east-1', accountId: '123456789012', limits: { expressKeep: 5 } });
    start(engine, clock, 'waiting', slow);
    for (let i = 0; i < 20; i++) await start(engine, clock, `e${i}`).done;
    await settle();
    assert.deepEqual(engine.expressStats().ended, 5);
    const names = engine.expressExecutions().map((r) => r.name);
    assert.deepEqual(names, ['waiting', 'e15', 'e16', 'e17', 'e18', 'e19']);
    assert.equal(engine.express(arnOf('e0')), undefined);
    assert.equal(engine.expressHistory(arnOf('e0')), undefined);
    assert.deepEqual(engine.expressHistory(arnOf('e19'))?.map((e) => e.type), ['ExecutionStarted', 'PassStateEntered', 'PassStateExited', 'ExecutionSucceeded']);
    assert.equal(engine.express(arnOf('waiting'))?.rec.status, 'RUNNING');
    // The waiting one ends: it is the newest ended now, and the oldest kept goes.
    await clock.advance(60_000);
    assert.equal(engine.express(arnOf('waiting'))?.rec.status, 'SUCCEEDED');
    assert.deepEqual(engine.expressExecutions().map((r) => r.name), ['e16', 'e17', 'e18', 'e19', 'waiting']);
    // Five minutes after they ended, they are gone.
    await clock.advance(EXPRESS_KEEP_MS - 60_000);
    assert.deepEqual(engine.expressExecutions().map((r) => r.name), ['waiting']);
    await clock.advance(60_000);
    assert.deepEqual(engine.expressExecutions(), []);
    await engine.close();
  });

  test("whenEnded leaves no listener on the caller's signal once a running one ends", async () => {
    const clock = new ManualClock(T0);
    const engine = new Engine({ store: new MemoryStore(), clock, region: 'us-east-1', accountId: '123456789012' });
    start(engine, clock, 'w', slow);
    const signal = new AbortController().signal;
    const ended = engine.whenEnded(arnOf('w'), signal);
    await settle();
    assert.equal(getEventListeners(signal, 'abort').length, 1);
    await clock.advance(60_000);
    assert.equal((await ended)?.status, 'SUCCEEDED');
    assert.equal(getEventListeners(signal, 'abort').length, 0);
    // An ended one answers at once, without listening.
    assert.equal((await engine.whenEnded(arnOf('w'), signal))?.status, 'SUCCEEDED');
    assert.equal(getEventListeners(signal, 'abort').length, 0);
    await engine.close();
  });
});
