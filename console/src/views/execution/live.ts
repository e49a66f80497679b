/**
 * An execution's data, kept live: DescribeExecution, its definition, the whole history (paged through
 * GetExecutionHistory), then the console's event stream (SSE) while it runs; open task tokens.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { AwsEvent } from '../../../../src/history/timeline.js';
import { call, callAll, get, type Execution, type OpenTask } from '../../api.js';

export interface ExecutionData {
  execution: Execution;
  definition: string;
  loggingLevel: string;
  events: AwsEvent[];
  tasks: OpenTask[];
}

export function useExecution(arn: string): { data?: ExecutionData; error?: unknown; reload: () => void; live: boolean } {
  const [data, setData] = useState<ExecutionData | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [n, setN] = useState(0);
  const [live, setLive] = useState(false);
  const current = useRef<ExecutionData | undefined>(undefined);

  useEffect(() => {
    let closed = false;
    let source: EventSource | undefined;
    const set = (d: ExecutionData) => {
      current.current = d;
      if (!closed) setData(d);
    };
    const loadTasks = async (status: string) => (status === 'RUNNING' ? (await get<{ tasks: OpenTask[] }>(`executions/${encodeURIComponent(arn)}/tasks`)).tasks : []);
    const refreshHead = async () => {
      const d = current.current;
      if (!d) return;
      const execution = await call<Execution>('DescribeExecution', { executionArn: arn });
      const tasks = await loadTasks(execution.status);
      set({ ...current.current!, execution, tasks });
      if (execution.status !== 'RUNNING') {
        source?.close();
        if (!closed) setLive(false);
      }
    };
    (async () => {
      try {
        const execution = await call<Execution>('DescribeExecution', { executionArn: arn });
        const sm = await call<{ definition: string; loggingConfiguration?: { level?: string } }>('DescribeStateMachineForExecution', { executionArn: arn });
        const events = await callAll<AwsEvent>('GetExecutionHistory', { executionArn: arn, maxResults: 1000 }, 'events', 100_000);
        const tasks = await loadTasks(execution.status);
        set({ execution, definition: sm.definition, loggingLevel: sm.loggingConfiguration?.level ?? 'OFF', events, tasks });
        setError(undefined);
        if (execution.status !== 'RUNNING' || closed || typeof EventSource === 'undefined') return;
        const after = events.length ? events[events.length - 1]!.id : 0;
        source = new EventSource(`/console/api/executions/${encodeURIComponent(arn)}/stream?after=${after}`);
        setLive(true);
        source.addEventListener('history', (m) => {
          const d = current.current;
          if (!d) return;
          const incoming = (JSON.parse((m as MessageEvent).data) as { events: AwsEvent[] }).events;
          const last = d.events.length ? d.events[d.events.length - 1]!.id : 0;
          const fresh = incoming.filter((e) => e.id > last);
          if (!fresh.length) return;
          set({ ...d, events: [...d.events, ...fresh] });
          // A task waiting for a token, or the end: the head and the open tasks change.
          if (fresh.some((e) => /^(TaskSubmitted|TaskScheduled|ActivityScheduled|TaskSucceeded|TaskFailed|TaskTimedOut|ActivityStarted|Execution)/.test(e.type))) void refreshHead();
        });
        source.addEventListener('status', () => void refreshHead());
        source.onerror = () => {
          // The browser reconnects by itself; the head tells whether there is anything left to follow.
          void refreshHead();
        };
      } catch (e) {
        if (!closed) setError(e);
      }
    })();
    return () => {
      closed = true;
      source?.close();
      setLive(false);
    };
  }, [arn, n]);

  return { data, error, reload: () => setN((x) => x + 1), live };
}
