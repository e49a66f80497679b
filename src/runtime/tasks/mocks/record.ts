/**
 * A test case from a finished execution: every Task invocation the history records, with its result
 * (Return) or its error (Throw), by state and invocation number, as a MockConfigFile test case. Run
 * again on `stateMachineArn#TestCase` with the same input, the execution answers each task as the
 * recorded one did, offline.
 *
 * The history is the API's (GetExecutionHistory's events). Invocations are numbered in the order they
 * were scheduled; consecutive invocations with the same answer share one range key ("0-2").
 * @module
 */
import type { Json, JsonObject } from '../../../shared/json.js';

/** An event as GetExecutionHistory returns it. */
export interface AwsEvent {
  id: number;
  previousEventId?: number;
  type: string;
  [details: string]: unknown;
}

type Answer = { Return: Json } | { Throw: { Error: string; Cause?: string } };

const SCHEDULED = new Set(['TaskScheduled', 'LambdaFunctionScheduled', 'ActivityScheduled']);
const SUCCEEDED = new Set(['TaskSucceeded', 'LambdaFunctionSucceeded', 'ActivitySucceeded']);
const FAILED = new Set([
  'TaskFailed',
  'TaskTimedOut',
  'TaskStartFailed',
  'TaskSubmitFailed',
  'LambdaFunctionFailed',
  'LambdaFunctionTimedOut',
  'LambdaFunctionStartFailed',
  'LambdaFunctionScheduleFailed',
  'ActivityFailed',
  'ActivityTimedOut',
  'ActivityScheduleFailed',
]);

function detailsOf(e: AwsEvent): Record<string, unknown> {
  for (const [k, v] of Object.entries(e)) if (k.endsWith('EventDetails') && v && typeof v === 'object') return v as Record<string, unknown>;
  return {};
}

export interface RecordedTestCase {
  /** Mocked response names by state name (the test case). */
  testCase: Record<string, string>;
  /** The mocked responses it names. */
  mockedResponses: Record<string, Record<string, Answer>>;
  /** Invocations the history shows no outcome for (the execution stopped while they ran): not recorded. */
  unfinished: { stateName: string; invocation: number }[];
}

/** The test case `name` from an execution's history (events in ascending id order). */
export function recordTestCase(events: readonly AwsEvent[], name: string): RecordedTestCase {
  const byId = new Map<number, AwsEvent>();
  for (const e of events) byId.set(e.id, e);
  /** The state an event belongs to: the nearest StateEntered up its thread's chain. */
  const stateOf = (e: AwsEvent): string | undefined => {
    let p = e.previousEventId === undefined ? undefined : byId.get(e.previousEventId);
    while (p && !p.type.endsWith('StateEntered')) p = p.previousEventId === undefined ? undefined : byId.get(p.previousEventId);
    const n = p ? detailsOf(p).name : undefined;
    return typeof n === 'string' ? n : undefined;
  };
  /** The Scheduled event an outcome closes (up its chain). */
  const scheduledOf = (e: AwsEvent): AwsEvent | undefined => {
    let p = e.previousEventId === undefined ? undefined : byId.get(e.previousEventId);
    while (p && !SCHEDULED.has(p.type) && !p.type.endsWith('StateEntered')) p = p.previousEventId === undefined ? undefined : byId.get(p.previousEventId);
    return p && SCHEDULED.has(p.type) ? p : undefined;
  };
  const outcomes = new Map<number, Answer>();
  for (const e of events) {
    const isOk = SUCCEEDED.has(e.type);
    if (!isOk && !FAILED.has(e.type)) continue;
    const sched = scheduledOf(e);
    if (!sched) continue;
    const d = detailsOf(e);
    if (isOk) {
      outcomes.set(sched.id, { Return: typeof d.output === 'string' ? (JSON.parse(d.output) as Json) : null });
    } else {
      const t: { Error: string; Cause?: string } = { Error: typeof d.error === 'string' ? d.error : '' };
      if (typeof d.cause === 'string') t.Cause = d.cause;
      outcomes.set(sched.id, { Throw: t });
    }
  }
  const perState = new Map<string, (Answer | undefined)[]>();
  for (const e of events) {
    if (!SCHEDULED.has(e.type)) continue;
    const state = stateOf(e);
    if (state === undefined) continue;
    let list = perState.get(state);
    if (!list) perState.set(state, (list = []));
    list.push(outcomes.get(e.id));
  }
  const out: RecordedTestCase = { testCase: {}, mockedResponses: {}, unfinished: [] };
  for (const [state, answers] of perState) {
    const resp: Record<string, Answer> = {};
    let i = 0;
    while (i < answers.length) {
      const a = answers[i];
      if (a === undefined) {
        out.unfinished.push({ stateName: state, invocation: i });
        i++;
        continue;
      }
      let j = i;
      while (j + 1 < answers.length && answers[j + 1] !== undefined && JSON.stringify(answers[j + 1]) === JSON.stringify(a)) j++;
      resp[j === i ? String(i) : `${i}-${j}`] = a;
      i = j + 1;
    }
    const responseName = `${name}.${state}`;
    out.testCase[state] = responseName;
    out.mockedResponses[responseName] = resp;
  }
  return out;
}

/**
 * Puts a recorded test case into a mock configuration (a new one when `into` is undefined): the test
 * case of `stateMachine` and its mocked responses replace those of the same names.
 */
export function mergeTestCase(into: JsonObject | undefined, stateMachine: string, name: string, rec: RecordedTestCase): JsonObject {
  const cfg: JsonObject = into ?? {};
  const machines = (cfg.StateMachines ??= {}) as JsonObject;
  const sm = (machines[stateMachine] ??= { TestCases: {} }) as JsonObject;
  const cases = (sm.TestCases ??= {}) as JsonObject;
  const responses = (cfg.MockedResponses ??= {}) as JsonObject;
  const old = cases[name];
  if (old && typeof old === 'object' && !Array.isArray(old)) {
    // Responses the replaced test case named, that nothing else names, go with it.
    const stillUsed = new Set<string>();
    for (const [smName, m] of Object.entries(machines)) {
      for (const [cName, tc] of Object.entries(((m as JsonObject).TestCases ?? {}) as JsonObject)) {
        if (smName === stateMachine && cName === name) continue;
        for (const r of Object.values(tc as JsonObject)) stillUsed.add(r as string);
      }
    }
    for (const r of Object.values(old as JsonObject)) if (typeof r === 'string' && !stillUsed.has(r)) delete responses[r];
  }
  cases[name] = rec.testCase;
  for (const [r, v] of Object.entries(rec.mockedResponses)) responses[r] = v as unknown as Json;
  return cfg;
}
