/**
 * The designer: the JSON definition on the left, its graph on the right, redrawn as you type. The
 * server's ValidateStateMachineDefinition checks it; each diagnostic marks its line in the editor and
 * its state in the graph. Save creates the state machine (or updates it).
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { buildGraph } from '../../../src/asl/graph.js';
import { jsonLocations, jsonSyntaxError } from '../../../src/asl/json-locations.js';
import { layoutGraph, type Layout } from '../../../src/asl/layout.js';
import { call, CONSOLE_ROLE, type Diagnostic, type StateMachine } from '../api.js';
import { JsonEditor, type LineMark } from '../components/editor.js';
import { GraphView } from '../components/graph.js';
import { ErrorNotice, Loading } from '../components/ui.js';
import { href, navigate } from '../router.js';

const TEMPLATE = `{
  "Comment": "A new state machine",
  "StartAt": "Hello",
  "States": {
    "Hello": {
      "Type": "Pass",
      "Result": { "greeting": "Hello" },
      "ResultPath": "$.hello",
      "Next": "Done"
    },
    "Done": {
      "Type": "Succeed"
    }
  }
}
`;

const LEVELS = ['OFF', 'ALL', 'ERROR', 'FATAL'] as const;

export function Designer({ arn }: { arn?: string }) {
  const [existing, setExisting] = useState<StateMachine | undefined>(undefined);
  const [loadError, setLoadError] = useState<unknown>(undefined);
  const [text, setText] = useState(arn ? '' : TEMPLATE);
  const [name, setName] = useState('');
  const [type, setType] = useState<'STANDARD' | 'EXPRESS'>('STANDARD');
  const [level, setLevel] = useState<(typeof LEVELS)[number]>('ALL');
  const [diagnostics, setDiagnostics] = useState<Diagnostic[]>([]);
  const [checked, setChecked] = useState<'pending' | 'ok' | 'fail'>('pending');
  const [saveError, setSaveError] = useState<unknown>(undefined);
  const [saved, setSaved] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [cursorState, setCursorState] = useState<string | undefined>(undefined);
  const lastGood = useRef<Layout | undefined>(undefined);

  useEffect(() => {
    if (!arn) return;
    call<StateMachine>('DescribeStateMachine', { stateMachineArn: arn }).then(
      (sm) => {
        setExisting(sm);
        setName(sm.name);
        setType(sm.type);
        setLevel((sm.loggingConfiguration?.level as (typeof LEVELS)[number]) ?? 'OFF');
        let t = sm.definition;
        try {
          t = JSON.stringify(JSON.parse(t), null, 2);
        } catch {
          /* keep it as it is */
        }
        setText(t);
      },
      setLoadError,
    );
  }, [arn]);

  const syntax = useMemo(() => jsonSyntaxError(text), [text]);
  const locations = useMemo(() => jsonLocations(text), [text]);
  const layout = useMemo(() => {
    if (syntax) return lastGood.current;
    try {
      const g = layoutGraph(buildGraph(JSON.parse(text)).root);
      lastGood.current = g;
      return g;
    } catch {
      return lastGood.current;
    }
  }, [text, syntax]);

  // Validate on the server, a moment after the last keystroke.
  useEffect(() => {
    if (syntax) {
      setChecked('fail');
      setDiagnostics([]);
      return;
    }
    setChecked('pending');
    const t = setTimeout(() => {
      call<{ result: string; diagnostics: Diagnostic[] }>('ValidateStateMachineDefinition', { definition: text, type, severity: 'WARNING' }).then(
        (r) => {
          setDiagnostics(r.diagnostics);
          setChecked(r.result === 'OK' ? 'ok' : 'fail');
        },
        (e) => {
          setDiagnostics([{ severity: 'ERROR', code: e.name, message: e.message }]);
          setChecked('fail');
        },
      );
    }, 300);
    return () => clearTimeout(t);
  }, [text, type, syntax?.message]);

  const marks: LineMark[] = [];
  const problems = new Map<string, string>();
  if (syntax) marks.push({ line: syntax.line, severity: 'ERROR', message: syntax.message });
  for (const d of diagnostics) {
    const pos = d.location ? locations.at(d.location) : undefined;
    if (pos) marks.push({ line: pos.line, severity: d.severity, message: d.message });
    const state = d.location ? locations.stateOf(d.location) : undefined;
    if (state && !problems.has(state)) problems.set(state, d.message);
  }

  const goToLine = (line: number) => {
    const ta = document.getElementById('definition-editor') as HTMLTextAreaElement | null;
    if (!ta) return;
    const lines = ta.value.split('\n');
    const start = lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0);
    ta.focus();
    ta.setSelectionRange(start, start + (lines[line - 1]?.length ?? 0));
    ta.scrollTop = Math.max(0, (line - 5) * 20);
  };

  const save = async () => {
    setBusy(true);
    setSaveError(undefined);
    setSaved(undefined);
    const loggingConfiguration =
      level === 'OFF'
        ? { level: 'OFF', includeExecutionData: false }
        : { level, includeExecutionData: true, destinations: [{ cloudWatchLogsLogGroup: { logGroupArn: 'arn:aws:logs:us-east-1:123456789012:log-group:stepwise-console:*' } }] };
    try {
      if (existing) {
        await call('UpdateStateMachine', { stateMachineArn: existing.stateMachineArn, definition: text, loggingConfiguration });
        setSaved(`Saved ${new Date().toLocaleTimeString()}`);
      } else {
        const r = await call<{ stateMachineArn: string }>('CreateStateMachine', { name: name.trim(), definition: text, roleArn: CONSOLE_ROLE, type, loggingConfiguration });
        navigate(href(['state-machines', r.stateMachineArn]));
      }
    } catch (e) {
      setSaveError(e);
    } finally {
      setBusy(false);
    }
  };

  if (loadError) return <ErrorNotice error={loadError} />;
  if (arn && !existing) return <Loading what="the definition" />;
  const errors = diagnostics.filter((d) => d.severity === 'ERROR').length + (syntax ? 1 : 0);
  return (
    <section class="designer">
      <div class="page-head">
        <h1>{existing ? `Edit ${existing.name}` : 'New state machine'}</h1>
        <div class="actions">
          {existing && (
            <a class="button" href={href(['state-machines', existing.stateMachineArn])}>
              Back
            </a>
          )}
          <button type="button" class="primary" disabled={busy || errors > 0 || (!existing && !name.trim())} onClick={save} title={errors ? 'Fix the errors first' : undefined}>
            {busy ? 'Saving…' : existing ? 'Save' : 'Create'}
          </button>
        </div>
      </div>
      <form class="filters" onSubmit={(e) => (e.preventDefault(), void save())} aria-label="State machine settings">
        <label>
          Name
          <input value={name} disabled={!!existing} required maxLength={80} placeholder="my-workflow" onInput={(e) => setName((e.target as HTMLInputElement).value)} />
        </label>
        <label>
          Type
          <select value={type} disabled={!!existing} onChange={(e) => setType((e.target as HTMLSelectElement).value as 'STANDARD' | 'EXPRESS')}>
            <option value="STANDARD">Standard</option>
            <option value="EXPRESS">Express</option>
          </select>
        </label>
        <label>
          Log level
          <select value={level} onChange={(e) => setLevel((e.target as HTMLSelectElement).value as (typeof LEVELS)[number])}>
            {LEVELS.map((l) => (
              <option key={l} value={l}>
                {l}
              </option>
            ))}
          </select>
        </label>
      </form>
      <ErrorNotice error={saveError} onDismiss={() => setSaveError(undefined)} />
      {saved && (
        <p class="notice notice-ok" role="status">
          {saved}
        </p>
      )}
      <div class="split designer-split">
        <div class="split-side editor-side">
          <JsonEditor
            id="definition-editor"
            label="Definition (Amazon States Language, JSON)"
            value={text}
            onInput={setText}
            marks={marks}
            rows={30}
            onCursorLine={(line) => setCursorState(locations.stateAt(line))}
          />
          <div class="diagnostics" aria-live="polite">
            {checked === 'pending' && <p class="muted">Checking…</p>}
            {checked === 'ok' && diagnostics.length === 0 && (
              <p class="ok">
                <span aria-hidden="true">✓ </span>The definition is valid.
              </p>
            )}
            {(syntax || diagnostics.length > 0) && (
              <ul class="diag-list" aria-label="Problems">
                {syntax && (
                  <li class="diag diag-error">
                    <button type="button" class="link" onClick={() => goToLine(syntax.line)}>
                      Line {syntax.line}
                    </button>{' '}
                    <span class="sev">✕ JSON</span> {syntax.message}
                  </li>
                )}
                {diagnostics.map((d, i) => {
                  const pos = d.location ? locations.at(d.location) : undefined;
                  return (
                    <li key={i} class={`diag diag-${d.severity.toLowerCase()}`}>
                      {pos ? (
                        <button type="button" class="link" onClick={() => goToLine(pos.line)}>
                          Line {pos.line}
                        </button>
                      ) : null}{' '}
                      <span class="sev">{d.severity === 'ERROR' ? '✕ Error' : '! Warning'}</span> {d.message}
                      {d.location && <code class="loc">{d.location}</code>}
                    </li>
                  );
                })}
              </ul>
            )}
          </div>
        </div>
        <div class="split-main">
          {layout ? (
            <GraphView layout={layout} label="Graph of the definition" problems={problems} selected={cursorState} onSelect={(s) => {
              const pos = locations.stateStart(s);
              if (pos) goToLine(pos.line);
            }} height="640px" />
          ) : (
            <p class="notice">The graph appears once the definition is valid JSON.</p>
          )}
        </div>
      </div>
    </section>
  );
}
