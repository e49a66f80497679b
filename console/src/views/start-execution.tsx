/** Start an execution: an input editor that insists on valid JSON, an optional name. */
import { useEffect, useState } from 'preact/hooks';
import { call } from '../api.js';
import { checkJson, JsonEditor } from '../components/editor.js';
import { ErrorNotice, Modal } from '../components/ui.js';

export function StartExecutionDialog({
  open,
  stateMachineArn,
  stateMachineName,
  initialInput = '{\n  \n}',
  onClose,
  onStarted,
}: {
  open: boolean;
  stateMachineArn: string;
  stateMachineName: string;
  initialInput?: string;
  onClose: () => void;
  onStarted: (executionArn: string) => void;
}) {
  const [input, setInput] = useState(initialInput);
  const [name, setName] = useState('');
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (open) {
      setInput(initialInput);
      setError(undefined);
    }
  }, [open, initialInput]);
  const parsed = checkJson(input);
  const start = async () => {
    if (!parsed.ok) return;
    setBusy(true);
    setError(undefined);
    try {
      const r = await call<{ executionArn: string }>('StartExecution', { stateMachineArn, input, ...(name.trim() ? { name: name.trim() } : {}) });
      onClose();
      onStarted(r.executionArn);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal title={`Start an execution of ${stateMachineName}`} open={open} onClose={onClose} wide>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void start();
        }}
      >
        <label for="exec-name">Name (optional: a UUID otherwise)</label>
        <input id="exec-name" value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} maxLength={80} />
        <label for="exec-input">Input (JSON)</label>
        <JsonEditor id="exec-input" label="Execution input (JSON)" value={input} onInput={setInput} rows={12} marks={parsed.ok || parsed.line === undefined ? [] : [{ line: parsed.line, severity: 'ERROR', message: parsed.message }]} />
        {!parsed.ok && (
          <p class="field-error" role="alert">
            The input is not valid JSON: {parsed.message}
          </p>
        )}
        <ErrorNotice error={error} />
        <div class="dialog-actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" class="primary" disabled={!parsed.ok || busy}>
            {busy ? 'Starting…' : 'Start execution'}
          </button>
        </div>
      </form>
    </Modal>
  );
}
