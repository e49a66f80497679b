/** State machines: name, type, created, executions by status. */
import { get, type StateMachineSummary } from '../api.js';
import { ErrorNotice, Loading, StatusBadge, useLoad } from '../components/ui.js';
import { time } from '../format.js';
import { href } from '../router.js';

const STATUSES = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'] as const;

export function StateMachinesView() {
  const [data, error, reload] = useLoad(() => get<{ stateMachines: StateMachineSummary[] }>('state-machines'), []);
  return (
    <section>
      <div class="page-head">
        <h1>State machines</h1>
        <div class="actions">
          <button type="button" onClick={reload}>
            Refresh
          </button>
          <a class="button primary" href="#/designer">
            Create state machine
          </a>
        </div>
      </div>
      <ErrorNotice error={error} />
      {!data && !error && <Loading what="state machines" />}
      {data && data.stateMachines.length === 0 && (
        <div class="empty">
          <p>No state machines yet.</p>
          <p>
            Create one in the <a href="#/designer">designer</a>, or with the AWS CLI:{' '}
            <code>aws stepfunctions create-state-machine --endpoint-url {location.origin} …</code>
          </p>
        </div>
      )}
      {data && data.stateMachines.length > 0 && (
        <div class="table-wrap">
          <table class="list">
            <caption class="sr-only">State machines and their executions by status</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Type</th>
                <th scope="col">Created</th>
                <th scope="col">Executions</th>
              </tr>
            </thead>
            <tbody>
              {data.stateMachines.map((sm) => (
                <tr key={sm.stateMachineArn}>
                  <td>
                    <a href={href(['state-machines', sm.stateMachineArn])}>{sm.name}</a>
                  </td>
                  <td>{sm.type === 'EXPRESS' ? 'Express' : 'Standard'}</td>
                  <td class="nowrap">{time(sm.creationDate)}</td>
                  <td>
                    <div class="counts">
                      {STATUSES.filter((s) => sm.counts[s]).map((s) => (
                        <a key={s} href={href(['executions'], { sm: sm.stateMachineArn, status: s })} title={`${sm.counts[s]} ${s.toLowerCase()}`}>
                          <StatusBadge status={s} /> <span class="num">{sm.counts[s]}</span>
                        </a>
                      ))}
                      {STATUSES.every((s) => !sm.counts[s]) && <span class="muted">none</span>}
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
