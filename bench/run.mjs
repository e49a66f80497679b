// Stepwise vs aws-local-stepfunctions on the shared ASL workloads (see README.md).
//   node --expose-gc bench/run.mjs [--only a,b] [--rounds 11] [--round-ms 300] [--warmup-ms 500]
//                                  [--no-mem] [--json FILE]
import { execSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { ENGINES } from './engines.mjs';
import { MEM_EXECS, measureMemory } from './memory.mjs';
import { timeWorkload } from './timing.mjs';
import { WORKLOADS_DIR, loadManifest, loadWorkload } from './workloads.mjs';

const argv = process.argv.slice(2);
const opt = (name, def) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : def; };
const flag = (name) => argv.includes(name);
const cfg = { rounds: Number(opt('--rounds', 11)), roundMs: Number(opt('--round-ms', 300)), warmupMs: Number(opt('--warmup-ms', 500)) };
const only = opt('--only', null)?.split(',');
const TARGETS = { geomean: 20, manySmall: 100_000 };

const engines = [ENGINES.stepwise, ENGINES.als];
const [SW, PEER] = engines.map((e) => e.id);
const manifest = loadManifest();
const selected = manifest.filter((m) => !only || only.includes(m.name));
if (only) for (const n of only) if (!manifest.some((m) => m.name === n)) throw new Error(`unknown workload ${n}`);

const fmt = (x, d = 0) => (x == null || Number.isNaN(x) ? '-' : d === 0 ? Math.round(x).toLocaleString('en-US') : x.toFixed(d));
const loadAvg = () => os.loadavg().map((x) => x.toFixed(2)).join(' ');
let commit = 'unknown';
try { commit = execSync('git rev-parse --short HEAD', { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim(); } catch {}

console.log(`${engines.map((e) => `${e.label}@${e.version()}`).join(' vs ')} (stepwise from dist/, checkout ${commit}); node ${process.version}, ${os.cpus().length} cpus`);
console.log(`rounds=${cfg.rounds} round-ms=${cfg.roundMs} warmup-ms=${cfg.warmupMs} gc=${globalThis.gc ? 'exposed' : 'NOT exposed (run with --expose-gc)'}; workloads ${WORKLOADS_DIR}; load average ${loadAvg()}`);
for (const e of engines) for (const n of e.notes) console.log(`adaptation ${e.label}: ${n}`);

// ---------------------------------------------------------------- timing
const rows = [];
for (const m of selected) {
  process.stderr.write(`timing ${m.name} …\n`);
  const w = loadWorkload(m);
  const res = await timeWorkload(w, engines, cfg);
  const sw = res[SW], peer = res[PEER];
  const ratio = sw.fail || peer.fail ? null : sw.execPerSec / peer.execPerSec;
  rows.push({ workload: m.name, transitionsPerExecution: m.transitionsPerExecution, executionsPerBatch: m.executionsPerBatch, [SW]: sw, [PEER]: peer, ratio });
}
console.log(`load average at end of timing: ${loadAvg()}`);

// ---------------------------------------------------------------- memory
if (!flag('--no-mem')) {
  for (const r of rows) {
    for (const e of engines) {
      if (r[e.id].fail) continue;
      process.stderr.write(`memory ${r.workload} ${e.id} …\n`);
      r[e.id].mem = measureMemory(r.workload, e.id);
    }
  }
}

// ---------------------------------------------------------------- report
const status = (r) => {
  const bad = engines.filter((e) => r[e.id].fail).map((e) => `NOT COUNTED ${e.label}: ${r[e.id].fail}`);
  return bad.length ? bad.join('; ') : `ok (verified: ${fmt(r[SW].execs)} ${SW} + ${fmt(r[PEER].execs)} ${PEER} execs)`;
};
console.log(`\nexec/s = median over rounds of executions / summed execution time; spread % = (max-min)/median of round rates;`);
console.log(`transitions/s = exec/s × manifest transitionsPerExecution; ${PEER} = ${ENGINES[PEER].label}; ratio = stepwise exec/s ÷ ${PEER} exec/s;`);
console.log(`others % = CPU share used by other processes during the workload's rounds (comparable only near 0).`);
console.log(`| workload | stepwise exec/s | stepwise transitions/s | spread % | ${PEER} exec/s | ${PEER} transitions/s | spread % | ratio | others % | status |`);
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---|');
for (const r of rows) {
  const a = r[SW], b = r[PEER];
  console.log(`| ${r.workload} | ${fmt(a.execPerSec, 1)} | ${fmt(a.transPerSec)} | ${fmt(a.spreadPct)} | ${fmt(b.execPerSec, 1)} | ${fmt(b.transPerSec)} | ${fmt(b.spreadPct)} | ${r.ratio == null ? '-' : `${fmt(r.ratio, 1)}×`} | ${fmt(a.othersCpuPct)} | ${status(r)} |`);
}
const ratios = rows.map((r) => r.ratio).filter((x) => x != null);
const geomean = ratios.length ? Math.exp(ratios.reduce((s, x) => s + Math.log(x), 0) / ratios.length) : null;
console.log(`\ngeometric mean of ratios over ${ratios.length} of ${rows.length} workloads${ratios.length < rows.length ? ' (INCOMPLETE: some cells not counted)' : ''}: ${geomean == null ? '-' : `${fmt(geomean, 2)}×`}`);

if (!flag('--no-mem')) {
  console.log(`\nmemory: fresh child per cell; executions = ${JSON.stringify(MEM_EXECS)}`);
  console.log('peak RSS grow = maxRSS - RSS after setup+gc; heap peak grow = max heapUsed after an execution - heapUsed after setup+gc; heap retained = after final gc; alloc KB/exec = JS heap bytes allocated per execution (v8.GCProfiler)');
  console.log('| workload | engine | execs | peak RSS grow MB | heap peak grow MB | heap retained MB | alloc KB/exec | status |');
  console.log('|---|---|---:|---:|---:|---:|---:|---|');
  for (const r of rows) {
    for (const e of engines) {
      const m = r[e.id].mem;
      if (!m) continue;
      const st = m.error ? `child failed: ${m.error}` : m.bad ? `${m.bad} bad: ${m.why}` : 'ok';
      console.log(`| ${r.workload} | ${e.label} | ${fmt(m.execs)} | ${fmt(m.peakRssGrowMB, 1)} | ${fmt(m.heapPeakGrowMB, 1)} | ${fmt(m.heapRetainedMB, 1)} | ${fmt(m.allocKBPerExec, 1)} | ${st} |`);
    }
  }
}

// ---------------------------------------------------------------- targets
console.log('\ntargets:');
const met = (ok) => (ok == null ? 'NOT MEASURED' : ok ? 'MET' : 'NOT MET');
if (rows.length === manifest.length) {
  console.log(`- geometric mean ≥ ${TARGETS.geomean}×: ${met(ratios.length === rows.length ? geomean >= TARGETS.geomean : null)} (${geomean == null ? '-' : `${fmt(geomean, 2)}×`} over ${ratios.length}/${rows.length})`);
}
const ms = rows.find((r) => r.workload === 'many-small')?.[SW];
if (ms) console.log(`- many-small ≥ ${fmt(TARGETS.manySmall)} exec/s: ${met(ms.fail ? null : ms.execPerSec >= TARGETS.manySmall)} (${fmt(ms.execPerSec)} exec/s)`);
const bp = rows.find((r) => r.workload === 'big-payload')?.[SW];
if (bp) {
  const alloc = bp.mem?.allocKBPerExec;
  const kb = manifest.find((m) => m.name === 'big-payload').payloadBytes / 1024;
  console.log(`- big-payload not deep-copied: ${met(bp.fail ? null : bp.sharesPayload)} (output payload.items ${bp.sharesPayload ? 'is' : 'is NOT'} the input's object in every verified execution` +
    `${alloc == null ? '' : `; ${fmt(alloc, 1)} KB allocated per execution for a ${fmt(kb)} KB payload over 20 states`})`);
}

const jf = opt('--json', null);
if (jf) {
  writeFileSync(jf, JSON.stringify({ node: process.version, commit, config: cfg, workloadsDir: WORKLOADS_DIR, results: rows, geomean }, null, 2));
  console.log(`\nwrote ${jf}`);
}
