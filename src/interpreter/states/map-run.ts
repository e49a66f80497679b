/**
 * A Distributed Map's Map Run as the pure step sees it: its state (on the Map state's wait), the
 * counters DescribeMapRun shows, derived from the wait's progress, and the changes UpdateMapRun makes.
 * The step reports every Map Run it touched (`Runner.touchRun`); the runtime stores the reports with
 * the step.
 * @module
 */
import { isObject } from '../../shared/json.js';
import type { MapIoWait, MapLimits, MapRunCounts, MapRunFigures, MapRunReport, MapRunState, MapRunStatus, MapWait, Thread, Wait } from '../exec-state.js';
import type { EngineInput } from '../inputs.js';
import type { Runner } from '../runner.js';

export type UpdateMapRunInput = Extract<EngineInput, { k: 'updateMapRun' }>;

export function newRun(arn: string, now: number): MapRunState {
  return { arn, status: 'RUNNING', startDate: now, redriveCount: 0 };
}

/** The run of a wait saved before Map Runs were recorded: made up from its ARN, started now. */
export function runOf(w: MapWait | MapIoWait, now: number): MapRunState | undefined {
  if (w.run) return w.run;
  if (w.runArn === undefined) return undefined;
  return (w.run = newRun(w.runArn, now));
}

/** The run stopped (SUCCEEDED, FAILED or ABORTED) at `now`. */
export function endRun(run: MapRunState, status: Exclude<MapRunStatus, 'RUNNING'>, now: number): void {
  run.status = status;
  run.stopDate = now;
}

/** A redrive of the parent execution runs the Map Run again. */
export function redriveRun(run: MapRunState, now: number): void {
  run.status = 'RUNNING';
  delete run.stopDate;
  run.redriveCount++;
  run.redriveDate = now;
}

const zero = (): MapRunCounts => ({
  pending: 0,
  running: 0,
  succeeded: 0,
  failed: 0,
  timedOut: 0,
  aborted: 0,
  total: 0,
  resultsWritten: 0,
  failuresNotRedrivable: 0,
  pendingRedrive: 0,
});

/** Figures before any item is known (reading the items; failed before the iterations). */
export function limitFigures(limits: MapLimits): MapRunFigures {
  return {
    maxConcurrency: limits.maxConcurrency,
    toleratedFailureCount: limits.toleratedCount ?? 0,
    toleratedFailurePercentage: limits.toleratedPercentage ?? 0,
    itemCounts: zero(),
    executionCounts: zero(),
  };
}

/** How many items an iteration (a child execution) processes: one, or the items of its batch. */
function weight(w: MapWait, index: number): number {
  if (!w.batched) return 1;
  const b = w.items[index];
  return isObject(b) && Array.isArray(b.Items) ? b.Items.length : 1;
}

/**
 * The counters of a MapWait. Child executions: pending (not started, or halted and waiting for a
 * redrive to resume them), running, succeeded, failed and aborted since the last redrive. Items: the
 * same, weighed by the items of each batch. Results are written as iterations end (succeeded or failed).
 */
export function mapWaitFigures(w: MapWait): MapRunFigures {
  const n = w.items.length;
  const failed = w.failedIdx?.length ?? 0;
  const aborted = w.abortedIdx?.length ?? 0;
  const pending = (w.redo?.length ?? 0) + Math.max(0, n - w.nextIndex);
  const running = Math.max(0, n - pending - w.done - failed - aborted);
  const executions: MapRunCounts = { ...zero(), pending, running, succeeded: w.done, failed, aborted, total: n, resultsWritten: w.done + failed };
  let items = executions;
  if (w.batched) {
    const sum = (idx: readonly number[] | undefined) => (idx ?? []).reduce((a, i) => a + weight(w, i), 0);
    let total = 0;
    for (let i = 0; i < n; i++) total += weight(w, i);
    let notStarted = sum(w.redo);
    for (let i = w.nextIndex; i < n; i++) notStarted += weight(w, i);
    // In flight: children that have not ended (those that succeeded are gone from `children`).
    const ended = new Set([...(w.failedIdx ?? []), ...(w.abortedIdx ?? []), ...(w.redo ?? [])]);
    let inFlight = 0;
    for (const key of Object.keys(w.children)) if (!ended.has(Number(key))) inFlight += weight(w, Number(key));
    const f = sum(w.failedIdx);
    const a = sum(w.abortedIdx);
    const succeeded = total - notStarted - inFlight - f - a;
    items = { ...zero(), pending: notStarted, running: inFlight, succeeded, failed: f, aborted: a, total, resultsWritten: succeeded + f };
  }
  return {
    maxConcurrency: w.maxConcurrency,
    toleratedFailureCount: w.toleratedCount ?? 0,
    toleratedFailurePercentage: w.toleratedPercentage ?? 0,
    itemCounts: items,
    executionCounts: executions,
  };
}

/** The report of a run held by a wait (or by nothing, once frozen). */
export function report(run: MapRunState, w: Wait | null): MapRunReport | undefined {
  let figures: MapRunFigures | undefined = run.frozen;
  if (!figures && w?.k === 'map') figures = mapWaitFigures(w);
  else if (!figures && w?.k === 'mapIo' && w.op === 'read') figures = limitFigures(w.limits);
  if (!figures) return undefined;
  const out: MapRunReport = { mapRunArn: run.arn, status: run.status, startDate: run.startDate, redriveCount: run.redriveCount, ...structuredClone(figures) };
  if (run.stopDate !== undefined) out.stopDate = run.stopDate;
  if (run.redriveDate !== undefined) out.redriveDate = run.redriveDate;
  return out;
}

/** Applies UpdateMapRun's changes to the limits a wait holds. */
export function applyUpdate(w: MapWait | MapIoWait, u: UpdateMapRunInput): void {
  const target: { maxConcurrency: number; toleratedCount: number | undefined; toleratedPercentage: number | undefined } | undefined =
    w.k === 'map' ? w : w.op === 'read' ? w.limits : undefined;
  if (target) {
    if (u.maxConcurrency !== undefined) target.maxConcurrency = u.maxConcurrency;
    if (u.toleratedFailureCount !== undefined) target.toleratedCount = u.toleratedFailureCount;
    if (u.toleratedFailurePercentage !== undefined) target.toleratedPercentage = u.toleratedFailurePercentage;
  }
  const f = w.run?.frozen;
  if (f) {
    if (u.maxConcurrency !== undefined) f.maxConcurrency = u.maxConcurrency;
    if (u.toleratedFailureCount !== undefined) f.toleratedFailureCount = u.toleratedFailureCount;
    if (u.toleratedFailurePercentage !== undefined) f.toleratedFailurePercentage = u.toleratedFailurePercentage;
  }
}

/** The path of the thread whose Map state runs the Map Run `arn`, if it is running. */
export function findRunThread(root: Thread | null, arn: string): number[] | undefined {
  if (!root) return undefined;
  const w = root.wait;
  if (!w) return undefined;
  if ((w.k === 'map' || w.k === 'mapIo') && (w.run?.arn ?? w.runArn) === arn) return root.path;
  const children: (Thread | null)[] = w.k === 'parallel' ? w.children : w.k === 'map' ? Object.values(w.children) : [];
  for (const c of children) {
    if (!c || c.halted) continue;
    const p = findRunThread(c, arn);
    if (p) return p;
  }
  return undefined;
}

/** Touches the run of a wait (reported at the end of the step), if it has one. */
export function touch(r: Runner, w: MapWait | MapIoWait): void {
  const run = runOf(w, r.now);
  if (run) r.touchRun(run, w);
}
