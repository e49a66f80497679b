/** The Stepwise console: state machines, the designer, executions. Hash-routed, one page. */
import { render } from 'preact';
import { Designer } from './views/designer.js';
import { ExecutionView } from './views/execution.js';
import { ExecutionsView } from './views/executions.js';
import { StateMachineView } from './views/state-machine.js';
import { StateMachinesView } from './views/state-machines.js';
import { useRoute } from './router.js';

function App() {
  const route = useRoute();
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
      </header>
      <main id="main" tabIndex={-1}>
        {view}
      </main>
    </>
  );
}

render(<App />, document.getElementById('app')!);
