// Memory per (workload, engine), each in a fresh child process (node --expose-gc memory.mjs NAME ENGINE):
//  phase 1: N verified executions; peak RSS growth (maxRSS - RSS after setup+gc), heap peak growth
//           (max heapUsed sampled after each execution - heapUsed after setup+gc), heap retained
//           (heapUsed after a final gc - heapUsed after setup+gc);
//  phase 2: N more executions, outputs dropped unverified, bytes allocated on the JS heap per
//           execution (v8.GCProfiler: sum over GCs of heapUsed growth between collections).
// Phase 1 clones each input just before its execution (heap figures include one input, as for every
// engine); phase 2 clones all inputs before it starts, so the allocation figure excludes them.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import { ENGINES } from './engines.mjs';
import { diffOutput, loadManifest, loadWorkload } from './workloads.mjs';

export const MEM_EXECS = {
  'pass-chain-100': 300, 'choice-loop-1000': 20, 'map-1000': 10, 'parallel-10x10': 300,
  'task-chain-50': 500, 'retry-catch': 500, 'many-small': 10000, 'big-payload': 50,
};
const HERE = fileURLToPath(import.meta.url);
const MB = 1024 * 1024;
const heapUsed = () => v8.getHeapStatistics().used_heap_size;
const settle = async () => { await new Promise((r) => setTimeout(r, 50)); globalThis.gc(); globalThis.gc(); };

/** Runs the child and returns its figures ({ error } when it failed). */
export function measureMemory(workload, engine) {
  const c = spawnSync(process.execPath, ['--expose-gc', HERE, workload, engine], { encoding: 'utf8', maxBuffer: 1 << 24 });
  try {
    return JSON.parse(c.stdout.trim().split('\n').pop());
  } catch {
    return { error: (c.stderr || c.stdout || `exit ${c.status}`).trim().split('\n')[0].slice(0, 200) };
  }
}

async function child(name, engineId) {
  const w = loadWorkload(loadManifest().find((m) => m.name === name));
  const inst = await ENGINES[engineId].setup(w);
  const n = MEM_EXECS[name] ?? 100;

  await settle();
  const rss0 = process.memoryUsage().rss;
  const heap0 = heapUsed();
  let heapPeak = heap0, bad = 0, why = null;
  for (let i = 0; i < n; i++) {
    try {
      const d = diffOutput(await inst.run(structuredClone(w.input)), w.expected);
      if (d) { bad++; why ??= `wrong output: ${d}`; }
    } catch (e) { bad++; why ??= `execution failed: ${e.message}`; }
    heapPeak = Math.max(heapPeak, heapUsed());
  }
  const maxRss = process.resourceUsage().maxRSS * 1024;
  await settle();
  const retained = heapUsed() - heap0;

  let allocPerExec = null;
  if (v8.GCProfiler) {
    const inputs = Array.from({ length: n }, () => structuredClone(w.input));
    await settle();
    const prof = new v8.GCProfiler();
    let last = heapUsed();
    prof.start();
    for (let i = 0; i < n; i++) {
      try { await inst.run(inputs[i]); } catch {}
      inputs[i] = null;
    }
    const end = heapUsed();
    let alloc = 0;
    for (const g of prof.stop().statistics) {
      alloc += Math.max(0, g.beforeGC.heapStatistics.usedHeapSize - last);
      last = g.afterGC.heapStatistics.usedHeapSize;
    }
    allocPerExec = (alloc + Math.max(0, end - last)) / n;
  }
  console.log(JSON.stringify({
    execs: n, bad, why, peakRssGrowMB: (maxRss - rss0) / MB, heapPeakGrowMB: (heapPeak - heap0) / MB,
    heapRetainedMB: retained / MB, allocKBPerExec: allocPerExec === null ? null : allocPerExec / 1024,
  }));
}

if (process.argv[1] === HERE) await child(process.argv[2], process.argv[3]);
