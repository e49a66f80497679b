/**
 * A plain-text JSON editor: a textarea with a line-number gutter that marks the lines diagnostics point
 * at (with the message as a tooltip and in an accessible list). No external editor: it works offline.
 */
import { useRef } from 'preact/hooks';

export interface LineMark {
  line: number;
  severity: 'ERROR' | 'WARNING';
  message: string;
}

export function JsonEditor({
  value,
  onInput,
  marks = [],
  label,
  rows = 24,
  id,
  onCursorLine,
}: {
  value: string;
  onInput: (text: string) => void;
  marks?: LineMark[];
  label: string;
  rows?: number;
  id?: string;
  onCursorLine?: (line: number) => void;
}) {
  const gutter = useRef<HTMLDivElement>(null);
  const lines = value.split('\n').length;
  const byLine = new Map<number, LineMark>();
  for (const m of marks) if (!byLine.has(m.line) || m.severity === 'ERROR') byLine.set(m.line, m);
  const cursor = (el: HTMLTextAreaElement) => onCursorLine?.(el.value.slice(0, el.selectionStart).split('\n').length);
  return (
    <div class="editor" style={{ '--rows': rows }}>
      <div class="gutter" ref={gutter} aria-hidden="true">
        {Array.from({ length: lines }, (_, i) => {
          const m = byLine.get(i + 1);
          return (
            <div key={i} class={m ? `ln mark-${m.severity.toLowerCase()}` : 'ln'} title={m?.message}>
              {m ? (m.severity === 'ERROR' ? '✕ ' : '! ') : ''}
              {i + 1}
            </div>
          );
        })}
      </div>
      <textarea
        id={id}
        aria-label={label}
        spellcheck={false}
        autocomplete="off"
        value={value}
        wrap="off"
        onInput={(e) => {
          onInput((e.target as HTMLTextAreaElement).value);
          cursor(e.target as HTMLTextAreaElement);
        }}
        onClick={(e) => cursor(e.target as HTMLTextAreaElement)}
        onKeyUp={(e) => cursor(e.target as HTMLTextAreaElement)}
        onScroll={(e) => {
          if (gutter.current) gutter.current.scrollTop = (e.target as HTMLTextAreaElement).scrollTop;
        }}
        onKeyDown={(e) => {
          // Tab indents (two spaces) instead of leaving the field; Escape then Tab leaves it.
          if (e.key === 'Tab' && !e.shiftKey && !(e.target as HTMLTextAreaElement).dataset.escaped) {
            e.preventDefault();
            const t = e.target as HTMLTextAreaElement;
            const { selectionStart: s, selectionEnd: end } = t;
            t.setRangeText('  ', s, end, 'end');
            onInput(t.value);
          } else if (e.key === 'Escape') (e.target as HTMLTextAreaElement).dataset.escaped = '1';
          else delete (e.target as HTMLTextAreaElement).dataset.escaped;
        }}
      />
    </div>
  );
}

/** Whether a text is valid JSON, with the parser's message when not. */
export function checkJson(text: string): { ok: true; value: unknown } | { ok: false; message: string; line?: number } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (e) {
    const message = (e as Error).message;
    const pos = /position (\d+)/.exec(message);
    const line = pos ? text.slice(0, Number(pos[1])).split('\n').length : undefined;
    return line === undefined ? { ok: false, message } : { ok: false, message, line };
  }
}
