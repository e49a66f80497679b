/**
 * A Map Run's progress: a bar per kind of count (items, child executions) split by status, and the
 * counts in a table (the bar is decoration; the table is what is read, colour is never alone).
 */
import { doneCount, PROGRESS_ORDER, progressSegments } from '../../../src/history/map-run-progress.js';
import type { ComponentChildren } from 'preact';
import type { MapRunCounts } from '../api.js';

/** A bar split by status. Pending iterations are the bar's empty remainder. */
export function ProgressBar({ counts, small }: { counts: MapRunCounts; small?: boolean }) {
  return (
    <div class={small ? 'progress-bar small' : 'progress-bar'} aria-hidden="true">
      {progressSegments(counts)
        .filter((s) => s.key !== 'pending')
        .map((s) => (
          <span key={s.key} class={`seg seg-${s.key}`} style={{ width: `${s.percent}%` }} title={`${s.label}: ${s.count}`} />
        ))}
    </div>
  );
}

/** "5 of 8 ended". */
export const endedOf = (c: MapRunCounts) => `${doneCount(c)} of ${c.total} ended`;

export function MapRunProgress({ items, executions, children }: { items: MapRunCounts; executions: MapRunCounts; children?: ComponentChildren }) {
  // The bar puts ended iterations first; the table follows an iteration's way: pending, running, ended.
  const labels = new Map<string, string>(PROGRESS_ORDER);
  const rows = (['pending', 'running', 'succeeded', 'failed', 'timedOut', 'aborted'] as const).map((k) => [k, labels.get(k)!] as const);
  return (
    <div class="map-run-progress">
      <div class="progress-rows">
        <div class="progress-row">
          <div class="progress-label">
            <span>Items</span>
            <span class="num muted">{endedOf(items)}</span>
          </div>
          <ProgressBar counts={items} />
        </div>
        <div class="progress-row">
          <div class="progress-label">
            <span>Child executions</span>
            <span class="num muted">{endedOf(executions)}</span>
          </div>
          <ProgressBar counts={executions} />
        </div>
        {children}
      </div>
      <div class="table-wrap counts-wrap">
        <table class="list map-run-counts">
          <caption class="sr-only">Items and child executions by status</caption>
          <thead>
            <tr>
              <th scope="col">Status</th>
              <th scope="col" class="num">
                Items
              </th>
              <th scope="col" class="num">
                Child executions
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map(([key, label]) => (
              <tr key={key}>
                <th scope="row">
                  <span class={`swatch seg-${key}`} aria-hidden="true" />
                  {label}
                </th>
                <td class="num" data-count={`items-${key}`}>
                  {items[key]}
                </td>
                <td class="num" data-count={`executions-${key}`}>
                  {executions[key]}
                </td>
              </tr>
            ))}
            <tr class="total">
              <th scope="row">Total</th>
              <td class="num" data-count="items-total">
                {items.total}
              </td>
              <td class="num" data-count="executions-total">
                {executions.total}
              </td>
            </tr>
            <tr>
              <th scope="row">Results written</th>
              <td class="num" data-count="items-resultsWritten">
                {items.resultsWritten ?? 0}
              </td>
              <td class="num" data-count="executions-resultsWritten">
                {executions.resultsWritten ?? 0}
              </td>
            </tr>
          </tbody>
        </table>
      </div>
    </div>
  );
}
