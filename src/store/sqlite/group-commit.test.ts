import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GroupCommit, type Job } from './group-commit.js';

/** A writer that records its batches and settles them (optionally later). */
function recorder(async = false) {
  const batches: number[][] = [];
  const write = (jobs: Job[]) => {
    batches.push(jobs.map((j) => j.run() as number));
    const settle = () => jobs.forEach((j, i) => j.resolve(batches.at(-1)![i]));
    if (!async) return settle();
    return new Promise<void>((r) => setTimeout(() => (settle(), r()), 5));
  };
  return { batches, write };
}

test('jobs of one turn form one batch; each promise gets its own result', async () => {
  const w = recorder();
  const gc = new GroupCommit(w.write);
  const results = await Promise.all([1, 2, 3].map((n) => gc.submit(() => n * 10)));
  assert.deepEqual(results, [10, 20, 30]);
  assert.deepEqual(w.batches, [[10, 20, 30]]);
  assert.deepEqual(gc.stats, { batches: 1, jobs: 3, maxBatch: 3 });
  await gc.submit(() => 4);
  assert.deepEqual(w.batches, [[10, 20, 30], [4]]);
});

test('with an asynchronous writer, jobs submitted during a batch go into the next one', async () => {
  const w = recorder(true);
  const gc = new GroupCommit(w.write);
  const first = gc.submit(() => 1);
  await new Promise((r) => setImmediate(r)); // batch 1 is in flight
  assert.deepEqual(w.batches, [[1]]);
  const later = [gc.submit(() => 2), gc.submit(() => 3)];
  const written = gc.whenWritten();
  assert.ok(written);
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(w.batches, [[1]], 'waits for the batch in flight');
  await written;
  assert.deepEqual(w.batches, [[1], [2, 3]]);
  assert.deepEqual(await Promise.all([first, ...later]), [1, 2, 3]);
  assert.equal(gc.whenWritten(), undefined);
});

test('a writer that throws rejects the whole batch; the next batch is written', async () => {
  let fail = true;
  const gc = new GroupCommit((jobs) => {
    if (fail) throw new Error('disk full');
    for (const j of jobs) j.resolve(j.run());
  });
  const r = await Promise.allSettled([gc.submit(() => 1), gc.submit(() => 2)]);
  assert.deepEqual(r.map((x) => x.status), ['rejected', 'rejected']);
  fail = false;
  assert.equal(await gc.submit(() => 3), 3);
});

test('not grouped: each job is written at once, alone', async () => {
  const w = recorder();
  const gc = new GroupCommit(w.write, false);
  const p = [gc.submit(() => 1), gc.submit(() => 2)];
  assert.deepEqual(w.batches, [[1], [2]]);
  assert.deepEqual(await Promise.all(p), [1, 2]);
});
