/** Small building blocks shared by the views. */
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { STATUS_ICON, STATUS_LABEL, statusClass } from '../format.js';

export function StatusBadge({ status }: { status: string }) {
  return (
    <span class={statusClass(status)} data-status={status}>
      <span aria-hidden="true" class="status-icon">
        {STATUS_ICON[status] ?? '•'}
      </span>
      {STATUS_LABEL[status] ?? status}
    </span>
  );
}

export function ErrorNotice({ error, onDismiss }: { error: unknown; onDismiss?: () => void }) {
  if (!error) return null;
  const e = error as { name?: string; message?: string };
  return (
    <div class="notice notice-error" role="alert">
      <strong>{e.name && e.name !== 'Error' ? `${e.name}: ` : ''}</strong>
      {e.message ?? String(error)}
      {onDismiss && (
        <button type="button" class="link" onClick={onDismiss} aria-label="Dismiss">
          ×
        </button>
      )}
    </div>
  );
}

export function Loading({ what = '' }: { what?: string }) {
  return (
    <p class="muted" role="status">
      Loading{what ? ` ${what}` : ''}…
    </p>
  );
}

/** An accessible tab strip: arrow keys move between tabs. */
export function Tabs<K extends string>({ tabs, active, onSelect, label }: { tabs: { key: K; label: string; count?: number }[]; active: K; onSelect: (k: K) => void; label: string }) {
  const refs = useRef<(HTMLButtonElement | null)[]>([]);
  const onKey = (e: KeyboardEvent, i: number) => {
    if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
    const next = (i + (e.key === 'ArrowRight' ? 1 : tabs.length - 1)) % tabs.length;
    onSelect(tabs[next]!.key);
    refs.current[next]?.focus();
  };
  return (
    <div class="tabs" role="tablist" aria-label={label}>
      {tabs.map((t, i) => (
        <button
          type="button"
          role="tab"
          key={t.key}
          id={`tab-${t.key}`}
          ref={(el) => {
            refs.current[i] = el;
          }}
          aria-selected={t.key === active}
          tabIndex={t.key === active ? 0 : -1}
          class={t.key === active ? 'tab active' : 'tab'}
          onClick={() => onSelect(t.key)}
          onKeyDown={(e) => onKey(e, i)}
        >
          {t.label}
          {t.count !== undefined && <span class="count">{t.count}</span>}
        </button>
      ))}
    </div>
  );
}

/** A modal dialog (the native <dialog>): Escape closes it, focus goes to its first field. */
export function Modal({ title, open, onClose, children, wide }: { title: string; open: boolean; onClose: () => void; children: ComponentChildren; wide?: boolean }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) {
      d.showModal();
      const first = d.querySelector<HTMLElement>('textarea, input, select, button.primary');
      first?.focus();
    } else if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog ref={ref} class={wide ? 'modal wide' : 'modal'} onClose={onClose} aria-labelledby="modal-title">
      {open && (
        <>
          <header>
            <h2 id="modal-title">{title}</h2>
            <button type="button" class="link close" onClick={onClose} aria-label="Close">
              ×
            </button>
          </header>
          {children}
        </>
      )}
    </dialog>
  );
}

/** Copies `text` to the clipboard; says "Copied" for a moment (or "Select and copy" when the browser refuses). */
export function CopyButton({ text, label }: { text: string; label: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'refused'>('idle');
  return (
    <button
      type="button"
      class="small copy"
      aria-label={`Copy ${label}`}
      onClick={() => {
        const done = (s: 'copied' | 'refused') => {
          setState(s);
          setTimeout(() => setState('idle'), 1500);
        };
        if (!navigator.clipboard) return done('refused');
        navigator.clipboard.writeText(text).then(
          () => done('copied'),
          () => done('refused'),
        );
      }}
    >
      {state === 'copied' ? 'Copied' : state === 'refused' ? 'Select and copy' : 'Copy'}
    </button>
  );
}

/** JSON (or any text) in a scrollable block with a copy button. */
export function CodeBlock({ text, label, empty = 'None' }: { text: string | undefined; label?: string; empty?: string }) {
  if (text === undefined || text === '') return <p class="muted">{empty}</p>;
  return (
    <div class="code-block">
      <CopyButton text={text} label={label ?? 'text'} />
      <pre tabIndex={0} aria-label={label}>
        {text}
      </pre>
    </div>
  );
}

/** Reloads data: returns [value, error, reload]. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): [T | undefined, unknown, () => void] {
  const [value, setValue] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [n, setN] = useState(0);
  useEffect(() => {
    let live = true;
    load().then(
      (v) => {
        if (!live) return;
        setValue(v);
        setError(undefined);
      },
      (e) => live && setError(e),
    );
    return () => {
      live = false;
    };
  }, [...deps, n]);
  return [value, error, () => setN((x) => x + 1)];
}
