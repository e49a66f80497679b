/** A table of executions: name (redrives, and the task tokens it waits on), status, state machine (optional), start and duration. */
import type { ExecutionSummary } from '../api.js';
import { arnName, duration, time } from '../format.js';
import { href } from '../router.js';
import { StatusBadge } from './ui.js';

export function ExecutionTable({ executions, showMachine = true }: { executions: ExecutionSummary[]; showMachine?: boolean }) {
  return (
    <div class="table-wrap">
      <table class="list">
        <caption class="sr-only">Executions, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Status</th>
            {showMachine && <th scope="col">State machine</th>}
            <th scope="col">Started</th>
            <th scope="col">Duration</th>
          </tr>
        </thead>
        <tbody>
          {executions.map((e) => (
            <tr key={e.executionArn}>
              <td class="name">
                <a href={href(['executions', e.executionArn])}>{e.name}</a>
                {e.redriveCount ? <span class="tag">redriven ×{e.redriveCount}</span> : null}
                {e.waitingTasks ? (
                  <a class="tag tag-waiting" href="#/waiting" title="Open the steps waiting for a decision">
                    <svg class="waiting-icon" width="11" height="11" viewBox="0 0 20 20" aria-hidden="true">
                      <circle cx="10" cy="10" r="9" />
                      <rect x="6.5" y="5.5" width="2.4" height="9" rx="0.6" />
                      <rect x="11.1" y="5.5" width="2.4" height="9" rx="0.6" />
                    </svg>{' '}
                    waits on {e.waitingTasks === 1 ? 'a task token' : `${e.waitingTasks} task tokens`}
                  </a>
                ) : null}
              </td>
              <td>
                <StatusBadge status={e.status} />
              </td>
              {showMachine && (
                <td>
                  <a href={href(['state-machines', e.stateMachineArn])}>{e.stateMachineName ?? arnName(e.stateMachineArn)}</a>
                </td>
              )}
              <td class="nowrap">{time(e.startDate)}</td>
              <td class="nowrap">{duration(((e.stopDate ?? Date.now() / 1000) - e.startDate) * 1000)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
