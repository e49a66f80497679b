/**
 * Steps waiting on a task token: the token's input, and Approve (SendTaskSuccess) or Reject
 * (SendTaskFailure). The banner of one execution, and the dialog the "Waiting for people" view shares.
 */
import { useState } from 'preact/hooks';
import { call, type OpenTask } from '../../api.js';
import { checkJson, JsonEditor } from '../../components/editor.js';
import { CodeBlock, CopyButton, ErrorNotice, Modal } from '../../components/ui.js';
import { duration, fromNow, prettyJson, time } from '../../format.js';

/** When the task times out (its TimeoutSeconds after it started), as a time and from now. */
export function timeoutText(t: OpenTask): string | undefined {
  if (!t.timeoutSeconds) return undefined;
  const at = t.createdAt + t.timeoutSeconds * 1000;
  return `times out ${time(at / 1000)} (${fromNow(at)})`;
}

export function heartbeatText(t: OpenTask): string | undefined {
  return t.heartbeatSeconds ? `heartbeat every ${duration(t.heartbeatSeconds * 1000)}` : undefined;
}

/** The whole token, wrapped, with a copy button. */
export function TokenBlock({ token }: { token: string }) {
  return (
    <div class="token-block">
      <code class="token-text" tabIndex={0} aria-label="Task token">
        {token}
      </code>
      <CopyButton text={token} label="task token" />
    </div>
  );
}

export function WaitingTasks({ tasks, onDone, onSelect }: { tasks: OpenTask[]; onDone: () => void; onSelect: (state: string) => void }) {
  const [deciding, setDeciding] = useState<{ task: OpenTask; approve: boolean } | undefined>(undefined);
  if (!tasks.length) return null;
  return (
    <div class="waiting" role="region" aria-label="Steps waiting for a decision">
      {tasks.map((t) => (
        <div class="waiting-task" key={t.token}>
          <div class="waiting-head">
            <svg class="waiting-icon" width="20" height="20" viewBox="0 0 20 20" aria-hidden="true">
              <circle cx="10" cy="10" r="9" />
              <rect x="6.5" y="5.5" width="2.4" height="9" rx="0.6" />
              <rect x="11.1" y="5.5" width="2.4" height="9" rx="0.6" />
            </svg>
            <div>
              <strong>
                <button type="button" class="link" onClick={() => onSelect(t.stateName)}>
                  {t.stateName}
                </button>
              </strong>{' '}
              is waiting for {t.kind === 'activity' ? 'an activity worker' : 'a task token'} since {time(t.createdAt / 1000)}
              {heartbeatText(t) ? ` · ${heartbeatText(t)}` : ''}
              {timeoutText(t) ? ` · ${timeoutText(t)}` : ''}
            </div>
            <div class="actions">
              <button type="button" class="primary" onClick={() => setDeciding({ task: t, approve: true })}>
                Approve
              </button>
              <button type="button" class="danger" onClick={() => setDeciding({ task: t, approve: false })}>
                Reject
              </button>
            </div>
          </div>
          <details>
            <summary>Input and token</summary>
            <CodeBlock text={prettyJson(t.input)} label={`Input of ${t.stateName}`} />
            <TokenBlock token={t.token} />
          </details>
        </div>
      ))}
      <DecisionDialog
        deciding={deciding}
        onClose={() => setDeciding(undefined)}
        onDone={() => {
          setDeciding(undefined);
          onDone();
        }}
      />
    </div>
  );
}

/** Approve or Reject a task: the step's input, its token, and the output (or error and cause) to send. */
export function DecisionDialog({ deciding, onClose, onDone }: { deciding: { task: OpenTask; approve: boolean } | undefined; onClose: () => void; onDone: () => void }) {
  return (
    <Modal title={deciding ? `${deciding.approve ? 'Approve' : 'Reject'} ${deciding.task.stateName}` : ''} open={!!deciding} onClose={onClose} wide>
      {deciding && <Decision task={deciding.task} approve={deciding.approve} onClose={onClose} onDone={onDone} />}
    </Modal>
  );
}

function Decision({ task, approve, onClose, onDone }: { task: OpenTask; approve: boolean; onClose: () => void; onDone: () => void }) {
  const [output, setOutput] = useState('{\n  "approved": true\n}');
  const [error, setError] = useState('Rejected');
  const [cause, setCause] = useState('');
  const [failure, setFailure] = useState<unknown>(undefined);
  const parsed = checkJson(output);
  const submit = async () => {
    setFailure(undefined);
    try {
      if (approve) await call('SendTaskSuccess', { taskToken: task.token, output });
      else await call('SendTaskFailure', { taskToken: task.token, ...(error ? { error } : {}), ...(cause ? { cause } : {}) });
      onDone();
    } catch (e) {
      setFailure(e);
    }
  };
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <h3 class="h4">The step's input</h3>
      <CodeBlock text={prettyJson(task.input)} label="Input" />
      <h3 class="h4">Task token</h3>
      <TokenBlock token={task.token} />
      {approve ? (
        <>
          <label for="approve-output">Output (JSON): the result of the step</label>
          <JsonEditor id="approve-output" label="Output (JSON)" value={output} onInput={setOutput} rows={6} />
          {!parsed.ok && (
            <p class="field-error" role="alert">
              The output is not valid JSON: {parsed.message}
            </p>
          )}
        </>
      ) : (
        <>
          <label for="reject-error">Error</label>
          <input id="reject-error" value={error} maxLength={256} onInput={(e) => setError((e.target as HTMLInputElement).value)} />
          <label for="reject-cause">Cause</label>
          <textarea id="reject-cause" rows={3} value={cause} onInput={(e) => setCause((e.target as HTMLTextAreaElement).value)} />
        </>
      )}
      <ErrorNotice error={failure} />
      <div class="dialog-actions">
        <button type="button" onClick={onClose}>
          Cancel
        </button>
        <button type="submit" class={approve ? 'primary' : 'danger'} disabled={approve && !parsed.ok}>
          {approve ? 'Approve' : 'Reject'}
        </button>
      </div>
    </form>
  );
}
