/**
 * An execution's Map Runs (ListMapRuns, a page at a time), each with its status and progress
 * (DescribeMapRun) and a link to its own view. Read again when the history records a Map Run event
 * (`version`), and every few seconds while one of them runs.
 */
import { useEffect, useState } from 'preact/hooks';
import { mapRunParts } from '../../../../src/history/map-run-progress.js';
import { call, type MapRun, type MapRunListItem } from '../../api.js';
import { endedOf, ProgressBar } from '../../components/map-run-progress.js';
import { ErrorNotice, Loading, StatusBadge, useLoad } from '../../components/ui.js';
import { duration, time } from '../../format.js';
import { href } from '../../router.js';

const PAGE = 20;
const REFRESH_MS = 2000;

interface Row {
  item: MapRunListItem;
  run?: MapRun;
}

export function MapRunsTable({ executionArn, version }: { executionArn: string; version: number }) {
  const [tokens, setTokens] = useState<(string | undefined)[]>([undefined]);
  const [n, setN] = useState(0);
  const token = tokens[tokens.length - 1];
  const [page, error] = useLoad(async () => {
    const list = await call<{ mapRuns: MapRunListItem[]; nextToken?: string }>('ListMapRuns', { executionArn, maxResults: PAGE, ...(token ? { nextToken: token } : {}) });
    const rows: Row[] = await Promise.all(
      list.mapRuns.map(async (item) => ({ item, run: await call<MapRun>('DescribeMapRun', { mapRunArn: item.mapRunArn }).catch(() => undefined) })),
    );
    return { rows, nextToken: list.nextToken };
  }, [executionArn, token, version, n]);
  const anyRunning = page?.rows.some((r) => r.run?.status === 'RUNNING') ?? false;
  useEffect(() => {
    if (!anyRunning) return;
    const t = setTimeout(() => setN((x) => x + 1), REFRESH_MS);
    return () => clearTimeout(t);
  }, [anyRunning, page]);

  if (error) return <ErrorNotice error={error} />;
  if (!page) return <Loading what="Map Runs" />;
  if (page.rows.length === 0) return <p class="empty">This execution has started no Map Run (only a Distributed Map starts one).</p>;
  return (
    <>
      <div class="table-wrap">
        <table class="list map-runs">
          <caption class="sr-only">Map Runs of this execution, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Map Run</th>
              <th scope="col">Status</th>
              <th scope="col">Items</th>
              <th scope="col">Started</th>
              <th scope="col">Duration</th>
            </tr>
          </thead>
          <tbody>
            {page.rows.map(({ item, run }) => {
              const parts = mapRunParts(item.mapRunArn);
              const stop = run?.stopDate ?? item.stopDate;
              return (
                <tr key={item.mapRunArn}>
                  <td class="name">
                    <a href={href(['map-runs', item.mapRunArn])}>{parts?.label ?? item.mapRunArn}</a>
                    {parts && <span class="muted small-text id"> {parts.id}</span>}
                  </td>
                  <td>{run ? <StatusBadge status={run.status} /> : '–'}</td>
                  <td class="items-cell">
                    {run ? (
                      <>
                        <span class="num">{endedOf(run.itemCounts)}</span>
                        <ProgressBar counts={run.itemCounts} small />
                      </>
                    ) : (
                      '–'
                    )}
                  </td>
                  <td class="nowrap">{time(item.startDate)}</td>
                  <td class="nowrap">{duration(((stop ?? Date.now() / 1000) - item.startDate) * 1000)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {(tokens.length > 1 || page.nextToken) && (
        <nav class="pager" aria-label="Pages of Map Runs">
          <button type="button" disabled={tokens.length === 1} onClick={() => setTokens(tokens.slice(0, -1))}>
            ← Newer
          </button>
          <span class="muted">Page {tokens.length}</span>
          <button type="button" disabled={!page.nextToken} onClick={() => setTokens([...tokens, page.nextToken])}>
            Older →
          </button>
        </nav>
      )}
    </>
  );
}
