/** Executions of every state machine: filters (state machine, status, name, time range) and paging. */
import { useState } from 'preact/hooks';
import { get, type ExecutionSummary, type StateMachineSummary } from '../api.js';
import { ExecutionTable } from '../components/execution-table.js';
import { ErrorNotice, Loading, useLoad } from '../components/ui.js';
import { fromDateTimeField, timeZoneMode, toDateTimeField } from '../format.js';
import { href, navigate } from '../router.js';
import { StartExecutionDialog } from './start-execution.js';

const PAGE = 25;
const STATUSES = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'];


export function ExecutionsView({ query }: { query: URLSearchParams }) {
  const sm = query.get('sm') ?? '';
  const status = query.get('status') ?? '';
  const name = query.get('name') ?? '';
  const from = query.get('from');
  const to = query.get('to');
  const offset = Number(query.get('offset') ?? 0);
  const [starting, setStarting] = useState(false);
  const [machines] = useLoad(() => get<{ stateMachines: StateMachineSummary[] }>('state-machines'), []);
  const [data, error, reload] = useLoad(() => {
    const q = new URLSearchParams({ offset: String(offset), limit: String(PAGE) });
    if (sm) q.set('stateMachineArn', sm);
    if (status) q.set('status', status);
    if (name) q.set('name', name);
    if (from) q.set('from', from);
    if (to) q.set('to', to);
    return get<{ executions: ExecutionSummary[]; hasMore: boolean }>(`executions?${q}`);
  }, [sm, status, name, from, to, offset]);
  const set = (changes: Record<string, string | undefined>) =>
    navigate(href(['executions'], { sm, status, name, from: from ?? undefined, to: to ?? undefined, ...changes, offset: changes.offset ?? undefined }));
  const selected = machines?.stateMachines.find((m) => m.stateMachineArn === sm);
  return (
    <section>
      <div class="page-head">
        <h1>Executions</h1>
        <div class="actions">
          <button type="button" onClick={reload}>
            Refresh
          </button>
          {!selected && (
            <p class="muted start-hint" id="start-hint">
              To start an execution, choose its state machine in the filter below.
            </p>
          )}
          <button type="button" class="primary" disabled={!selected} aria-describedby={selected ? undefined : 'start-hint'} onClick={() => setStarting(true)}>
            Start execution
          </button>
        </div>
      </div>
      <form
        class="filters"
        aria-label="Filter executions"
        onSubmit={(e) => {
          e.preventDefault();
          const f = new FormData(e.target as HTMLFormElement);
          set({ name: String(f.get('name') ?? ''), from: fromDateTimeField(String(f.get('from') ?? '')), to: fromDateTimeField(String(f.get('to') ?? '')) });
        }}
      >
        <label>
          State machine
          <select value={sm} onChange={(e) => set({ sm: (e.target as HTMLSelectElement).value })}>
            <option value="">All</option>
            {machines?.stateMachines.map((m) => (
              <option key={m.stateMachineArn} value={m.stateMachineArn}>
                {m.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Status
          <select value={status} onChange={(e) => set({ status: (e.target as HTMLSelectElement).value })}>
            <option value="">Any</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s.replace('_', ' ').toLowerCase()}
              </option>
            ))}
          </select>
        </label>
        <label>
          Name contains
          <input name="name" type="search" defaultValue={name} />
        </label>
        <label>
          Started from{timeZoneMode() === 'utc' ? ' (UTC)' : ''}
          <input name="from" type="datetime-local" defaultValue={toDateTimeField(from)} />
        </label>
        <label>
          to
          <input name="to" type="datetime-local" defaultValue={toDateTimeField(to)} />
        </label>
        <button type="submit">Apply</button>
      </form>
      <ErrorNotice error={error} />
      {!data && !error && <Loading what="executions" />}
      {data && data.executions.length === 0 && <p class="empty">No executions match.</p>}
      {data && data.executions.length > 0 && (
        <ExecutionTable executions={data.executions} />
      )}
      {data && (offset > 0 || data.hasMore) && (
        <nav class="pager" aria-label="Pages">
          <button type="button" disabled={offset === 0} onClick={() => set({ offset: String(Math.max(0, offset - PAGE)) })}>
            ← Newer
          </button>
          <span class="muted">
            {offset + 1}–{offset + data.executions.length}
          </span>
          <button type="button" disabled={!data.hasMore} onClick={() => set({ offset: String(offset + PAGE) })}>
            Older →
          </button>
        </nav>
      )}
      {selected && (
        <StartExecutionDialog
          open={starting}
          stateMachineArn={selected.stateMachineArn}
          stateMachineName={selected.name}
          onClose={() => setStarting(false)}
          onStarted={(arn) => navigate(href(['executions', arn]))}
        />
      )}
    </section>
  );
}
