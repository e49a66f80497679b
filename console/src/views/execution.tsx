/**
 * One execution: the graph coloured by each state's status (live while it runs), the table of steps with
 * their timeline bars, the full event history, the logs, input and output; the step details beside the
 * graph; its Map Runs (a Distributed Map's node links to its own); Stop, Redrive, Start again,
 * Approve/Reject a waiting step, Export.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { buildGraph } from '../../../src/asl/graph.js';
import { layoutGraph } from '../../../src/asl/layout.js';
import { eventDetails, buildTimeline, stateStatuses, type Step } from '../../../src/history/timeline.js';
import { mapRunsByState } from '../../../src/history/map-run-progress.js';
import { call } from '../api.js';
import { GraphLegend, GraphView, type GraphLink } from '../components/graph.js';
import { CodeBlock, ErrorNotice, Loading, Modal, StatusBadge, Tabs } from '../components/ui.js';
import { arnName, causeSummary, duration, prettyJson, time } from '../format.js';
import { href, navigate } from '../router.js';
import { EventsTable } from './execution/events.js';
import { useExecution } from './execution/live.js';
import { LogsView } from './execution/logs.js';
import { MapRunsTable } from './execution/map-runs.js';
import { StepDetails } from './execution/step-details.js';
import { StepsTable } from './execution/steps-table.js';
import { WaitingTasks } from './execution/tasks.js';
import { StartExecutionDialog } from './start-execution.js';

type Tab = 'graph' | 'table' | 'events' | 'logs' | 'io' | 'map-runs';

export function ExecutionView({ arn, query }: { arn: string; query: URLSearchParams }) {
  const tab = (query.get('tab') as Tab | null) ?? 'graph';
  const { data, error, reload, live } = useExecution(arn);
  const [selected, setSelected] = useState<string | undefined>(query.get('state') ?? undefined);
  const [iteration, setIteration] = useState<string>('');
  const [actionError, setActionError] = useState<unknown>(undefined);
  const [stopping, setStopping] = useState(false);
  const [startAgain, setStartAgain] = useState(false);
  const [, tick] = useState(0);

  const timeline = useMemo(() => (data ? buildTimeline(data.events) : undefined), [data?.events]);
  const layout = useMemo(() => {
    if (!data) return undefined;
    try {
      return layoutGraph(buildGraph(JSON.parse(data.definition)).root);
    } catch {
      return undefined;
    }
  }, [data?.definition]);
  // Each Distributed Map state's latest Map Run (its MapRunStarted event): its node links there.
  const mapRunLinks = useMemo(() => {
    if (!timeline || !data) return undefined;
    const links = new Map<string, GraphLink>();
    for (const [state, runArn] of mapRunsByState(timeline, data.events)) links.set(state, { href: href(['map-runs', runArn]), text: 'Map Run', label: `Open the Map Run of ${state}` });
    return links;
  }, [timeline]);
  const mapRunInfo = useMemo(() => {
    const runs = new Set<string>();
    let events = 0;
    for (const e of data?.events ?? []) {
      if (!e.type.startsWith('MapRun')) continue;
      events++;
      const arn = eventDetails(e)?.mapRunArn;
      if (e.type === 'MapRunStarted' && typeof arn === 'string') runs.add(arn);
    }
    return { count: runs.size, events };
  }, [data?.events]);
  const iterPath = iteration === '' ? undefined : iteration.split('.').map(Number);
  const statuses = useMemo(() => (timeline ? stateStatuses(timeline, iterPath) : undefined), [timeline, iteration]);

  // A failed execution opens on its failing state: selected, and the graph centred on it.
  const failing = useMemo(() => {
    if (!timeline || !data || data.execution.status === 'RUNNING') return undefined;
    return [...timeline.steps].reverse().find((s) => s.status === 'failed')?.name;
  }, [timeline, data?.execution.status]);
  useEffect(() => {
    if (failing && !selected) setSelected(failing);
  }, [failing]);

  // Durations of a running execution tick.
  useEffect(() => {
    if (data?.execution.status !== 'RUNNING') return;
    const t = setInterval(() => tick((x) => x + 1), 1000);
    return () => clearInterval(t);
  }, [data?.execution.status]);

  if (error) return <ErrorNotice error={error} />;
  if (!data || !timeline) return <Loading what="the execution" />;
  const ex = data.execution;
  const setTab = (t: Tab, extra: Record<string, string | undefined> = {}) =>
    navigate(href(['executions', arn], { tab: t === 'graph' ? undefined : t, ...extra }), true);
  const act = async (f: () => Promise<unknown>) => {
    setActionError(undefined);
    try {
      await f();
      reload();
    } catch (e) {
      setActionError(e);
    }
  };
  const canRedrive = (ex.status === 'FAILED' || ex.status === 'TIMED_OUT' || ex.status === 'ABORTED') && ex.redriveStatus !== 'NOT_REDRIVABLE';
  const selectedSteps: Step[] = selected ? timeline.steps.filter((s) => s.name === selected && (!iterPath || sameIteration(s.iteration, iterPath))) : [];
  const stopMs = ex.stopDate !== undefined ? ex.stopDate * 1000 : Date.now();
  // A Distributed Map's iterations are its Map Run's, not in this history: no iteration to pick.
  const maps = timeline.mapRuns.filter((m) => m.iterations > 0 && !mapRunLinks?.has(m.name));
  const exportHistory = () => {
    const blob = new Blob([JSON.stringify({ execution: ex, events: data.events }, null, 2)], { type: 'application/json' });
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = `${ex.name}-history.json`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  };

  return (
    <section class="execution">
      <nav class="crumbs" aria-label="Breadcrumb">
        <a href="#/executions">Executions</a> / <a href={href(['state-machines', ex.stateMachineArn])}>{arnName(ex.stateMachineArn)}</a> / <span>{ex.name}</span>
      </nav>
      <div class="page-head">
        <div>
          <h1>
            {ex.name} <StatusBadge status={ex.status} />
            {live && (
              <span class="live" title="Updating as the execution runs">
                <span aria-hidden="true">●</span> live
              </span>
            )}
          </h1>
          <p class="muted meta">
            Started {time(ex.startDate)} · {ex.stopDate !== undefined ? `ended ${time(ex.stopDate)} · ` : ''}
            {duration(stopMs - ex.startDate * 1000)}
            {ex.redriveCount ? ` · redriven ${ex.redriveCount}×` : ''}
            {ex.stateMachineVersionArn ? ` · version ${arnName(ex.stateMachineVersionArn)}` : ''}
            {ex.stateMachineAliasArn ? ` · alias ${arnName(ex.stateMachineAliasArn)}` : ''}
          </p>
        </div>
        <div class="actions">
          {ex.status === 'RUNNING' && (
            <button type="button" class="danger" onClick={() => setStopping(true)}>
              Stop
            </button>
          )}
          {canRedrive && (
            <button type="button" class="primary" onClick={() => act(() => call('RedriveExecution', { executionArn: arn }))}>
              Redrive
            </button>
          )}
          <button type="button" onClick={() => setStartAgain(true)}>
            Start again
          </button>
          <button type="button" onClick={exportHistory}>
            Export JSON
          </button>
        </div>
      </div>
      <ErrorNotice error={actionError} onDismiss={() => setActionError(undefined)} />
      {(ex.error || ex.cause) && ex.status !== 'SUCCEEDED' && (
        <div class="notice notice-error failure" role="alert">
          <div>
            <strong>{ex.error ?? 'Error'}</strong>
            {ex.cause && <span class="cause-line"> {causeSummary(ex.cause)}</span>}
          </div>
          {ex.cause && causeSummary(ex.cause) !== ex.cause && (
            <details>
              <summary>Full cause</summary>
              <pre class="cause">{prettyJson(ex.cause)}</pre>
            </details>
          )}
        </div>
      )}
      <WaitingTasks tasks={data.tasks} onDone={reload} onSelect={(s) => (setSelected(s), setTab('graph'))} />
      <Tabs<Tab>
        label="Execution"
        active={tab}
        onSelect={(t) => setTab(t)}
        tabs={[
          { key: 'graph', label: 'Graph' },
          { key: 'table', label: 'Table', count: timeline.steps.length },
          { key: 'events', label: 'Events', count: data.events.length },
          { key: 'logs', label: 'Logs' },
          { key: 'io', label: 'Input and output' },
          ...(mapRunInfo.count > 0 || tab === 'map-runs' ? [{ key: 'map-runs' as const, label: 'Map Runs', count: mapRunInfo.count }] : []),
        ]}
      />
      <div role="tabpanel" aria-labelledby={`tab-${tab}`}>
        {tab === 'graph' && (
          <div class="split">
            <div class="split-main">
              <div class="graph-head">
                <GraphLegend />
                {maps.length > 0 && (
                  <label class="iteration-picker">
                    Map iteration
                    <select value={iteration} onChange={(e) => setIteration((e.target as HTMLSelectElement).value)}>
                      <option value="">All (latest of each state)</option>
                      {Array.from({ length: Math.max(...maps.map((m) => m.iterations)) }, (_, i) => (
                        <option key={i} value={String(i)}>
                          #{i}
                          {iterationFailed(timeline.steps, i) ? ' (failed)' : ''}
                        </option>
                      ))}
                    </select>
                  </label>
                )}
              </div>
              {layout ? (
                <GraphView layout={layout} statuses={statuses} links={mapRunLinks} selected={selected} onSelect={setSelected} focus={failing} label={`Graph of execution ${ex.name}`} />
              ) : (
                <p class="notice">The definition could not be drawn.</p>
              )}
            </div>
            <aside class="split-side details" aria-label="Step details">
              {selected ? (
                <StepDetails
                  name={selected}
                  steps={selectedSteps}
                  events={data.events}
                  definition={data.definition}
                  timeline={timeline}
                  onLogs={() => setTab('logs', { state: selected })}
                  onEvents={() => setTab('events', { state: selected })}
                />
              ) : (
                <p class="muted">Select a state to see its input, output, data flow and errors.</p>
              )}
            </aside>
          </div>
        )}
        {tab === 'table' && (
          <StepsTable
            timeline={timeline}
            startMs={ex.startDate * 1000}
            endMs={stopMs}
            onSelect={(s) => {
              setSelected(s.name);
              if (s.iteration?.length) setIteration(s.iteration.join('.'));
              setTab('graph');
            }}
          />
        )}
        {tab === 'events' && <EventsTable events={data.events} timeline={timeline} stateFilter={query.get('state') ?? undefined} />}
        {tab === 'logs' && <LogsView arn={arn} configured={data.loggingLevel} stateFilter={query.get('state') ?? undefined} version={data.events.length} />}
        {tab === 'map-runs' && <MapRunsTable executionArn={arn} version={mapRunInfo.events} />}
        {tab === 'io' && (
          <div class="two-col">
            <div>
              <h2 class="h3">Input</h2>
              <CodeBlock text={prettyJson(ex.input)} label="Execution input" />
            </div>
            <div>
              <h2 class="h3">Output</h2>
              <CodeBlock text={prettyJson(ex.output)} label="Execution output" empty={ex.status === 'RUNNING' ? 'Not yet: the execution is running.' : 'No output.'} />
            </div>
          </div>
        )}
      </div>
      <Modal title={`Stop ${ex.name}?`} open={stopping} onClose={() => setStopping(false)}>
        <StopForm
          onCancel={() => setStopping(false)}
          onStop={(error, cause) =>
            act(async () => {
              await call('StopExecution', { executionArn: arn, ...(error ? { error } : {}), ...(cause ? { cause } : {}) });
              setStopping(false);
            })
          }
        />
      </Modal>
      <StartExecutionDialog
        open={startAgain}
        stateMachineArn={ex.stateMachineAliasArn ?? ex.stateMachineVersionArn ?? ex.stateMachineArn}
        stateMachineName={arnName(ex.stateMachineArn)}
        initialInput={prettyJson(ex.input) || '{}'}
        onClose={() => setStartAgain(false)}
        onStarted={(e) => navigate(href(['executions', e]))}
      />
    </section>
  );
}

function sameIteration(a: number[] | undefined, b: number[]): boolean {
  if (!a) return false;
  return b.every((x, i) => a[i] === x);
}

function iterationFailed(steps: Step[], i: number): boolean {
  return steps.some((s) => s.iteration?.[0] === i && s.status === 'failed');
}

function StopForm({ onStop, onCancel }: { onStop: (error: string, cause: string) => void; onCancel: () => void }) {
  const [error, setError] = useState('');
  const [cause, setCause] = useState('');
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        onStop(error.trim(), cause.trim());
      }}
    >
      <p>The execution ends as Aborted; tasks in flight are cancelled.</p>
      <label for="stop-error">Error (optional)</label>
      <input id="stop-error" value={error} maxLength={256} onInput={(e) => setError((e.target as HTMLInputElement).value)} />
      <label for="stop-cause">Cause (optional)</label>
      <textarea id="stop-cause" rows={3} value={cause} onInput={(e) => setCause((e.target as HTMLTextAreaElement).value)} />
      <div class="dialog-actions">
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" class="danger">
          Stop execution
        </button>
      </div>
    </form>
  );
}
