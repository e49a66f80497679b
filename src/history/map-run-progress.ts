/**
 * Map Runs read from an execution's history and counts, as the console shows them: which Map state
 * started which Map Run (its steps' MapRunStarted events), a run's parts from its ARN, its progress by
 * status, and its items per second from counts sampled over time.
 * @module
 */
import { eventDetails, type AwsEvent, type Step, type Timeline } from './timeline.js';

/** The counts of DescribeMapRun's `itemCounts` / `executionCounts` the console reads. */
export interface MapRunCounts {
  pending: number;
  running: number;
  succeeded: number;
  failed: number;
  timedOut: number;
  aborted: number;
  total: number;
  resultsWritten?: number;
}

/** The Map Run a step started (its MapRunStarted event), when it started one. */
export function mapRunArnOfStep(step: Step, byId: Map<number, AwsEvent>): string | undefined {
  let arn: string | undefined;
  for (const id of step.eventIds) {
    const e = byId.get(id);
    if (e?.type !== 'MapRunStarted') continue;
    const v = eventDetails(e)?.mapRunArn;
    if (typeof v === 'string') arn = v;
  }
  return arn;
}

export const eventsById = (events: AwsEvent[]): Map<number, AwsEvent> => new Map(events.map((e) => [e.id, e]));

/** State name → the ARN of the latest Map Run a step of that state started. */
export function mapRunsByState(timeline: Timeline, events: AwsEvent[]): Map<string, string> {
  const byId = eventsById(events);
  const out = new Map<string, string>();
  for (const step of timeline.steps) {
    const arn = mapRunArnOfStep(step, byId);
    if (arn) out.set(step.name, arn);
  }
  return out;
}

/**
 * `arn:aws:states:REGION:ACCOUNT:mapRun:STATE_MACHINE/LABEL:ID` → its parts; undefined for anything
 * else. The label is the Map state's `Label` (or its name).
 */
export function mapRunParts(arn: string): { stateMachine: string; label: string; id: string } | undefined {
  const parts = arn.split(':');
  if (parts.length !== 8 || parts[5] !== 'mapRun') return undefined;
  const path = parts[6]!;
  const slash = path.lastIndexOf('/');
  if (slash <= 0 || slash === path.length - 1) return undefined;
  return { stateMachine: path.slice(0, slash), label: path.slice(slash + 1), id: parts[7]! };
}

/** The iterations that have ended, whichever way. */
export const doneCount = (c: MapRunCounts): number => c.succeeded + c.failed + c.timedOut + c.aborted;

/** The statuses a progress bar shows, in its order (ended ones first), with their labels. */
export const PROGRESS_ORDER = [
  ['succeeded', 'Succeeded'],
  ['failed', 'Failed'],
  ['timedOut', 'Timed out'],
  ['aborted', 'Aborted'],
  ['running', 'Running'],
  ['pending', 'Pending'],
] as const;

export type ProgressKey = (typeof PROGRESS_ORDER)[number][0];

/** The bar's segments: each status's share of the total, in percent (statuses with none left out). */
export function progressSegments(c: MapRunCounts): { key: ProgressKey; label: string; count: number; percent: number }[] {
  const total = Math.max(c.total, PROGRESS_ORDER.reduce((n, [k]) => n + c[k], 0));
  if (total <= 0) return [];
  return PROGRESS_ORDER.filter(([k]) => c[k] > 0).map(([key, label]) => ({ key, label, count: c[key], percent: (c[key] / total) * 100 }));
}

/** Ended iterations counted at a moment (epoch ms). */
export interface CountSample {
  at: number;
  done: number;
}

/** How far back the rate of a running Map Run looks. */
export const RATE_WINDOW_MS = 10_000;
/** The shortest span a rate is given over (shorter ones are noise). */
export const RATE_MIN_SPAN_MS = 1_000;

/**
 * Items per second over the samples of the last `windowMs` (before the newest sample): the ended
 * iterations' growth over the time between the first and the last sample. Undefined until the samples
 * span `RATE_MIN_SPAN_MS`. A drop of the count (a redrive counts failed items as pending again) starts
 * the window over.
 */
export function itemsPerSecond(samples: CountSample[], windowMs = RATE_WINDOW_MS): { rate: number; spanMs: number } | undefined {
  if (samples.length < 2) return undefined;
  const last = samples[samples.length - 1]!;
  let first = samples.length - 1;
  while (first > 0) {
    const prev = samples[first - 1]!;
    if (last.at - prev.at > windowMs || prev.done > samples[first]!.done) break;
    first--;
  }
  const spanMs = last.at - samples[first]!.at;
  if (spanMs < RATE_MIN_SPAN_MS) return undefined;
  return { rate: ((last.done - samples[first]!.done) * 1000) / spanMs, spanMs };
}

/** Adds a sample, keeping only those the rate can still use (within `windowMs` of it). */
export function addSample(samples: CountSample[], s: CountSample, windowMs = RATE_WINDOW_MS): CountSample[] {
  const kept = samples.filter((x) => s.at - x.at <= windowMs && x.at <= s.at);
  return [...kept, s];
}

/** The average over a whole run: ended iterations per second between its start and stop (epoch ms). */
export function averageItemsPerSecond(done: number, startMs: number, stopMs: number): number | undefined {
  const span = stopMs - startMs;
  if (span <= 0) return undefined;
  return (done * 1000) / span;
}
