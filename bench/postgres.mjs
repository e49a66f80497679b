// PostgreSQL vs SQLite, one node: `stepwise serve` in its own process on each store in turn, driven over
// HTTP (awsJson1_0, keep-alive) by this one, with the same workloads.
//   node bench/postgres.mjs [--only starts,transitions] [--seconds 15] [--concurrency 64]
//                           [--stores sqlite,postgres] [--url postgres://postgres@127.0.0.1:5432/test] [--json FILE]
// Phases (as in bench/durable.mjs):
//   starts       StartExecution of a one-state workflow for --seconds, --concurrency requests in flight:
//                starts/s; then every execution is checked SUCCEEDED through ListExecutions.
//   transitions  executions of a loop of Task (a local function) and Choice (22 states entered each, every
//                Task outcome its own committed step), started for --seconds at a paced rate:
//                transitions/s = states entered ÷ (last stop − first start), all checked SUCCEEDED.
// PostgreSQL runs in a schema of its own (dropped afterwards); SQLite on a temp file, synchronous=FULL.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { callSfn, startServe } from './serve.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const opt = (name, def) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : def; };
const only = opt('--only', 'starts,transitions').split(',');
const stores = opt('--stores', 'sqlite,postgres').split(',');
const SECONDS = Number(opt('--seconds', 15));
const CONCURRENCY = Number(opt('--concurrency', 64));
const URL_ = opt('--url', process.env.STEPWISE_TEST_POSTGRES_URL || 'postgres://postgres@127.0.0.1:5432/test');
const jsonOut = opt('--json', undefined);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const fmt = (x) => (x == null || Number.isNaN(x) ? '-' : Math.round(x).toLocaleString('en-US'));

const work = mkdtempSync(join(os.tmpdir(), 'stepwise-pg-bench-'));
const functionsDir = join(work, 'functions');
mkdirSync(functionsDir);
writeFileSync(join(functionsDir, 'inc.mjs'), 'export const handler = async (e) => ({ i: e.i + 1, n: e.n });\n');
const schema = `stepwise_bench_${process.pid}`;

async function startServer(store) {
  const db = store === 'postgres' ? ['--db', URL_, '--pg-schema', schema] : ['--db', join(work, `bench-${Date.now()}.db`)];
  return startServe([...db, '--functions', functionsDir]);
}

let PORT;
const call = (op, params) => callSfn(PORT, op, params);

const ROLE = 'arn:aws:iam::123456789012:role/bench';
const machine = async (name, definition) => (await call('CreateStateMachine', { name: `${name}-${Date.now()}`, definition: JSON.stringify(definition), roleArn: ROLE })).stateMachineArn;

/** Every execution of the state machine (ListExecutions, paged), once none is RUNNING. */
async function whenDone(sm, expected, timeoutMs) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const running = await call('ListExecutions', { stateMachineArn: sm, statusFilter: 'RUNNING', maxResults: 1 });
    if (!running.executions.length) break;
    if (Date.now() > until) throw new Error(`executions still running after ${timeoutMs} ms`);
    await sleep(250);
  }
  const all = [];
  let nextToken;
  do {
    const page = await call('ListExecutions', { stateMachineArn: sm, maxResults: 1000, nextToken });
    all.push(...page.executions);
    nextToken = page.nextToken;
  } while (nextToken);
  if (all.length !== expected) throw new Error(`${all.length} executions listed, ${expected} started`);
  return all;
}

async function starts() {
  const sm = await machine('pg-bench-starts', { StartAt: 'Done', States: { Done: { Type: 'Pass', Result: { ok: true }, End: true } } });
  let count = 0;
  const t0 = Date.now();
  const end = t0 + SECONDS * 1000;
  await Promise.all(Array.from({ length: CONCURRENCY }, async (_, w) => {
    for (let i = 0; Date.now() < end; i++) {
      await call('StartExecution', { stateMachineArn: sm, name: `s-${w}-${i}`, input: '{"n":1}' });
      count++;
    }
  }));
  const seconds = (Date.now() - t0) / 1000;
  const all = await whenDone(sm, count, 120_000);
  const ok = all.filter((e) => e.status === 'SUCCEEDED').length;
  return { executions: count, verified: ok, seconds, startsPerSec: count / seconds };
}

async function transitions() {
  const LOOPS = 10;
  const sm = await machine('pg-bench-transitions', {
    StartAt: 'Init',
    States: {
      Init: { Type: 'Pass', Parameters: { i: 0, 'n.$': '$.n' }, Next: 'Inc' },
      Inc: { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:123456789012:function:inc', Next: 'More' },
      More: { Type: 'Choice', Choices: [{ Variable: '$.i', NumericLessThanPath: '$.n', Next: 'Inc' }], Default: 'Done' },
      Done: { Type: 'Succeed' },
    },
  });
  const perExecution = 1 + LOOPS * 2 + 1;
  let started = 0;
  const end = Date.now() + SECONDS * 1000;
  await Promise.all(Array.from({ length: CONCURRENCY }, async (_, w) => {
    for (let i = 0; Date.now() < end; i++) {
      await call('StartExecution', { stateMachineArn: sm, name: `t-${w}-${i}`, input: JSON.stringify({ n: LOOPS }) });
      started++;
      await sleep(20); // paced: the engine, not the start rate, is measured
    }
  }));
  const all = await whenDone(sm, started, 600_000);
  const ok = all.filter((e) => e.status === 'SUCCEEDED').length;
  const first = Math.min(...all.map((e) => e.startDate));
  const last = Math.max(...all.map((e) => e.stopDate));
  const seconds = last - first; // the API gives dates in epoch seconds (fractional)
  return { executions: all.length, verified: ok, transitionsPerExecution: perExecution, seconds, transitionsPerSec: (all.length * perExecution) / seconds };
}

const results = {};
try {
  for (const store of stores) {
    const server = await startServer(store);
    PORT = server.port;
    results[store] = {};
    try {
      if (only.includes('starts')) results[store].starts = await starts();
      if (only.includes('transitions')) results[store].transitions = await transitions();
    } finally {
      server.child.kill('SIGTERM');
      await new Promise((r) => server.child.once('exit', r));
    }
    console.log(`${store}: ${JSON.stringify(results[store])}`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
  if (stores.includes('postgres')) {
    const c = new pg.Client({ connectionString: URL_ });
    await c.connect();
    await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await c.end();
  }
}
console.log('\nstore      starts/s   transitions/s   (verified executions)');
for (const [store, r] of Object.entries(results)) {
  console.log(`${store.padEnd(10)} ${fmt(r.starts?.startsPerSec).padStart(8)}   ${fmt(r.transitions?.transitionsPerSec).padStart(13)}   (${r.starts?.verified ?? '-'} / ${r.transitions?.verified ?? '-'})`);
}
if (jsonOut) writeFileSync(jsonOut, JSON.stringify({ seconds: SECONDS, concurrency: CONCURRENCY, results }, null, 2));
