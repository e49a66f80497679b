/** The Stepwise console: state machines, the designer, executions. Hash-routed, one page. */
import { render } from 'preact';
import { useState } from 'preact/hooks';
import { localZoneName, setTimeZoneMode, timeZoneMode, type TimeZoneMode } from './format.js';
import { Designer } from './views/designer.js';
import { ExecutionView } from './views/execution.js';
import { ExecutionsView } from './views/executions.js';
import { MapRunView } from './views/map-run.js';
import { StateMachineView } from './views/state-machine.js';
import { StateMachinesView } from './views/state-machines.js';
import { WaitingView } from './views/waiting.js';
import { useRoute } from './router.js';
import { onLoginNeeded, signIn } from './api.js';

function App() {
  const route = useRoute();
  const [needLogin, setNeedLogin] = useState(false);
  onLoginNeeded(() => setNeedLogin(true));
  // Every time on the page is shown in this zone; changing it redraws the page.
  const [zone, setZone] = useState<TimeZoneMode>(timeZoneMode());
  const [section, arg] = route.parts;
  let view;
  let current = section ?? 'state-machines';
  switch (section) {
    case undefined:
    case 'state-machines':
      view = arg ? <StateMachineView arn={arg} query={route.query} /> : <StateMachinesView />;
      current = 'state-machines';
      break;
    case 'designer':
      view = <Designer arn={arg} />;
      break;
    case 'executions':
      view = arg ? <ExecutionView arn={arg} query={route.query} /> : <ExecutionsView query={route.query} />;
      break;
    case 'map-runs':
      // A Map Run is part of an execution: the Executions tab stays current.
      view = arg ? <MapRunView arn={arg} query={route.query} /> : <MapRunsIndex />;
      current = 'executions';
      break;
    case 'waiting':
      view = <WaitingView />;
      break;
    default:
      view = (
        <section>
          <h1>Not found</h1>
          <p>
            There is no page at <code>{location.hash}</code>. <a href="#/">Back to the state machines</a>.
          </p>
        </section>
      );
  }
  const nav = [
    ['state-machines', 'State machines', '#/state-machines'],
    ['executions', 'Executions', '#/executions'],
    ['waiting', 'Waiting for people', '#/waiting'],
    ['designer', 'Designer', '#/designer'],
  ] as const;
  return (
    <>
      <a class="skip" href="#main" onClick={(e) => (e.preventDefault(), document.getElementById('main')?.focus())}>
        Skip to content
      </a>
      <header class="top">
        <a class="brand" href="#/">
          <img src="/console/favicon.svg" alt="" width="22" height="22" />
          Stepwise
        </a>
        <nav aria-label="Main">
          {nav.map(([key, label, to]) => (
            <a key={key} href={to} aria-current={current === key ? 'page' : undefined} class={current === key ? 'active' : ''}>
              {label}
            </a>
          ))}
        </nav>
        <label class="zone-picker">
          <span class="zone-label">Time zone</span>
          <select
            value={zone}
            onChange={(e) => {
              const v = (e.target as HTMLSelectElement).value as TimeZoneMode;
              setTimeZoneMode(v);
              setZone(v);
            }}
          >
            <option value="local">Local: {localZoneName()}</option>
            <option value="utc">UTC</option>
          </select>
        </label>
      </header>
      <main id="main" tabIndex={-1}>
        {needLogin ? <SignIn /> : view}
      </main>
    </>
  );
}

/** The sign-in form, when the server requires signed requests: one of its access keys and the secret. */
function SignIn() {
  const [refused, setRefused] = useState(false);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const data = new FormData(form);
    setBusy(true);
    const ok = await signIn(String(data.get('accessKeyId') ?? ''), String(data.get('secretAccessKey') ?? ''));
    setBusy(false);
    if (ok) location.reload();
    else setRefused(true);
  };
  return (
    <section class="sign-in">
      <h1>Sign in</h1>
      <p>This server requires signed requests. Sign in with one of its access keys (as configured with <code>--auth</code>) and its secret.</p>
      {refused && (
        <div class="notice notice-error" role="alert">
          That access key ID or secret access key is not right.
        </div>
      )}
      <form onSubmit={submit}>
        <label>
          Access key ID
          <input name="accessKeyId" autoComplete="username" required />
        </label>
        <label>
          Secret access key
          <input name="secretAccessKey" type="password" autoComplete="current-password" required />
        </label>
        <button type="submit" disabled={busy}>
          Sign in
        </button>
      </form>
    </section>
  );
}

/** `#/map-runs` alone: Map Runs are reached from their execution. */
function MapRunsIndex() {
  return (
    <section>
      <h1>Map Runs</h1>
      <p>
        A Map Run belongs to the execution whose Distributed Map started it: open the execution and its <strong>Map Runs</strong> tab, or the Map Run link on
        its Map state in the graph. <a href="#/executions">Executions</a>
      </p>
    </section>
  );
}

render(<App />, document.getElementById('app')!);
