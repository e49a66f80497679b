/** One row per state entered: status, type, start, duration and a bar on the execution's timeline; a Task's attempts show as segments with the back-off between them. */
import type { Step, Timeline } from '../../../../src/history/timeline.js';
import { NODE_STATUS_ICON, NODE_STATUS_LABEL } from '../../components/graph.js';
import { duration } from '../../format.js';

export function StepsTable({ timeline, startMs, endMs, onSelect }: { timeline: Timeline; startMs: number; endMs: number; onSelect: (s: Step) => void }) {
  const span = Math.max(1, endMs - startMs);
  const pct = (t: number) => `${Math.max(0, Math.min(100, ((t - startMs) / span) * 100)).toFixed(3)}%`;
  const width = (a: number, b: number) => `${Math.max(0.3, Math.min(100, ((b - a) / span) * 100)).toFixed(3)}%`;
  if (!timeline.steps.length) return <p class="empty">No state has been entered yet.</p>;
  return (
    <div class="table-wrap">
      <table class="list steps">
        <caption class="sr-only">Steps of the execution in the order they were entered</caption>
        <thead>
          <tr>
            <th scope="col">State</th>
            <th scope="col">Status</th>
            <th scope="col">Type</th>
            <th scope="col">Started after</th>
            <th scope="col">Duration</th>
            <th scope="col" class="timeline-col">
              Timeline <span class="muted">({duration(span)})</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {timeline.steps.map((s) => {
            const end = s.exitedAt ?? endMs;
            return (
              <tr key={s.key} class={`st-row st-${s.status}`}>
                <td class="name">
                  <button type="button" class="link" onClick={() => onSelect(s)}>
                    {s.name}
                  </button>
                  {s.iteration?.length ? <span class="tag">iteration {s.iteration.join('.')}</span> : null}
                </td>
                <td class="nowrap">
                  <span class={`step-status st-${s.status}`}>
                    <span aria-hidden="true">{NODE_STATUS_ICON[s.status]} </span>
                    {NODE_STATUS_LABEL[s.status]}
                  </span>
                  {s.attempts.length > 1 && <span class="tag">{s.attempts.length} attempts</span>}
                </td>
                <td>{s.type}</td>
                <td class="nowrap num">{duration(s.enteredAt - startMs)}</td>
                <td class="nowrap num">{duration(end - s.enteredAt)}</td>
                <td class="timeline-col">
                  <div class="bar-track" aria-hidden="true">
                    {s.attempts.length > 1 ? (
                      s.attempts.map((a, i) => (
                        <span
                          key={i}
                          class={`bar attempt ${a.error ? 'bar-failed' : `bar-${s.status}`}`}
                          style={{ left: pct(a.startedAt), width: width(a.startedAt, a.endedAt ?? end) }}
                          title={`Attempt ${i + 1}: ${duration((a.endedAt ?? end) - a.startedAt)}${a.error ? `, ${a.error}` : ''}`}
                        />
                      ))
                    ) : (
                      <span class={`bar bar-${s.status}`} style={{ left: pct(s.enteredAt), width: width(s.enteredAt, end) }} />
                    )}
                    {s.attempts.length > 1 && <span class="bar-span" style={{ left: pct(s.enteredAt), width: width(s.enteredAt, end) }} />}
                  </div>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
