/** The execution's structured log lines at a log level (the state machine's loggingConfiguration by default). */
import { useState } from 'preact/hooks';
import type { LogLevel, LogLine } from '../../../../src/history/timeline.js';
import { get } from '../../api.js';
import { ErrorNotice, Loading, useLoad } from '../../components/ui.js';
import { time } from '../../format.js';

const LEVELS: LogLevel[] = ['ALL', 'ERROR', 'FATAL', 'OFF'];

export function LogsView({ arn, configured, stateFilter, version }: { arn: string; configured: string; stateFilter?: string; version: number }) {
  const [level, setLevel] = useState<LogLevel | ''>('');
  const [state, setState] = useState(stateFilter ?? '');
  const [data, error] = useLoad(
    () => get<{ level: LogLevel; configuredLevel: string; lines: LogLine[] }>(`executions/${encodeURIComponent(arn)}/logs${level ? `?level=${level}` : ''}`),
    [arn, level, version],
  );
  const lines = data?.lines.filter((l) => !state || l.state === state) ?? [];
  return (
    <div>
      <div class="filters" role="group" aria-label="Log options">
        <label>
          Level
          <select value={level} onChange={(e) => setLevel((e.target as HTMLSelectElement).value as LogLevel | '')}>
            <option value="">As configured ({configured})</option>
            {LEVELS.map((l) => (
              <option key={l} value={l}>
                {l}
              </option>
            ))}
          </select>
        </label>
        <label>
          State
          <input type="search" value={state} placeholder="state name" onInput={(e) => setState((e.target as HTMLInputElement).value)} />
        </label>
        {data && <span class="muted">{lines.length} lines</span>}
      </div>
      <ErrorNotice error={error} />
      {!data && !error && <Loading what="logs" />}
      {data && data.level === 'OFF' && (
        <p class="notice">
          Logging is <strong>OFF</strong> for this state machine. Choose a level above to see the lines it would log, or set a log level in the designer.
        </p>
      )}
      {data && data.level !== 'OFF' && lines.length === 0 && <p class="empty">No log lines at this level.</p>}
      {lines.length > 0 && (
        <div class="table-wrap">
          <table class="list logs">
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Level</th>
                <th scope="col">State</th>
                <th scope="col">Event</th>
                <th scope="col">Message</th>
              </tr>
            </thead>
            <tbody>
              {lines.map((l) => (
                <tr key={l.eventId} class={`log-${l.level.toLowerCase()}`}>
                  <td class="nowrap">{time(l.time / 1000)}</td>
                  <td>
                    <span class={`level level-${l.level.toLowerCase()}`}>{l.level}</span>
                  </td>
                  <td>{l.state ?? ''}</td>
                  <td>{l.event}</td>
                  <td class="message">{l.message}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
