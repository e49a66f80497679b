#!/usr/bin/env node
// Micro-benchmark of the SQLite store's commitStep on a real file (not a test).
//
//   npx tsc -p . && node bench/store.mjs [--seconds 3] [--dir .stepwise/bench] [--concurrency 1,8,64,512]
//                                        [--synchronous FULL|NORMAL] [--state-bytes 2000] [--json out.json]
//
// For each concurrency N: a fresh database with N running executions, then N loops that each commit a
// step (state + 2 events + record, a timer every 4th step) and await it, for --seconds. N = 1 is the
// sequential case (one transaction per commit); N > 1 shows group commit (the commits of one event-loop
// turn share a transaction). The largest N also runs with group commit off, for comparison.
// Reports commits/s, transactions/s (= WAL fsyncs/s with synchronous=FULL; checkpoints add a few),
// commits per transaction and commit latency, plus the disk's raw fsync rate for scale.
// To count the fsyncs the process really makes: strace -f -c -e trace=fsync,fdatasync node bench/store.mjs
import { closeSync, fdatasyncSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { openSqliteStore } from '../dist/store/sqlite/index.js';

const { values: opt } = parseArgs({
  options: {
    seconds: { type: 'string', default: '3' },
    dir: { type: 'string', default: '.stepwise/bench' },
    concurrency: { type: 'string', default: '1,8,64,512' },
    synchronous: { type: 'string', default: 'FULL' },
    'state-bytes': { type: 'string', default: '2000' },
    json: { type: 'string' },
  },
});
const seconds = Number(opt.seconds);
const dir = resolve(opt.dir);
const levels = opt.concurrency.split(',').map(Number);
const synchronous = opt.synchronous;
const stateBytes = Number(opt['state-bytes']);
mkdirSync(dir, { recursive: true });

/** The disk's fsync rate: 4 KiB append + fdatasync, as a WAL commit does. */
function rawFsyncRate(ms = 1000) {
  const path = join(dir, 'fsync-probe');
  const fd = openSync(path, 'w');
  const buf = Buffer.alloc(4096, 1);
  let n = 0;
  const end = performance.now() + ms;
  while (performance.now() < end) {
    writeSync(fd, buf);
    fdatasyncSync(fd);
    n++;
  }
  closeSync(fd);
  rmSync(path);
  return n / (ms / 1000);
}

const ROLE = 'arn:aws:iam::123456789012:role/bench';
const filler = 'x'.repeat(stateBytes);

function record(i) {
  return {
    executionArn: `arn:aws:states:us-east-1:123456789012:execution:bench:e${i}`,
    stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:bench',
    name: `e${i}`,
    type: 'STANDARD',
    status: 'RUNNING',
    startDate: Date.now(),
    input: '{"n":1}',
    definition: '{"StartAt":"P","States":{"P":{"Type":"Pass","Next":"P"}}}',
    roleArn: ROLE,
    redriveCount: 0,
  };
}

function state(rec, lastEventId) {
  return {
    v: 1,
    status: 'RUNNING',
    info: { executionArn: rec.executionArn, name: rec.name, stateMachineArn: rec.stateMachineArn, stateMachineName: 'bench', roleArn: ROLE, startTime: rec.startDate, input: { n: 1 }, redriveCount: 0 },
    lastEventId,
    nextSeq: lastEventId,
    root: { path: [], state: 'P', input: { filler }, enteredId: lastEventId, enteredAt: Date.now(), prev: lastEventId, vars: {}, retries: null, retryCount: 0, item: null, wait: null },
    pending: {},
    timeoutSeq: null,
  };
}

const ev = (id, type, details) => ({ id, previousEventId: id - 1, timestamp: Date.now(), type, details });

async function run(concurrency, groupCommit) {
  const path = join(dir, `store-bench-${concurrency}-${groupCommit ? 'g' : 'n'}.db`);
  for (const suffix of ['', '-wal', '-shm']) rmSync(path + suffix, { force: true });
  const store = await openSqliteStore(path, { synchronous, groupCommit });
  const recs = Array.from({ length: concurrency }, (_, i) => record(i));
  await Promise.all(recs.map((rec) => store.createExecution(rec, { state: state(rec, 1), events: [ev(1, 'ExecutionStarted', { input: { n: 1 }, roleArn: ROLE })] })));
  const before = { ...store.stats };
  const latencies = [];
  let commits = 0;
  const end = performance.now() + seconds * 1000;
  const t0 = performance.now();
  await Promise.all(
    recs.map(async (rec) => {
      let id = 1;
      let step = 0;
      while (performance.now() < end) {
        step++;
        const c = { executionArn: rec.executionArn, state: state(rec, id + 2), events: [ev(id + 1, 'PassStateExited', { name: 'P', output: { n: step } }), ev(id + 2, 'PassStateEntered', { name: 'P', input: { n: step } })], record: { status: 'RUNNING' } };
        if (step % 4 === 0) c.timersAdd = [{ seq: step, kind: 'wait', dueAt: Date.now() + 60_000 }];
        if (step % 4 === 1 && step > 1) c.timersRemove = [{ seq: step - 1 }];
        id += 2;
        const s = performance.now();
        await store.commitStep(c);
        latencies.push(performance.now() - s);
        commits++;
      }
    }),
  );
  const elapsed = (performance.now() - t0) / 1000;
  const tx = store.stats.batches - before.batches;
  await store.close();
  for (const suffix of ['', '-wal', '-shm']) rmSync(path + suffix, { force: true });
  latencies.sort((a, b) => a - b);
  const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))];
  return {
    concurrency,
    groupCommit,
    commitsPerSec: commits / elapsed,
    transactionsPerSec: tx / elapsed,
    commitsPerTransaction: commits / tx,
    p50ms: pct(50),
    p99ms: pct(99),
  };
}

const fsyncs = rawFsyncRate();
console.log(`store bench: ${dir}, synchronous=${synchronous}, ${seconds}s per run, state ≈ ${stateBytes} B, 2 events/commit`);
console.log(`raw fsync rate of the disk (4 KiB write + fdatasync): ${Math.round(fsyncs)}/s (${(1000 / fsyncs).toFixed(2)} ms each)\n`);
const rows = [];
const cases = [...levels.map((c) => [c, true]), [Math.max(...levels), false]];
for (const [c, g] of cases) rows.push(await run(c, g));
const fmt = (n, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
console.log('concurrency  group commit   commits/s  transactions/s  commits/tx  p50 ms  p99 ms');
for (const r of rows) {
  console.log(
    `${String(r.concurrency).padStart(11)}  ${(r.groupCommit ? 'on' : 'off').padStart(12)}  ${fmt(r.commitsPerSec).padStart(10)}  ${fmt(r.transactionsPerSec).padStart(14)}  ${fmt(r.commitsPerTransaction, 1).padStart(10)}  ${fmt(r.p50ms, 2).padStart(6)}  ${fmt(r.p99ms, 2).padStart(6)}`,
  );
}
if (opt.json) {
  const { writeFileSync } = await import('node:fs');
  writeFileSync(opt.json, JSON.stringify({ synchronous, seconds, stateBytes, rawFsyncPerSec: fsyncs, runs: rows }, null, 2));
}
