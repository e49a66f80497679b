/**
 * Waiting for people: every open task token across executions (callback tasks and activities), oldest
 * first — the state, its execution, since when, when it times out and its input — with Approve and Reject.
 */
import { useEffect, useState } from 'preact/hooks';
import { get, type WaitingTask } from '../api.js';
import { CodeBlock, ErrorNotice, Loading, useLoad } from '../components/ui.js';
import { fromNow, prettyJson, time } from '../format.js';
import { href } from '../router.js';
import { DecisionDialog, heartbeatText, timeoutText, TokenBlock } from './execution/tasks.js';

const REFRESH_MS = 3000;

export function WaitingView() {
  const [data, error, reload] = useLoad(() => get<{ tasks: WaitingTask[]; truncated?: boolean }>('tasks'), []);
  const [deciding, setDeciding] = useState<{ task: WaitingTask; approve: boolean } | undefined>(undefined);
  // New tokens appear (and answered ones go) without a reload; not while a dialog is open.
  useEffect(() => {
    if (deciding) return;
    const t = setInterval(reload, REFRESH_MS);
    return () => clearInterval(t);
  }, [deciding]);
  const tasks = data?.tasks;
  return (
    <section>
      <div class="page-head">
        <div>
          <h1>Waiting for people</h1>
          <p class="muted meta">Steps of running executions that wait on a task token: approve them (SendTaskSuccess) or reject them (SendTaskFailure).</p>
        </div>
        <div class="actions">
          <button type="button" onClick={reload}>
            Refresh
          </button>
        </div>
      </div>
      <ErrorNotice error={error} />
      {!tasks && !error && <Loading what="the waiting steps" />}
      {tasks && tasks.length === 0 && <p class="empty">No step is waiting on a task token.</p>}
      {data?.truncated && <p class="muted">The {tasks?.length} oldest are shown; answer some to see the others.</p>}
      {tasks && tasks.length > 0 && (
        <div class="table-wrap">
          <table class="list waiting-list">
            <caption class="sr-only">Open task tokens, oldest first</caption>
            <thead>
              <tr>
                <th scope="col">State</th>
                <th scope="col">Execution</th>
                <th scope="col">Waiting since</th>
                <th scope="col">Input</th>
                <th scope="col">
                  <span class="sr-only">Decision</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {tasks.map((t) => (
                <tr key={t.token}>
                  <td>
                    <a href={href(['executions', t.executionArn], { state: t.stateName })}>{t.stateName}</a>
                    <div class="muted small-text">{t.kind === 'activity' ? `activity ${t.activityArn?.split(':').pop() ?? ''}` : 'callback (task token)'}</div>
                  </td>
                  <td>
                    <a href={href(['executions', t.executionArn])}>{t.executionName}</a>
                    <div class="muted small-text">
                      <a href={href(['state-machines', t.stateMachineArn])}>{t.stateMachineName}</a>
                    </div>
                  </td>
                  <td>
                    <span class="nowrap">{time(t.createdAt / 1000)}</span>
                    <div class="muted small-text">
                      {fromNow(t.createdAt)}
                      {heartbeatText(t) ? ` · ${heartbeatText(t)}` : ''}
                      {timeoutText(t) ? ` · ${timeoutText(t)}` : ''}
                    </div>
                  </td>
                  <td class="waiting-input">
                    <details>
                      <summary>Input and token</summary>
                      <CodeBlock text={prettyJson(t.input)} label={`Input of ${t.stateName} in ${t.executionName}`} />
                      <TokenBlock token={t.token} />
                    </details>
                  </td>
                  <td class="nowrap">
                    <div class="actions">
                      <button type="button" class="primary" onClick={() => setDeciding({ task: t, approve: true })} aria-label={`Approve ${t.stateName} of ${t.executionName}`}>
                        Approve
                      </button>
                      <button type="button" class="danger" onClick={() => setDeciding({ task: t, approve: false })} aria-label={`Reject ${t.stateName} of ${t.executionName}`}>
                        Reject
                      </button>
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <DecisionDialog
        deciding={deciding}
        onClose={() => setDeciding(undefined)}
        onDone={() => {
          setDeciding(undefined);
          reload();
        }}
      />
    </section>
  );
}
