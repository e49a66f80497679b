/** The full history, paged, filterable by event type and by state; each event opens to its details. */
import { Fragment } from 'preact';
import { useMemo, useState } from 'preact/hooks';
import { eventDetails, eventSummary, type AwsEvent, type Timeline } from '../../../../src/history/timeline.js';
import { time } from '../../format.js';

const PAGE = 100;

/** Pretty form of a details object (JSON payload fields expanded). */
function pretty(d: Record<string, unknown> | undefined): string {
  if (!d) return '';
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(d)) {
    if (typeof v === 'string' && /^(input|output|parameters)$/.test(k)) {
      try {
        out[k] = JSON.parse(v);
        continue;
      } catch {
        /* as it is */
      }
    }
    out[k] = v;
  }
  return JSON.stringify(out, null, 2);
}

export function EventsTable({ events, timeline, stateFilter }: { events: AwsEvent[]; timeline: Timeline; stateFilter?: string }) {
  const [type, setType] = useState('');
  const [state, setState] = useState(stateFilter ?? '');
  const [page, setPage] = useState(0);
  const [open, setOpen] = useState<Set<number>>(new Set());
  const types = useMemo(() => [...new Set(events.map((e) => e.type))].sort(), [events]);
  const stateIds = useMemo(() => (state ? new Set(timeline.steps.filter((s) => s.name === state).flatMap((s) => s.eventIds)) : undefined), [timeline, state]);
  const filtered = events.filter((e) => (!type || e.type === type) && (!stateIds || stateIds.has(e.id)));
  const pages = Math.max(1, Math.ceil(filtered.length / PAGE));
  const p = Math.min(page, pages - 1);
  const rows = filtered.slice(p * PAGE, (p + 1) * PAGE);
  const t0 = events[0]?.timestamp ?? 0;
  return (
    <div>
      <div class="filters" role="group" aria-label="Filter events">
        <label>
          Type
          <select value={type} onChange={(e) => (setType((e.target as HTMLSelectElement).value), setPage(0))}>
            <option value="">All types</option>
            {types.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </label>
        <label>
          State
          <input type="search" value={state} placeholder="state name" onInput={(e) => (setState((e.target as HTMLInputElement).value), setPage(0))} />
        </label>
        <span class="muted">
          {filtered.length} of {events.length} events
        </span>
      </div>
      <div class="table-wrap">
        <table class="list events">
          <thead>
            <tr>
              <th scope="col">ID</th>
              <th scope="col">Type</th>
              <th scope="col">Summary</th>
              <th scope="col">Elapsed</th>
              <th scope="col">Time</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((e) => {
              const isOpen = open.has(e.id);
              const failed = /Failed|TimedOut|Aborted/.test(e.type);
              return (
                <Fragment key={e.id}>
                  <tr class={failed ? 'ev-failed' : ''}>
                    <td class="num">{e.id}</td>
                    <td>
                      <button
                        type="button"
                        class="link"
                        aria-expanded={isOpen}
                        onClick={() => {
                          const next = new Set(open);
                          if (isOpen) next.delete(e.id);
                          else next.add(e.id);
                          setOpen(next);
                        }}
                      >
                        <span aria-hidden="true">{isOpen ? '▾ ' : '▸ '}</span>
                        {failed && <span aria-hidden="true">✕ </span>}
                        {e.type}
                      </button>
                    </td>
                    <td class="ellipsis">{eventSummary(e)}</td>
                    <td class="nowrap num">{Math.round((e.timestamp - t0) * 1000)} ms</td>
                    <td class="nowrap">{time(e.timestamp)}</td>
                  </tr>
                  {isOpen && (
                    <tr class="ev-details">
                      <td colSpan={5}>
                        <pre tabIndex={0}>{pretty(eventDetails(e)) || '(no details)'}</pre>
                      </td>
                    </tr>
                  )}
                </Fragment>
              );
            })}
          </tbody>
        </table>
      </div>
      {pages > 1 && (
        <nav class="pager" aria-label="Event pages">
          <button type="button" disabled={p === 0} onClick={() => setPage(p - 1)}>
            ← Previous
          </button>
          <span class="muted">
            Page {p + 1} of {pages}
          </span>
          <button type="button" disabled={p >= pages - 1} onClick={() => setPage(p + 1)}>
            Next →
          </button>
        </nav>
      )}
    </div>
  );
}
