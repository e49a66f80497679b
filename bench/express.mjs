// Sustained Express load on `stepwise serve` in its own process, driven over loopback HTTP (awsJson1_0,
// keep-alive, a bounded number of requests in flight) by this one; the server's RSS is sampled while it runs.
//   node bench/express.mjs [--only sync,async] [--seconds 60] [--concurrency 64] [--every 5] [--json FILE]
// Phases (each on a fresh server):
//   sync   StartSyncExecution of a three-state Express workflow for --seconds: executions/s, every answer
//          checked (SUCCEEDED with the expected output).
//   async  StartExecution of the same workflow as an Express state machine for --seconds.
// For each: the server's RSS every --every seconds, and whether it levelled off (RSS at the end is within
// 10% of RSS at half time). At the end of a phase, the newest execution is described (it must be kept)
// and the first one too (kept only while within the server's bound of ended Express executions).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const opt = (name, def) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : def; };
const only = opt('--only', 'sync,async').split(',');
const SECONDS = Number(opt('--seconds', 60));
const CONCURRENCY = Number(opt('--concurrency', 64));
const EVERY = Number(opt('--every', 5));
const fmt = (x, d = 0) => (x == null || Number.isNaN(x) ? '-' : d === 0 ? Math.round(x).toLocaleString('en-US') : x.toFixed(d));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const work = mkdtempSync(join(os.tmpdir(), 'stepwise-express-bench-'));

async function startServer(tag) {
  const port = await new Promise((res) => { const s = http.createServer(); s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => res(p)); }); });
  const child = spawn(process.execPath, [...(process.env.BENCH_SERVER_NODE_ARGS ? process.env.BENCH_SERVER_NODE_ARGS.split(' ') : []), join(root, 'bin', 'stepwise.js'), 'serve', '--port', String(port), '--db', join(work, `${tag}.db`)], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, AWS_ACCOUNT_ID: '123456789012', AWS_DEFAULT_REGION: 'us-east-1' },
  });
  await new Promise((res, rej) => {
    child.stdout.on('data', (d) => { if (String(d).includes('serving')) res(); });
    child.on('exit', (c) => rej(new Error(`server exited with ${c}`)));
  });
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const call = (op, params) => {
    const body = JSON.stringify(params);
    return new Promise((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, path: '/', method: 'POST', agent, headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `AWSStepFunctions.${op}`, 'content-length': Buffer.byteLength(body) } }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const json = text ? JSON.parse(text) : {};
          if (res.statusCode !== 200) reject(Object.assign(new Error(`${op}: ${res.statusCode} ${json.__type}: ${json.message}`), { type: json.__type }));
          else resolve(json);
        });
      });
      req.on('error', reject);
      req.end(body);
    });
  };
  const stop = async () => {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    agent.destroy();
  };
  return { child, call, stop };
}

function rssMb(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

const DEFINITION = {
  StartAt: 'A',
  States: {
    A: { Type: 'Pass', Parameters: { 'n.$': '$.n', step: 'a' }, Next: 'B' },
    B: { Type: 'Pass', Parameters: { 'n.$': '$.n', step: 'b' }, Next: 'C' },
    C: { Type: 'Pass', Result: { ok: true }, ResultPath: '$.done', End: true },
  },
};
const EXPECTED = JSON.stringify({ n: 1, step: 'b', done: { ok: true } });

async function phase(kind) {
  const server = await startServer(kind);
  try {
    const { stateMachineArn: sm } = await server.call('CreateStateMachine', { name: `bench-express-${kind}`, type: 'EXPRESS', definition: JSON.stringify(DEFINITION), roleArn: 'arn:aws:iam::123456789012:role/bench' });
    const samples = [{ t: 0, rssMb: rssMb(server.child.pid), executions: 0 }];
    let count = 0, bad = 0, why = null, first = null, last = null;
    const t0 = Date.now();
    const end = t0 + SECONDS * 1000;
    const sampler = setInterval(() => samples.push({ t: Math.round((Date.now() - t0) / 1000), rssMb: rssMb(server.child.pid), executions: count }), EVERY * 1000);
    const worker = async (w) => {
      let i = 0;
      while (Date.now() < end) {
        const params = { stateMachineArn: sm, name: `${kind}-${w}-${i++}`, input: '{"n":1}' };
        try {
          const r = await server.call(kind === 'sync' ? 'StartSyncExecution' : 'StartExecution', params);
          if (kind === 'sync' && (r.status !== 'SUCCEEDED' || r.output !== EXPECTED)) { bad++; why ??= `status ${r.status}, output ${r.output}`; }
          first ??= r.executionArn;
          last = r.executionArn;
        } catch (e) { bad++; why ??= e.message; }
        count++;
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, (_, w) => worker(w)));
    const elapsed = (Date.now() - t0) / 1000;
    clearInterval(sampler);
    if (elapsed - samples[samples.length - 1].t >= 1) samples.push({ t: Math.round(elapsed), rssMb: rssMb(server.child.pid), executions: count });
    // Async executions may still be finishing: give them a moment before describing the newest.
    await sleep(500);
    const describe = async (arn) => {
      try { return (await server.call('DescribeExecution', { executionArn: arn })).status; } catch (e) { return e.type ?? e.message; }
    };
    const newest = last ? await describe(last) : '-';
    const oldest = first ? await describe(first) : '-';
    const half = samples.reduce((best, s) => (Math.abs(s.t - elapsed / 2) < Math.abs(best.t - elapsed / 2) ? s : best), samples[0]);
    const final = samples[samples.length - 1];
    const levelled = final.rssMb <= half.rssMb * 1.1;
    return { kind, executions: count, bad, why, seconds: elapsed, perSec: count / elapsed, samples, half, final, levelled, newest, oldest };
  } finally {
    await server.stop();
  }
}

const results = { node: process.version, cpus: os.cpus().length, seconds: SECONDS, concurrency: CONCURRENCY, phases: [] };
let commit = 'unknown';
try { commit = (await import('node:child_process')).execSync('git rev-parse --short HEAD', { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim(); } catch {}
console.log(`express bench: stepwise serve (checkout ${commit}), ${CONCURRENCY} requests in flight over loopback HTTP, ${SECONDS} s per phase; node ${process.version}, ${os.cpus().length} cpus, load ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
try {
  for (const kind of ['sync', 'async']) {
    if (!only.includes(kind)) continue;
    process.stderr.write(`express ${kind} (${SECONDS} s, ${CONCURRENCY} in flight) …\n`);
    const r = await phase(kind);
    results.phases.push(r);
    const op = kind === 'sync' ? 'StartSyncExecution' : 'StartExecution (Express)';
    console.log(`${kind.padEnd(5)} ${fmt(r.executions)} ${op} in ${fmt(r.seconds, 1)} s = ${fmt(r.perSec)}/s; ${r.bad ? `${fmt(r.bad)} BAD (${r.why})` : 'all answers ok'}`);
    console.log(`      server RSS MB by second: ${r.samples.map((s) => `${s.t}s:${fmt(s.rssMb)}`).join(' ')}`);
    console.log(`      levelled off: ${r.levelled ? 'YES' : 'NO'} (RSS at ${r.half.t} s ${fmt(r.half.rssMb)} MB, at the end ${fmt(r.final.rssMb)} MB, peak ${fmt(Math.max(...r.samples.map((s) => s.rssMb)))} MB); newest execution: ${r.newest}; first execution: ${r.oldest}`);
  }
} finally {
  const jsonOut = opt('--json', null);
  if (jsonOut) writeFileSync(jsonOut, JSON.stringify(results, null, 2));
  rmSync(work, { recursive: true, force: true });
}
