/**
 * A state's details in an execution: status, times, error and cause, each attempt, input and output,
 * assigned variables, and the data flow through the state. The data flow is traced by the server's
 * TestState (inspectionLevel DEBUG) on the state's own definition with the step's input, the task's
 * recorded result as the mock and the variables assigned before it — the same code that ran it.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { eventsById, mapRunArnOfStep } from '../../../../src/history/map-run-progress.js';
import { eventDetails, type AwsEvent, type Step, type Timeline } from '../../../../src/history/timeline.js';
import { call, CONSOLE_ROLE } from '../../api.js';
import { NODE_STATUS_ICON, NODE_STATUS_LABEL } from '../../components/graph.js';
import { CodeBlock } from '../../components/ui.js';
import { causeSummary, duration, prettyJson, time } from '../../format.js';
import { href } from '../../router.js';

type JsonObj = Record<string, unknown>;

/** The state's definition, found by name in any scope (top level, Parallel branches, Map processors). */
export function findStateDef(def: unknown, name: string): JsonObj | undefined {
  if (!def || typeof def !== 'object') return undefined;
  const states = (def as JsonObj).States;
  if (!states || typeof states !== 'object') return undefined;
  const own = (states as JsonObj)[name];
  if (own && typeof own === 'object') return own as JsonObj;
  for (const st of Object.values(states as JsonObj)) {
    if (!st || typeof st !== 'object') continue;
    const s = st as JsonObj;
    const scopes = [...(Array.isArray(s.Branches) ? s.Branches : []), s.ItemProcessor, s.Iterator];
    for (const sc of scopes) {
      const hit = findStateDef(sc, name);
      if (hit) return hit;
    }
  }
  return undefined;
}

interface Trace {
  status?: string;
  output?: string;
  error?: string;
  cause?: string;
  inspectionData?: Record<string, string | undefined>;
}

const FLOW_JSONPATH: [string, string, string?][] = [
  ['input', 'State input'],
  ['afterInputPath', 'After InputPath', 'InputPath'],
  ['afterItemsPath', 'After ItemsPath', 'ItemsPath'],
  ['afterItemSelector', 'After ItemSelector', 'ItemSelector'],
  ['afterParameters', 'After Parameters', 'Parameters'],
  ['result', 'Result'],
  ['afterResultSelector', 'After ResultSelector', 'ResultSelector'],
  ['afterResultPath', 'After ResultPath', 'ResultPath'],
];
const FLOW_JSONATA: [string, string, string?][] = [
  ['input', 'State input'],
  ['afterArguments', 'Arguments', 'Arguments'],
  ['afterItemsPath', 'Items', 'Items'],
  ['afterItemSelector', 'After ItemSelector', 'ItemSelector'],
  ['result', 'Result'],
];

function eventsOf(events: AwsEvent[], step: Step): AwsEvent[] {
  const ids = new Set(step.eventIds);
  return events.filter((e) => ids.has(e.id));
}

/** Variables assigned by the steps that ended before this one entered (their assignedVariables, in order). */
function variablesBefore(timeline: Timeline, step: Step): string | undefined {
  const vars: JsonObj = {};
  let any = false;
  for (const s of timeline.steps) {
    if (s === step || s.exitedAt === undefined || s.exitedAt > step.enteredAt || !s.assigned) continue;
    for (const [k, v] of Object.entries(s.assigned)) {
      try {
        vars[k] = JSON.parse(v);
        any = true;
      } catch {
        /* skip */
      }
    }
  }
  return any ? JSON.stringify(vars) : undefined;
}

function useTrace(definition: string, step: Step | undefined, events: AwsEvent[], timeline: Timeline): Trace | 'unavailable' | undefined {
  const [trace, setTrace] = useState<Trace | 'unavailable' | undefined>(undefined);
  useEffect(() => {
    setTrace(undefined);
    if (!step || step.input === undefined) return setTrace('unavailable');
    let def: JsonObj;
    try {
      def = JSON.parse(definition) as JsonObj;
    } catch {
      return setTrace('unavailable');
    }
    const st = findStateDef(def, step.name);
    if (!st || st.Type === 'Map' || st.Type === 'Parallel' || st.Type === 'Wait') return setTrace('unavailable');
    const state = { ...st, ...(def.QueryLanguage && !st.QueryLanguage ? { QueryLanguage: def.QueryLanguage } : {}) };
    delete (state as JsonObj).Retry;
    let mock: JsonObj | undefined;
    if (st.Type === 'Task') {
      const ok = eventsOf(events, step).find((e) => /^(Task|Activity|LambdaFunction)Succeeded$/.test(e.type));
      if (!ok) return setTrace('unavailable');
      mock = { result: String(eventDetails(ok)?.output ?? 'null'), fieldValidationMode: 'NONE' };
    }
    const variables = variablesBefore(timeline, step);
    let live = true;
    call<Trace>('TestState', {
      definition: JSON.stringify(state),
      input: step.input,
      roleArn: CONSOLE_ROLE,
      inspectionLevel: 'DEBUG',
      ...(mock ? { mock } : {}),
      ...(variables ? { variables } : {}),
    }).then(
      (t) => live && setTrace(t),
      () => live && setTrace('unavailable'),
    );
    return () => {
      live = false;
    };
  }, [definition, step?.key, step?.status]);
  return trace;
}

export function StepDetails({
  name,
  steps,
  events,
  definition,
  timeline,
  onLogs,
  onEvents,
}: {
  name: string;
  steps: Step[];
  events: AwsEvent[];
  definition: string;
  timeline: Timeline;
  onLogs: () => void;
  onEvents: () => void;
}) {
  const [pick, setPick] = useState<number | undefined>(undefined);
  useEffect(() => setPick(undefined), [name]);
  const step = steps[pick ?? steps.length - 1];
  const trace = useTrace(definition, step, events, timeline);
  // A Distributed Map step started a Map Run: its own view.
  const runArn = useMemo(() => (step ? mapRunArnOfStep(step, eventsById(events)) : undefined), [step, events]);
  // A Fail state's error is not always in the history (inside a Map iteration it is not); its trace has it.
  const traced = trace && trace !== 'unavailable' && trace.status === 'FAILED' ? trace : undefined;
  const error = step?.error ?? (step?.status === 'failed' || step?.status === 'caught' ? traced?.error : undefined);
  const cause = step?.cause ?? (step?.status === 'failed' || step?.status === 'caught' ? traced?.cause : undefined);
  let stateDef: JsonObj | undefined;
  let jsonata = false;
  try {
    const def = JSON.parse(definition) as JsonObj;
    stateDef = findStateDef(def, name);
    jsonata = (stateDef?.QueryLanguage ?? def.QueryLanguage) === 'JSONata';
  } catch {
    /* undrawable */
  }
  return (
    <div class="step-details">
      <h2 class="h3">{name}</h2>
      {!step ? (
        <p class="muted">
          <span aria-hidden="true">◌ </span>Not reached{steps.length === 0 ? '' : ' in this iteration'}.
        </p>
      ) : (
        <>
          <p>
            <span class={`step-status st-${step.status}`}>
              <span aria-hidden="true">{NODE_STATUS_ICON[step.status]} </span>
              {NODE_STATUS_LABEL[step.status]}
            </span>{' '}
            <span class="muted">
              {step.type} · entered {time(step.enteredAt / 1000)} · {duration((step.exitedAt ?? (step.status === 'running' ? Date.now() : step.enteredAt)) - step.enteredAt)}
              {step.iteration?.length ? ` · iteration ${step.iteration.join('.')}` : ''}
            </span>
          </p>
          {steps.length > 1 && (
            <label class="inline">
              Entered {steps.length} times; showing
              <select value={String(pick ?? steps.length - 1)} onChange={(e) => setPick(Number((e.target as HTMLSelectElement).value))}>
                {steps.map((s, i) => (
                  <option key={s.key} value={String(i)}>
                    #{i + 1} at {time(s.enteredAt / 1000)}
                    {s.iteration?.length ? ` (iteration ${s.iteration.join('.')})` : ''}
                  </option>
                ))}
              </select>
            </label>
          )}
          <p class="links">
            <button type="button" class="link" onClick={onLogs}>
              Jump to logs
            </button>{' '}
            ·{' '}
            <button type="button" class="link" onClick={onEvents}>
              Events of this state
            </button>
            {runArn && (
              <>
                {' '}
                ·{' '}
                <a href={href(['map-runs', runArn])} class="map-run-link">
                  Open its Map Run
                </a>
              </>
            )}
          </p>
          {(error || cause) && (
            <div class={`notice ${step.status === 'caught' ? 'notice-warn' : 'notice-error'} step-error`}>
              <strong>{error}</strong>
              {step.status === 'caught' && <span class="muted"> (caught)</span>}
              {cause && <div class="cause-line">{causeSummary(cause)}</div>}
              {cause && causeSummary(cause) !== cause && (
                <details>
                  <summary>Full cause</summary>
                  <pre class="cause">{prettyJson(cause)}</pre>
                </details>
              )}
            </div>
          )}
          {step.attempts.length > 0 && (
            <section>
              <h3 class="h4">Attempts</h3>
              <ol class="attempts">
                {step.attempts.map((a, i) => {
                  const next = step.attempts[i + 1];
                  return (
                    <li key={i}>
                      <span class={a.error ? 'bad' : a.endedAt ? 'good' : ''}>
                        <span aria-hidden="true">{a.error ? '✕' : a.endedAt ? '✓' : '◔'} </span>
                        Attempt {i + 1}
                      </span>{' '}
                      <span class="muted">{duration((a.endedAt ?? Date.now()) - a.startedAt)}</span>
                      {a.error && (
                        <>
                          {' '}
                          — <code>{a.error}</code>
                          {a.cause ? <span class="muted"> {causeSummary(a.cause, 140)}</span> : null}
                        </>
                      )}
                      {next && a.endedAt !== undefined && <div class="muted backoff">back-off {duration(next.startedAt - a.endedAt)}</div>}
                    </li>
                  );
                })}
              </ol>
            </section>
          )}
          <section>
            <h3 class="h4">Input</h3>
            <CodeBlock text={prettyJson(step.input)} label={`Input of ${name}`} />
            <h3 class="h4">Output</h3>
            <CodeBlock text={prettyJson(step.output)} label={`Output of ${name}`} empty={step.status === 'running' ? 'Not yet.' : 'None.'} />
          </section>
          {step.assigned && Object.keys(step.assigned).length > 0 && (
            <section>
              <h3 class="h4">Variables assigned</h3>
              <CodeBlock text={JSON.stringify(Object.fromEntries(Object.entries(step.assigned).map(([k, v]) => [k, safeParse(v)])), null, 2)} label="Variables assigned" />
            </section>
          )}
          <DataFlow trace={trace} stateDef={stateDef} jsonata={jsonata} />
        </>
      )}
    </div>
  );
}

function safeParse(t: string): unknown {
  try {
    return JSON.parse(t);
  } catch {
    return t;
  }
}

function DataFlow({ trace, stateDef, jsonata }: { trace: Trace | 'unavailable' | undefined; stateDef?: JsonObj; jsonata: boolean }) {
  const fields = jsonata ? ['Arguments', 'Output', 'Assign'] : ['InputPath', 'Parameters', 'ResultSelector', 'ResultPath', 'OutputPath', 'Assign'];
  const configured = stateDef ? fields.filter((f) => stateDef[f] !== undefined) : [];
  return (
    <section class="dataflow">
      <h3 class="h4">Data flow</h3>
      {configured.length > 0 && (
        <dl class="flow-fields">
          {configured.map((f) => (
            <div key={f}>
              <dt>{f}</dt>
              <dd>
                <code>{typeof stateDef![f] === 'string' ? String(stateDef![f]) : JSON.stringify(stateDef![f])}</code>
              </dd>
            </div>
          ))}
        </dl>
      )}
      {trace === undefined && <p class="muted">Tracing…</p>}
      {trace === 'unavailable' && <p class="muted">{configured.length ? '' : 'No input or output processing in this state.'}</p>}
      {trace && trace !== 'unavailable' && trace.inspectionData && (
        <ol class="flow">
          {(jsonata ? FLOW_JSONATA : FLOW_JSONPATH)
            .filter(([k]) => trace.inspectionData![k] !== undefined)
            .map(([k, label, field]) => (
              <li key={k}>
                <div class="flow-label">
                  {label}
                  {field && stateDef?.[field] !== undefined && <code class="muted"> {typeof stateDef[field] === 'string' ? String(stateDef[field]) : ''}</code>}
                </div>
                <CodeBlock text={prettyJson(trace.inspectionData![k])} label={label} />
              </li>
            ))}
          {trace.output !== undefined && (
            <li>
              <div class="flow-label">{jsonata ? 'Output' : 'After OutputPath (state output)'}</div>
              <CodeBlock text={prettyJson(trace.output)} label="State output" />
            </li>
          )}
          {trace.inspectionData.variables !== undefined && (
            <li>
              <div class="flow-label">Variables after the state</div>
              <CodeBlock text={prettyJson(trace.inspectionData.variables)} label="Variables" />
            </li>
          )}
        </ol>
      )}
    </section>
  );
}
