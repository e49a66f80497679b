/**
 * UpdateMapRun from the console: max concurrency, tolerated failure count and percentage. A field left
 * empty is not sent (it stays as it is); what is typed is sent as it is, so AWS's own validation answers
 * (its error is shown as the server words it).
 */
import { useState } from 'preact/hooks';
import { call, type MapRun } from '../../api.js';
import { ErrorNotice } from '../../components/ui.js';

type Field = 'maxConcurrency' | 'toleratedFailureCount' | 'toleratedFailurePercentage';

const FIELDS: { key: Field; label: string; now: (r: MapRun) => string; step: string }[] = [
  { key: 'maxConcurrency', label: 'Max concurrency', now: (r) => `Now ${r.maxConcurrency}. 0 means no limit.`, step: '1' },
  { key: 'toleratedFailureCount', label: 'Tolerated failure count', now: (r) => `Now ${r.toleratedFailureCount}.`, step: '1' },
  { key: 'toleratedFailurePercentage', label: 'Tolerated failure percentage', now: (r) => `Now ${r.toleratedFailurePercentage} %.`, step: 'any' },
];

export function UpdateMapRunForm({ run, onUpdated }: { run: MapRun; onUpdated: () => void }) {
  const [values, setValues] = useState<Record<Field, string>>({ maxConcurrency: '', toleratedFailureCount: '', toleratedFailurePercentage: '' });
  const [bad, setBad] = useState<Field[]>([]);
  const [error, setError] = useState<unknown>(undefined);
  const [done, setDone] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);

  const submit = async (form: HTMLFormElement) => {
    setError(undefined);
    setDone(undefined);
    // A number field holding something that is not a number has an empty value: said here, not sent.
    const unreadable = FIELDS.filter((f) => (form.elements.namedItem(f.key) as HTMLInputElement | null)?.validity.badInput).map((f) => f.key);
    setBad(unreadable);
    if (unreadable.length) return;
    const params: Record<string, unknown> = { mapRunArn: run.mapRunArn };
    for (const f of FIELDS) if (values[f.key].trim() !== '') params[f.key] = Number(values[f.key]);
    setBusy(true);
    try {
      await call('UpdateMapRun', params);
      const changed = FIELDS.filter((f) => params[f.key] !== undefined).map((f) => `${f.label.toLowerCase()} ${params[f.key]}`);
      setDone(`Updated: ${changed.join(', ')}.`);
      setValues({ maxConcurrency: '', toleratedFailureCount: '', toleratedFailurePercentage: '' });
      onUpdated();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      class="update-map-run"
      aria-labelledby="update-map-run-title"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void submit(e.currentTarget as HTMLFormElement);
      }}
    >
      <h3 class="h3" id="update-map-run-title">
        Update the limits
      </h3>
      <p class="muted">The new limits take effect at once: with more concurrency, more items start. Leave a field empty to keep it.</p>
      <div class="fields">
        {FIELDS.map((f) => (
          <div key={f.key} class="field">
            <label for={`mr-${f.key}`}>{f.label}</label>
            <input
              id={`mr-${f.key}`}
              name={f.key}
              type="number"
              step={f.step}
              inputMode={f.step === '1' ? 'numeric' : 'decimal'}
              value={values[f.key]}
              aria-describedby={`mr-${f.key}-now${bad.includes(f.key) ? ` mr-${f.key}-bad` : ''}`}
              aria-invalid={bad.includes(f.key) || undefined}
              onInput={(e) => setValues({ ...values, [f.key]: (e.target as HTMLInputElement).value })}
            />
            <span class="muted small-text" id={`mr-${f.key}-now`}>
              {f.now(run)}
            </span>
            {bad.includes(f.key) && (
              <span class="field-error" id={`mr-${f.key}-bad`}>
                Not a number.
              </span>
            )}
          </div>
        ))}
      </div>
      <ErrorNotice error={error} onDismiss={() => setError(undefined)} />
      {done && (
        <p class="notice notice-ok" role="status">
          {done}
        </p>
      )}
      <div class="dialog-actions">
        <button type="submit" class="primary" disabled={busy}>
          Update Map Run
        </button>
      </div>
    </form>
  );
}
