import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ManualClock, settle, systemClock } from './clock.js';

describe('ManualClock', () => {
  test('starts at 2024-01-01T00:00:00Z by default, or where told, and only moves when advanced', async () => {
    assert.equal(new ManualClock().now(), Date.UTC(2024, 0, 1));
    assert.equal(new ManualClock(new Date('2030-05-06T07:08:09Z')).now(), Date.UTC(2030, 4, 6, 7, 8, 9));
    const c = new ManualClock(1000);
    await settle();
    assert.equal(c.now(), 1000);
    await c.advance(250);
    assert.equal(c.now(), 1250);
  });

  test('advance fires the timers due within the window, in due order, each seeing its due time', async () => {
    const c = new ManualClock(0);
    const fired: [string, number][] = [];
    c.setTimer(() => fired.push(['c', c.now()]), 300);
    c.setTimer(() => fired.push(['a', c.now()]), 100);
    c.setTimer(() => fired.push(['late', c.now()]), 1000);
    c.setTimer(() => fired.push(['b', c.now()]), 200);
    assert.equal(c.pending, 4);
    assert.equal(c.nextDue(), 100);
    await c.advance(300);
    assert.deepEqual(fired, [
      ['a', 100],
      ['b', 200],
      ['c', 300],
    ]);
    assert.equal(c.now(), 300);
    assert.equal(c.pending, 1);
    assert.equal(c.nextDue(), 1000);
  });

  test('timers due at the same time fire in the order they were set', async () => {
    const c = new ManualClock(0);
    const fired: number[] = [];
    for (let i = 0; i < 5; i++) c.setTimer(() => fired.push(i), 50);
    await c.advance(50);
    assert.deepEqual(fired, [0, 1, 2, 3, 4]);
  });

  test('a timer set by a firing timer fires in the same advance if it is due within the window', async () => {
    const c = new ManualClock(0);
    const fired: number[] = [];
    c.setTimer(() => {
      fired.push(c.now());
      c.setTimer(() => fired.push(c.now()), 40);
      c.setTimer(() => fired.push(c.now()), 500);
    }, 10);
    await c.advance(100);
    assert.deepEqual(fired, [10, 50]);
    // The third was set at 10 with a 500 ms delay.
    await c.advance(409);
    assert.deepEqual(fired, [10, 50]);
    await c.advance(1);
    assert.deepEqual(fired, [10, 50, 510]);
  });

  test('the async work a timer starts settles before the next timer fires', async () => {
    const c = new ManualClock(0);
    const log: string[] = [];
    c.setTimer(() => {
      void Promise.resolve()
        .then(() => Promise.resolve())
        .then(() => {
          log.push('first timer’s work done');
          c.setTimer(() => log.push('timer set by that work'), 5);
        });
    }, 10);
    c.setTimer(() => log.push('second timer'), 20);
    await c.advance(20);
    assert.deepEqual(log, ['first timer’s work done', 'timer set by that work', 'second timer']);
  });

  test('a cancelled timer never fires; a negative delay is due now', async () => {
    const c = new ManualClock(0);
    let fired = 0;
    const h = c.setTimer(() => fired++, 10);
    h.cancel();
    assert.equal(c.pending, 0);
    c.setTimer(() => fired++, -5);
    assert.equal(c.nextDue(), 0);
    await c.advance(100);
    assert.equal(fired, 1);
  });

  test('advanceToNext jumps to the next due timer, and says when there is none', async () => {
    const c = new ManualClock(0);
    const fired: number[] = [];
    c.setTimer(() => fired.push(c.now()), 5000);
    c.setTimer(() => fired.push(c.now()), 7000);
    assert.equal(await c.advanceToNext(), true);
    assert.deepEqual([fired, c.now()], [[5000], 5000]);
    assert.equal(await c.advanceToNext(), true);
    assert.deepEqual([fired, c.now()], [[5000, 7000], 7000]);
    assert.equal(await c.advanceToNext(), false);
    assert.equal(c.now(), 7000);
  });
});

describe('systemClock', () => {
  test('reads the real time and fires real timers; a cancelled one does not fire', async () => {
    const before = Date.now();
    const now = systemClock.now();
    assert.ok(now >= before && now <= Date.now());
    let cancelledFired = false;
    const h = systemClock.setTimer(() => (cancelledFired = true), 1);
    h.cancel();
    await new Promise<void>((resolve) => systemClock.setTimer(resolve, 5));
    await new Promise((r) => setTimeout(r, 5));
    assert.equal(cancelledFired, false);
  });
});
