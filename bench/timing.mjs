// Timing: units of work (manifest executionsPerBatch sequential executions, inputs cloned beforehand),
// engines interleaved round by round (order flipped each round, gc before each round) after a warm-up.
// Every output is verified; a failed execution or a wrong output stops the cell (NOT COUNTED).
import { readFileSync } from 'node:fs';
import { diffOutput } from './workloads.mjs';

const gc = globalThis.gc ?? (() => {});

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n === 0 ? NaN : n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
};

const newCell = () => ({ execs: 0, ms: 0, cpuMs: 0, rates: [], cpuRates: [], fail: null, sharesPayload: null });

/** One unit: only the executions are timed; cloning inputs and verifying outputs are not. */
async function runUnit(w, inst, cell) {
  const n = w.executionsPerBatch;
  const inputs = Array.from({ length: n }, () => structuredClone(w.input));
  const outputs = new Array(n);
  let error = null;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  try {
    for (let i = 0; i < n; i++) outputs[i] = await inst.run(inputs[i]);
  } catch (e) {
    error = e;
  }
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(c0);
  if (error) return void (cell.fail = `execution failed: ${String(error.message ?? error).slice(0, 200)}`);
  for (let i = 0; i < n; i++) {
    const d = diffOutput(outputs[i], w.expected);
    if (d) return void (cell.fail = `wrong output: ${d}`);
  }
  if (w.payloadBytes) { // big-payload: is the input's payload.items the very object in the output?
    const shared = outputs.every((o, i) => o?.payload?.items === inputs[i].payload.items);
    cell.sharesPayload = (cell.sharesPayload ?? true) && shared;
  }
  cell.execs += n;
  cell.ms += ms;
  cell.cpuMs += (cpu.user + cpu.system) / 1000;
}

/** Units until `ms` have passed (at least one); records the round's rates. */
async function runRound(w, inst, cell, ms) {
  const e0 = cell.execs, t0 = cell.ms, c0 = cell.cpuMs;
  const start = performance.now();
  do await runUnit(w, inst, cell);
  while (!cell.fail && performance.now() - start < ms);
  if (cell.fail) return;
  cell.rates.push(((cell.execs - e0) / (cell.ms - t0)) * 1000);
  cell.cpuRates.push(((cell.execs - e0) / (cell.cpuMs - c0)) * 1000);
}

/**
 * Times one workload on every engine. Returns { [engineId]: result } with execPerSec = median over
 * rounds of executions / summed execution time, spreadPct = (max-min)/median of the round rates.
 */
export async function timeWorkload(w, engines, { rounds, roundMs, warmupMs }) {
  const cells = {};
  const live = [];
  for (const eng of engines) {
    const cell = (cells[eng.id] = newCell());
    try {
      const t0 = performance.now();
      cell.inst = await eng.setup(w);
      cell.setupMs = performance.now() - t0;
    } catch (e) {
      cell.fail = `setup failed: ${String(e.message).split('\n')[0]}`;
      continue;
    }
    await runRound(w, cell.inst, cell, warmupMs); // warm-up, not recorded
    Object.assign(cell, { execs: 0, ms: 0, cpuMs: 0, rates: [], cpuRates: [] });
    if (!cell.fail) live.push(eng.id);
  }
  const cpu0 = cpuSnapshot();
  for (let r = 0; r < rounds; r++) {
    for (const id of r % 2 ? [...live].reverse() : live) {
      const cell = cells[id];
      if (cell.fail) continue;
      gc();
      await runRound(w, cell.inst, cell, roundMs);
    }
  }
  const othersPct = othersCpuPct(cpu0, cpuSnapshot());
  const out = {};
  for (const eng of engines) {
    const c = cells[eng.id];
    const res = { engine: eng.id, setupMs: c.setupMs, othersCpuPct: othersPct };
    if (c.fail) res.fail = c.fail;
    else {
      res.execs = c.execs;
      res.execPerSec = median(c.rates);
      res.spreadPct = ((Math.max(...c.rates) - Math.min(...c.rates)) / res.execPerSec) * 100;
      res.execPerCpuSec = median(c.cpuRates);
      res.transPerSec = res.execPerSec * w.transitionsPerExecution;
      res.msPerExec = c.ms / c.execs;
      if (c.sharesPayload !== null) res.sharesPayload = c.sharesPayload;
    }
    out[eng.id] = res;
  }
  return out;
}

// Share of the machine's CPU used by OTHER processes (Linux /proc/stat minus this process): figures
// taken while it is well above 0 are not comparable. null where /proc/stat is unavailable.
function cpuSnapshot() {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const [user, nice, system, idle, iowait = 0, irq = 0, softirq = 0, steal = 0] = f;
    const own = process.cpuUsage();
    return { busy: user + nice + system + irq + softirq + steal, total: user + nice + system + idle + iowait + irq + softirq + steal, own: (own.user + own.system) / 1e6 };
  } catch {
    return null;
  }
}
function othersCpuPct(a, b) {
  if (!a || !b || b.total === a.total) return null;
  const HZ = 100; // USER_HZ
  return Math.max(0, ((b.busy - a.busy) / HZ - (b.own - a.own)) / ((b.total - a.total) / HZ)) * 100;
}
