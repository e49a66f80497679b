/**
 * A Map Run's child executions: ListExecutions with its mapRunArn, filtered by status and by redrive
 * (statusFilter, redriveFilter: both AWS parameters), a page at a time (nextToken), each row a link to
 * the execution's own view. The filters are in the page's address, so a filtered list can be linked.
 */
import { useState } from 'preact/hooks';
import { call, type Execution, type ExecutionSummary } from '../../api.js';
import { ExecutionTable } from '../../components/execution-table.js';
import { ErrorNotice, Loading, useLoad } from '../../components/ui.js';
import { href, navigate } from '../../router.js';

export const CHILD_PAGE = 25;
const STATUSES = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'PENDING_REDRIVE'];

export function ChildExecutions({ mapRunArn, parent, query, version }: { mapRunArn: string; parent: Execution; query: URLSearchParams; version: string }) {
  const status = query.get('status') ?? '';
  const redrive = query.get('redrive') ?? '';
  // The tokens of the pages up to this one (the first page has none); new filters start on the first page.
  const key = `${mapRunArn}|${status}|${redrive}`;
  const [pager, setPager] = useState<{ key: string; tokens: (string | undefined)[] }>({ key, tokens: [undefined] });
  const tokens = pager.key === key ? pager.tokens : [undefined];
  const setTokens = (t: (string | undefined)[]) => setPager({ key, tokens: t });
  const token = tokens[tokens.length - 1];
  const [page, error] = useLoad(
    () =>
      call<{ executions: ExecutionSummary[]; nextToken?: string }>('ListExecutions', {
        mapRunArn,
        maxResults: CHILD_PAGE,
        ...(status ? { statusFilter: status } : {}),
        ...(redrive ? { redriveFilter: redrive } : {}),
        ...(token ? { nextToken: token } : {}),
      }),
    [mapRunArn, status, redrive, token, version],
  );
  const set = (changes: Record<string, string>) => navigate(href(['map-runs', mapRunArn], { status, redrive, ...changes }), true);
  const filtered = status !== '' || redrive !== '';
  return (
    <>
      <form class="filters" aria-label="Filter child executions" onSubmit={(e) => e.preventDefault()}>
        <label>
          Status
          <select value={status} onChange={(e) => set({ status: (e.target as HTMLSelectElement).value })}>
            <option value="">Any</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s.replace('_', ' ').toLowerCase()}
              </option>
            ))}
          </select>
        </label>
        <label>
          Redriven
          <select value={redrive} onChange={(e) => set({ redrive: (e.target as HTMLSelectElement).value })}>
            <option value="">Any</option>
            <option value="REDRIVEN">redriven</option>
            <option value="NOT_REDRIVEN">not redriven</option>
          </select>
        </label>
      </form>
      <ErrorNotice error={error} />
      {!page && !error && <Loading what="child executions" />}
      {page && page.executions.length === 0 && (
        <div class="empty" role="status">
          <p>
            <strong>{filtered && tokens.length === 1 ? 'No child executions match these filters.' : tokens.length > 1 ? 'No more child executions.' : 'No child executions to list.'}</strong>
          </p>
          <p>
            ListExecutions lists none for this Map Run: in Stepwise, a Distributed Map's iterations run inside the parent execution, not yet as executions
            of their own. They are counted under Progress above, and their states are in the history of{' '}
            <a href={href(['executions', parent.executionArn])}>{parent.name}</a>. Once iterations run as child executions, they are listed here.
          </p>
        </div>
      )}
      {page && page.executions.length > 0 && <ExecutionTable executions={page.executions} showMachine={false} />}
      {page && (tokens.length > 1 || page.nextToken) && (
        <nav class="pager" aria-label="Pages of child executions">
          <button type="button" disabled={tokens.length === 1} onClick={() => setTokens(tokens.slice(0, -1))}>
            ← Previous
          </button>
          <span class="muted">Page {tokens.length}</span>
          <button type="button" disabled={!page.nextToken} onClick={() => setTokens([...tokens, page.nextToken])}>
            Next →
          </button>
        </nav>
      )}
    </>
  );
}
