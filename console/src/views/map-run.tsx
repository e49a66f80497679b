/**
 * One Map Run (`#/map-runs/<mapRunArn>`): its status and dates, its progress by status (items and
 * child executions, a bar and the counts), items per second, its limits with the Update form
 * (UpdateMapRun), Redrive of the parent execution when it can be redriven, and its child executions
 * (ListExecutions with the mapRunArn, filtered and paged). Kept live by polling DescribeMapRun while the
 * run or its parent runs (the parent's history records no event while its iterations run).
 */
import { useEffect, useState } from 'preact/hooks';
import { addSample, averageItemsPerSecond, doneCount, itemsPerSecond, mapRunParts, type CountSample } from '../../../src/history/map-run-progress.js';
import { call, type Execution, type MapRun } from '../api.js';
import { MapRunProgress } from '../components/map-run-progress.js';
import { ErrorNotice, Loading, StatusBadge } from '../components/ui.js';
import { arnName, duration, time } from '../format.js';
import { href } from '../router.js';
import { ChildExecutions } from './map-run/children.js';
import { UpdateMapRunForm } from './map-run/update-form.js';

/** How often a running Map Run is read again. */
export const POLL_MS = 1000;

interface MapRunData {
  run: MapRun;
  parent: Execution;
  samples: CountSample[];
}

function useMapRun(arn: string): { data?: MapRunData; error?: unknown; reload: () => void } {
  const [data, setData] = useState<MapRunData | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [n, setN] = useState(0);
  useEffect(() => {
    let closed = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let samples: CountSample[] = [];
    // Another Map Run's page: not the last one's data meanwhile (a reload keeps it).
    setData((d) => (d && d.run.mapRunArn !== arn ? undefined : d));
    const tick = async () => {
      try {
        const run = await call<MapRun>('DescribeMapRun', { mapRunArn: arn });
        const parent = await call<Execution>('DescribeExecution', { executionArn: run.executionArn });
        if (closed) return;
        samples = addSample(samples, { at: Date.now(), done: doneCount(run.itemCounts) });
        setData({ run, parent, samples });
        setError(undefined);
        // The parent may still run after the Map Run (and can be redriven after it ends).
        if (run.status === 'RUNNING' || parent.status === 'RUNNING') timer = setTimeout(tick, POLL_MS);
      } catch (e) {
        if (closed) return;
        setError(e);
        // Once shown, the run is tried again (the server may be restarting); a first read that fails is final.
        if (samples.length) timer = setTimeout(tick, POLL_MS * 5);
      }
    };
    void tick();
    return () => {
      closed = true;
      clearTimeout(timer);
    };
  }, [arn, n]);
  return { data, error, reload: () => setN((x) => x + 1) };
}

const rateText = (r: number) => (r >= 10 ? r.toFixed(1) : r.toFixed(2));

function Rate({ run, samples }: { run: MapRun; samples: CountSample[] }) {
  if (run.status === 'RUNNING') {
    const r = itemsPerSecond(samples);
    return (
      <p class="rate" data-rate={r ? r.rate : ''}>
        Items per second:{' '}
        {r ? (
          <>
            <strong class="num">{rateText(r.rate)}</strong> <span class="muted">over the last {Math.round(r.spanMs / 1000)} s</span>
          </>
        ) : (
          <span class="muted">measuring…</span>
        )}
      </p>
    );
  }
  const avg = run.stopDate !== undefined ? averageItemsPerSecond(doneCount(run.itemCounts), run.startDate * 1000, run.stopDate * 1000) : undefined;
  return (
    <p class="rate" data-rate={avg ?? ''}>
      Items per second: {avg !== undefined ? <strong class="num">{rateText(avg)}</strong> : '–'} <span class="muted">on average, from start to end</span>
    </p>
  );
}

const canRedrive = (ex: Execution) => (ex.status === 'FAILED' || ex.status === 'TIMED_OUT' || ex.status === 'ABORTED') && ex.redriveStatus !== 'NOT_REDRIVABLE';

export function MapRunView({ arn, query }: { arn: string; query: URLSearchParams }) {
  const { data, error, reload } = useMapRun(arn);
  const [actionError, setActionError] = useState<unknown>(undefined);
  // (A running Map Run is read again every second: its duration ticks with it.)
  const running = data?.run.status === 'RUNNING';

  if (!data) return error ? <ErrorNotice error={error} /> : <Loading what="the Map Run" />;
  const { run, parent, samples } = data;
  const parts = mapRunParts(run.mapRunArn);
  const label = parts?.label ?? arnName(run.mapRunArn);
  const stopMs = run.stopDate !== undefined ? run.stopDate * 1000 : Date.now();
  const redrive = async () => {
    setActionError(undefined);
    try {
      await call('RedriveExecution', { executionArn: parent.executionArn });
      reload();
    } catch (e) {
      setActionError(e);
    }
  };

  return (
    <section class="map-run">
      <nav class="crumbs" aria-label="Breadcrumb">
        <a href="#/executions">Executions</a> / <a href={href(['state-machines', parent.stateMachineArn])}>{arnName(parent.stateMachineArn)}</a> /{' '}
        <a href={href(['executions', parent.executionArn])}>{parent.name}</a> / <span>Map Run {label}</span>
      </nav>
      <div class="page-head">
        <div>
          <h1>
            Map Run {label} <StatusBadge status={run.status} />
            {running && (
              <span class="live" title="Updating as the Map Run runs">
                <span aria-hidden="true">●</span> live
              </span>
            )}
          </h1>
          <p class="muted meta">
            Started {time(run.startDate)} · {run.stopDate !== undefined ? `ended ${time(run.stopDate)} · ` : ''}
            {duration(stopMs - run.startDate * 1000)}
            {run.redriveCount ? ` · redriven ${run.redriveCount}×${run.redriveDate !== undefined ? `, last ${time(run.redriveDate)}` : ''}` : ''}
          </p>
          <p class="muted meta">
            Of execution <a href={href(['executions', parent.executionArn])}>{parent.name}</a> <StatusBadge status={parent.status} />
            {parts ? ` · ID ${parts.id}` : ''}
          </p>
        </div>
        <div class="actions">
          {canRedrive(parent) && (
            <button type="button" class="primary" onClick={redrive} aria-describedby="redrive-hint">
              Redrive
            </button>
          )}
          <a class="button" href={href(['executions', parent.executionArn])}>
            Open the execution
          </a>
        </div>
      </div>
      {canRedrive(parent) && (
        <p class="muted" id="redrive-hint">
          Redrive runs the execution {parent.name} again from where it stopped: the items of this Map Run that failed or were aborted run again.
        </p>
      )}
      <ErrorNotice error={actionError} onDismiss={() => setActionError(undefined)} />
      {error ? <ErrorNotice error={error} /> : null}

      <section aria-labelledby="map-run-progress">
        <h2 id="map-run-progress">Progress</h2>
        <MapRunProgress items={run.itemCounts} executions={run.executionCounts}>
          <Rate run={run} samples={samples} />
        </MapRunProgress>
      </section>

      <section aria-labelledby="map-run-limits" class="limits">
        <h2 id="map-run-limits">Limits</h2>
        <dl class="kv">
          <dt>Max concurrency</dt>
          <dd data-limit="maxConcurrency">{run.maxConcurrency === 0 ? '0 (no limit)' : run.maxConcurrency}</dd>
          <dt>Tolerated failure count</dt>
          <dd data-limit="toleratedFailureCount">{run.toleratedFailureCount}</dd>
          <dt>Tolerated failure percentage</dt>
          <dd data-limit="toleratedFailurePercentage">{run.toleratedFailurePercentage} %</dd>
        </dl>
        {running ? (
          <UpdateMapRunForm run={run} onUpdated={reload} />
        ) : (
          <p class="muted">The Map Run has ended: its limits can no longer be changed.</p>
        )}
      </section>

      <section aria-labelledby="map-run-children">
        <h2 id="map-run-children">Child executions</h2>
        <ChildExecutions mapRunArn={run.mapRunArn} parent={parent} query={query} version={`${run.status}:${doneCount(run.executionCounts)}:${run.executionCounts.running}`} />
      </section>
    </section>
  );
}
