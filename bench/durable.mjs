// Durable Standard executions: `stepwise serve` on a SQLite file (synchronous=FULL) in its own process,
// driven over HTTP (awsJson1_0, keep-alive) by this one.
//   node bench/durable.mjs [--only starts,transitions,waiting] [--seconds 60] [--waiting 100000]
//                          [--concurrency 64] [--json FILE]
// Phases:
//   starts       StartExecution of a one-state workflow for --seconds, --concurrency requests in flight:
//                starts/s overall and the slowest 10-s window (sustained), all executions verified.
//   transitions  executions of a loop of Task (a local function) and Choice, each Task outcome its own
//                committed step: state transitions/s (StateEntered events / wall time), outputs verified.
//   waiting      --waiting executions parked in a Wait (TimestampPath) due over a window after all are
//                started: the server's RSS while they wait, and how late each Wait ends (from history).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { callSfn, closeClient, startServe } from './serve.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const opt = (name, def) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : def; };
const only = opt('--only', 'starts,transitions,waiting').split(',');
const SECONDS = Number(opt('--seconds', 60));
const WAITING = Number(opt('--waiting', 100_000));
const CONCURRENCY = Number(opt('--concurrency', 64));
const TARGETS = { startsPerSec: 2000, transitionsPerSec: 5000, waitingRssMb: 300, lateMs: 100 };
const fmt = (x, d = 0) => (x == null || Number.isNaN(x) ? '-' : d === 0 ? Math.round(x).toLocaleString('en-US') : x.toFixed(d));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ------------------------------------------------------------------ server
const work = mkdtempSync(join(os.tmpdir(), 'stepwise-durable-bench-'));
const functionsDir = join(work, 'functions');
mkdirSync(functionsDir);
writeFileSync(join(functionsDir, 'inc.mjs'), 'export const handler = async (e) => ({ i: e.i + 1, n: e.n });\n');
const dbPath = join(work, 'bench.db');

function startServer() {
  return startServe(['--db', dbPath, '--functions', functionsDir], {}, process.env.BENCH_SERVER_NODE_ARGS ? process.env.BENCH_SERVER_NODE_ARGS.split(' ') : []);
}

let PORT;
const call = (op, params) => callSfn(PORT, op, params);

const ROLE = 'arn:aws:iam::123456789012:role/bench';

async function machine(name, definition) {
  return (await call('CreateStateMachine', { name: `${name}-${Date.now()}`, definition: JSON.stringify(definition), roleArn: ROLE })).stateMachineArn;
}

function rssMb(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

function openDb() {
  return new Database(dbPath, { readonly: true, fileMustExist: true });
}

async function waitUntilDone(smArn, expected, timeoutMs) {
  const db = openDb();
  const q = db.prepare("SELECT count(*) FROM executions WHERE state_machine_arn = ? AND status != 'RUNNING'").pluck();
  const until = Date.now() + timeoutMs;
  try {
    for (;;) {
      const n = q.get(smArn);
      if (n >= expected) return;
      if (Date.now() > until) throw new Error(`only ${n} of ${expected} executions ended in ${timeoutMs} ms`);
      await sleep(250);
    }
  } finally {
    db.close();
  }
}

// ------------------------------------------------------------------ phases
async function starts() {
  const sm = await machine('bench-starts', { StartAt: 'Done', States: { Done: { Type: 'Pass', Result: { ok: true }, End: true } } });
  const windows = [];
  let count = 0;
  let windowCount = 0;
  const t0 = Date.now();
  const end = t0 + SECONDS * 1000;
  const ticker = setInterval(() => { windows.push(windowCount); windowCount = 0; }, 10_000);
  const worker = async (w) => {
    let i = 0;
    while (Date.now() < end) {
      await call('StartExecution', { stateMachineArn: sm, name: `s-${w}-${i++}`, input: '{"n":1}' });
      count++;
      windowCount++;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, (_, w) => worker(w)));
  clearInterval(ticker);
  const elapsed = (Date.now() - t0) / 1000;
  await waitUntilDone(sm, count, 60_000);
  const db = openDb();
  const ok = db.prepare("SELECT count(*) FROM executions WHERE state_machine_arn = ? AND status = 'SUCCEEDED' AND json_extract(record, '$.output') = '{\"ok\":true}'").pluck().get(sm);
  db.close();
  const perSec = count / elapsed;
  const sustained = windows.length ? Math.min(...windows) / 10 : perSec;
  return { executions: count, verified: ok, seconds: elapsed, startsPerSec: perSec, slowest10sWindowPerSec: sustained, windowsPerSec: windows.map((w) => w / 10) };
}

async function transitions() {
  const LOOPS = 10;
  const sm = await machine('bench-transitions', {
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
  const t0 = Date.now();
  const end = t0 + SECONDS * 1000;
  // Keep starting while the clock runs; each execution then takes 10 committed Task steps.
  const worker = async (w) => {
    let i = 0;
    while (Date.now() < end) {
      await call('StartExecution', { stateMachineArn: sm, name: `t-${w}-${i++}`, input: JSON.stringify({ n: LOOPS }) });
      started++;
      // Pace the starts so that the engine, not the start rate, is what is measured.
      await sleep(20);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, (_, w) => worker(w)));
  await waitUntilDone(sm, started, 300_000);
  const db = openDb();
  const row = db.prepare("SELECT min(start_date) AS s, max(stop_date) AS e, count(*) AS n, sum(status = 'SUCCEEDED' AND json_extract(record, '$.output') = ?) AS ok FROM executions WHERE state_machine_arn = ?").get(JSON.stringify({ i: LOOPS, n: LOOPS }), sm);
  const entered = db.prepare("SELECT count(*) FROM history_steps h JOIN executions x ON x.arn = h.execution_arn, json_each(h.events) e WHERE x.state_machine_arn = ? AND e.value ->> '$.type' LIKE '%StateEntered'").pluck().get(sm);
  db.close();
  const seconds = (row.e - row.s) / 1000;
  return { executions: row.n, verified: row.ok, transitionsPerExecution: perExecution, stateEntered: entered, seconds, transitionsPerSec: entered / seconds };
}

async function waiting(server) {
  const sm = await machine('bench-waiting', { StartAt: 'Park', States: { Park: { Type: 'Wait', TimestampPath: '$.due', Next: 'Done' }, Done: { Type: 'Succeed' } } });
  // Due times: spread over 40 s, starting 15 s after the last start is expected (at ~2,500 starts/s).
  const startWindow = Math.ceil(WAITING / 2500) * 1000;
  const firstDue = Date.now() + startWindow + 15_000;
  const spread = 40_000;
  const dueOf = (i) => firstDue + Math.floor((i / WAITING) * spread);
  let next = 0;
  const t0 = Date.now();
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= WAITING) return;
      await call('StartExecution', { stateMachineArn: sm, name: `w-${i}`, input: JSON.stringify({ due: new Date(dueOf(i)).toISOString() }) });
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, () => worker()));
  const startedIn = (Date.now() - t0) / 1000;
  if (Date.now() > firstDue) console.error(`warning: starting took ${startedIn} s; the first timers were already due`);
  // RSS while all wait (sampled until the first is due), then while they fire.
  let rssWaiting = 0;
  let rssPeak = 0;
  while (Date.now() < firstDue - 200) {
    const r = rssMb(server.child.pid);
    rssWaiting = Math.max(rssWaiting, r);
    rssPeak = Math.max(rssPeak, r);
    await sleep(500);
  }
  const sampler = setInterval(() => { rssPeak = Math.max(rssPeak, rssMb(server.child.pid)); }, 500);
  await waitUntilDone(sm, WAITING, spread + 120_000);
  clearInterval(sampler);
  const db = openDb();
  const rows = db
    .prepare("SELECT json_extract(x.record, '$.input') AS input, e.value ->> '$.timestamp' AS t FROM history_steps h JOIN executions x ON x.arn = h.execution_arn, json_each(h.events) e WHERE x.state_machine_arn = ? AND e.value ->> '$.type' = 'WaitStateExited'")
    .all(sm);
  const ok = db.prepare("SELECT count(*) FROM executions WHERE state_machine_arn = ? AND status = 'SUCCEEDED'").pluck().get(sm);
  db.close();
  const pairs = rows.map((r) => { const due = Date.parse(JSON.parse(r.input).due); return [due, r.t - due]; });
  // The worst seconds of the window (when lateness happens, it clusters).
  const bySecond = new Map();
  for (const [due, l] of pairs) { const k = Math.floor((due - firstDue) / 1000); bySecond.set(k, Math.max(bySecond.get(k) ?? -Infinity, l)); }
  const worstSeconds = [...bySecond].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([k, l]) => `+${k}s:${l}ms`);
  const late = pairs.map((p) => p[1]).sort((a, b) => a - b);
  const pct = (p) => late[Math.min(late.length - 1, Math.floor(p * late.length))];
  return {
    executions: WAITING,
    verified: ok,
    startSeconds: startedIn,
    rssWhileWaitingMb: rssWaiting,
    rssPeakMb: rssPeak,
    worstSeconds,
    lateMs: { min: late[0], p50: pct(0.5), p99: pct(0.99), max: late[late.length - 1], early: late.filter((x) => x < 0).length, over100: late.filter((x) => x > 100).length },
  };
}

// ------------------------------------------------------------------ run
const server = await startServer();
PORT = server.port;
const results = { node: process.version, cpus: os.cpus().length, synchronous: 'FULL', db: dbPath };
console.log(`durable bench: stepwise serve --db ${dbPath} (SQLite, synchronous=FULL), node ${process.version}, ${os.cpus().length} cpus, load ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
try {
  if (only.includes('starts')) {
    process.stderr.write(`starts (${SECONDS} s, ${CONCURRENCY} in flight) …\n`);
    const r = (results.starts = await starts());
    console.log(`starts       ${fmt(r.startsPerSec)} StartExecution/s over ${fmt(r.seconds, 1)} s (slowest 10-s window ${fmt(r.slowest10sWindowPerSec)}/s; windows ${r.windowsPerSec.map((x) => fmt(x)).join(' ')}); ${fmt(r.verified)}/${fmt(r.executions)} verified; target ≥ ${fmt(TARGETS.startsPerSec)}/s: ${r.slowest10sWindowPerSec >= TARGETS.startsPerSec ? 'MET' : 'NOT MET'}`);
  }
  if (only.includes('transitions')) {
    process.stderr.write(`transitions (${SECONDS} s of starts) …\n`);
    const r = (results.transitions = await transitions());
    console.log(`transitions  ${fmt(r.transitionsPerSec)} state transitions/s (${fmt(r.stateEntered)} StateEntered in ${fmt(r.seconds, 1)} s, ${r.transitionsPerExecution} per execution, 10 Task steps each); ${fmt(r.verified)}/${fmt(r.executions)} verified; target ≥ ${fmt(TARGETS.transitionsPerSec)}/s: ${r.transitionsPerSec >= TARGETS.transitionsPerSec ? 'MET' : 'NOT MET'}`);
  }
  if (only.includes('waiting')) {
    process.stderr.write(`waiting (${WAITING} executions) …\n`);
    const r = (results.waiting = await waiting(server));
    const l = r.lateMs;
    console.log(`waiting      ${fmt(r.executions)} executions in a Wait (started in ${fmt(r.startSeconds, 1)} s): server RSS ${fmt(r.rssWhileWaitingMb)} MB while waiting, ${fmt(r.rssPeakMb)} MB peak; Wait ended late by p50 ${fmt(l.p50)} ms, p99 ${fmt(l.p99)} ms, max ${fmt(l.max)} ms (${l.over100} over 100 ms, ${l.early} early; worst seconds of the window ${r.worstSeconds.join(' ')}); ${fmt(r.verified)} verified; targets RSS < ${TARGETS.waitingRssMb} MB: ${r.rssPeakMb < TARGETS.waitingRssMb ? 'MET' : 'NOT MET'}, within ${TARGETS.lateMs} ms: ${l.over100 === 0 && l.early === 0 ? 'MET' : 'NOT MET'}`);
  }
} finally {
  server.child.kill('SIGTERM');
  await new Promise((r) => server.child.once('exit', r));
  closeClient();
  const jsonOut = opt('--json', null);
  if (jsonOut) writeFileSync(jsonOut, JSON.stringify(results, null, 2));
  rmSync(work, { recursive: true, force: true });
}
