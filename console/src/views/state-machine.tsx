/** One state machine: its graph beside the JSON definition, recent executions, versions and aliases, delete. */
import { useMemo, useState } from 'preact/hooks';
import { buildGraph } from '../../../src/asl/graph.js';
import { layoutGraph } from '../../../src/asl/layout.js';
import { call, callAll, get, type ExecutionSummary, type StateMachine } from '../api.js';
import { ExecutionTable } from '../components/execution-table.js';
import { GraphView } from '../components/graph.js';
import { CodeBlock, ErrorNotice, Loading, Modal, Tabs, useLoad } from '../components/ui.js';
import { arnName, prettyJson, time } from '../format.js';
import { href, navigate } from '../router.js';
import { StartExecutionDialog } from './start-execution.js';

type Tab = 'definition' | 'executions' | 'versions';

interface Version {
  stateMachineVersionArn: string;
  creationDate: number;
}
interface Alias {
  stateMachineAliasArn: string;
  creationDate: number;
}
interface AliasDetail {
  name: string;
  description?: string;
  routingConfiguration: { stateMachineVersionArn: string; weight: number }[];
}

export function StateMachineView({ arn, query }: { arn: string; query: URLSearchParams }) {
  const tab = (query.get('tab') as Tab | null) ?? 'definition';
  const [sm, error] = useLoad(() => call<StateMachine>('DescribeStateMachine', { stateMachineArn: arn }), [arn]);
  const [starting, setStarting] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [selected, setSelected] = useState<string | undefined>(undefined);
  const graph = useMemo(() => {
    if (!sm) return undefined;
    try {
      performance.mark('stepwise:layout-start');
      const l = layoutGraph(buildGraph(JSON.parse(sm.definition)).root);
      performance.mark('stepwise:layout-end');
      return l;
    } catch {
      return undefined;
    }
  }, [sm?.definition]);
  if (error) return <ErrorNotice error={error} />;
  if (!sm) return <Loading what="the state machine" />;
  const setTab = (t: Tab) => navigate(href(['state-machines', arn], { tab: t === 'definition' ? undefined : t }), true);
  return (
    <section>
      <nav class="crumbs" aria-label="Breadcrumb">
        <a href="#/state-machines">State machines</a> / <span>{sm.name}</span>
      </nav>
      <div class="page-head">
        <div>
          <h1>{sm.name}</h1>
          <p class="muted meta">
            {sm.type === 'EXPRESS' ? 'Express' : 'Standard'} · created {time(sm.creationDate)} · logging {sm.loggingConfiguration?.level ?? 'OFF'}
            {sm.description ? ` · ${sm.description}` : ''}
          </p>
        </div>
        <div class="actions">
          <a class="button" href={href(['executions'], { sm: arn })}>
            Executions
          </a>
          <a class="button" href={href(['designer', arn])}>
            Edit
          </a>
          <button type="button" class="danger" onClick={() => setDeleting(true)}>
            Delete
          </button>
          <button type="button" class="primary" onClick={() => setStarting(true)}>
            Start execution
          </button>
        </div>
      </div>
      <Tabs<Tab>
        label="State machine"
        active={tab}
        onSelect={setTab}
        tabs={[
          { key: 'definition', label: 'Definition' },
          { key: 'executions', label: 'Recent executions' },
          { key: 'versions', label: 'Versions and aliases' },
        ]}
      />
      <div role="tabpanel" aria-labelledby={`tab-${tab}`}>
        {tab === 'definition' && (
          <div class="split">
            <div class="split-main">
              {graph ? <GraphView layout={graph} label={`Graph of ${sm.name}`} selected={selected} onSelect={setSelected} /> : <p class="notice">The definition could not be drawn.</p>}
            </div>
            <div class="split-side">
              <h2 class="h3">Definition</h2>
              <CodeBlock text={prettyJson(sm.definition)} label="Definition (JSON)" />
            </div>
          </div>
        )}
        {tab === 'executions' && <RecentExecutions arn={arn} />}
        {tab === 'versions' && <VersionsAndAliases arn={arn} />}
      </div>
      <StartExecutionDialog open={starting} stateMachineArn={arn} stateMachineName={sm.name} onClose={() => setStarting(false)} onStarted={(e) => navigate(href(['executions', e]))} />
      <DeleteDialog open={deleting} name={sm.name} arn={arn} onClose={() => setDeleting(false)} />
    </section>
  );
}

function RecentExecutions({ arn }: { arn: string }) {
  const [data, error] = useLoad(() => get<{ executions: ExecutionSummary[] }>(`executions?stateMachineArn=${encodeURIComponent(arn)}&limit=20`), [arn]);
  if (error) return <ErrorNotice error={error} />;
  if (!data) return <Loading what="executions" />;
  if (!data.executions.length) return <p class="empty">No executions yet.</p>;
  return (
    <div>
      <ExecutionTable executions={data.executions} showMachine={false} />
      <p>
        <a href={href(['executions'], { sm: arn })}>All executions of this state machine →</a>
      </p>
    </div>
  );
}

function VersionsAndAliases({ arn }: { arn: string }) {
  const [data, error, reload] = useLoad(async () => {
    const versions = await callAll<Version>('ListStateMachineVersions', { stateMachineArn: arn }, 'stateMachineVersions');
    const aliases = await callAll<Alias>('ListStateMachineAliases', { stateMachineArn: arn }, 'stateMachineAliases');
    const details = await Promise.all(aliases.map((a) => call<AliasDetail>('DescribeStateMachineAlias', { stateMachineAliasArn: a.stateMachineAliasArn })));
    return { versions, aliases: aliases.map((a, i) => ({ ...a, ...details[i]! })) };
  }, [arn]);
  const [busy, setBusy] = useState<unknown>(undefined);
  const publish = async () => {
    try {
      await call('PublishStateMachineVersion', { stateMachineArn: arn });
      reload();
    } catch (e) {
      setBusy(e);
    }
  };
  if (error) return <ErrorNotice error={error} />;
  if (!data) return <Loading what="versions" />;
  return (
    <div class="two-col">
      <div>
        <div class="page-head sub">
          <h2 class="h3">Versions</h2>
          <button type="button" class="small" onClick={publish}>
            Publish a version
          </button>
        </div>
        <ErrorNotice error={busy} />
        {data.versions.length === 0 ? (
          <p class="muted">No versions published.</p>
        ) : (
          <table class="list">
            <thead>
              <tr>
                <th scope="col">Version</th>
                <th scope="col">Published</th>
              </tr>
            </thead>
            <tbody>
              {data.versions.map((v) => (
                <tr key={v.stateMachineVersionArn}>
                  <td>{arnName(v.stateMachineVersionArn)}</td>
                  <td class="nowrap">{time(v.creationDate)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
      <div>
        <h2 class="h3">Aliases</h2>
        {data.aliases.length === 0 ? (
          <p class="muted">No aliases.</p>
        ) : (
          <table class="list">
            <thead>
              <tr>
                <th scope="col">Alias</th>
                <th scope="col">Routing</th>
              </tr>
            </thead>
            <tbody>
              {data.aliases.map((a) => (
                <tr key={a.stateMachineAliasArn}>
                  <td>
                    {a.name}
                    {a.description ? <div class="muted">{a.description}</div> : null}
                  </td>
                  <td>{a.routingConfiguration.map((r) => `version ${arnName(r.stateMachineVersionArn)}: ${r.weight}%`).join(', ')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </div>
  );
}

function DeleteDialog({ open, name, arn, onClose }: { open: boolean; name: string; arn: string; onClose: () => void }) {
  const [typed, setTyped] = useState('');
  const [error, setError] = useState<unknown>(undefined);
  return (
    <Modal title={`Delete ${name}?`} open={open} onClose={onClose}>
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          try {
            await call('DeleteStateMachine', { stateMachineArn: arn });
            onClose();
            navigate('#/state-machines');
          } catch (err) {
            setError(err);
          }
        }}
      >
        <p>The state machine is deleted with its versions and aliases. This cannot be undone.</p>
        <label for="confirm-delete">
          Type <strong>{name}</strong> to confirm
        </label>
        <input id="confirm-delete" value={typed} onInput={(e) => setTyped((e.target as HTMLInputElement).value)} autocomplete="off" />
        <ErrorNotice error={error} />
        <div class="dialog-actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" class="danger" disabled={typed !== name}>
            Delete
          </button>
        </div>
      </form>
    </Modal>
  );
}
