/**
 * `GET /console/api/executions/<arn>/stream?after=<eventId>`: an execution's history as Server-Sent
 * Events. `event: history` / `data: {"events": [...]}` (AWS wire shape) first with every event after
 * `after` (possibly none), then as the engine commits more; `event: status` / `data: {status, stopDate?,
 * output?, error?, cause?}` once the execution has ended, after which the stream closes. A comment
 * every `heartbeatMs` (15 s) keeps proxies from closing an idle stream; the store is read again every
 * `pollMs` (5 s) in case another process sharing it runs the execution.
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { toAwsEvent } from '../../interpreter/history.js';
import type { ApiContext } from '../context.js';
import { executionOf, historyAfter } from './data.js';
import { invalid } from './http.js';

export interface StreamOptions {
  heartbeatMs?: number;
  pollMs?: number;
}

const TERMINAL = new Set(['ExecutionSucceeded', 'ExecutionFailed', 'ExecutionAborted', 'ExecutionTimedOut']);

export async function streamExecution(ctx: ApiContext, arn: string, params: URLSearchParams, req: IncomingMessage, res: ServerResponse, opts: StreamOptions = {}): Promise<void> {
  const rawAfter = params.get('after');
  if (rawAfter !== null && rawAfter !== '' && !/^\d+$/.test(rawAfter)) throw invalid(`after must be a non-negative integer, got '${rawAfter}'`);
  let last = rawAfter ? Number(rawAfter) : 0;
  const first = await executionOf(ctx, arn);

  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  res.flushHeaders();

  let closed = false;
  let pulling = false;
  let again = false;
  const abort = new AbortController();
  const send = (event: string, data: unknown) => {
    if (!closed) res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  };
  const cleanup = () => {
    if (closed) return;
    closed = true;
    unsubscribe();
    clearInterval(heartbeat);
    clearInterval(poll);
    abort.abort();
  };
  const finish = async () => {
    const rec = first.type === 'EXPRESS' ? await ctx.engine.whenEnded(arn, abort.signal) : await ctx.store.getExecution(arn);
    if (closed || !rec) return;
    const status: Record<string, unknown> = { status: rec.status };
    if (rec.stopDate !== undefined) status.stopDate = rec.stopDate / 1000;
    if (rec.output !== undefined) status.output = rec.output;
    if (rec.error !== undefined) status.error = rec.error;
    if (rec.cause !== undefined) status.cause = rec.cause;
    send('status', status);
    cleanup();
    res.end();
  };
  // Reads what came after the last event sent; wakes that come meanwhile cause one more read.
  const pull = async (initial: boolean) => {
    if (pulling) {
      again = true;
      return;
    }
    pulling = true;
    try {
      do {
        again = false;
        const events = await historyAfter(ctx, first, last);
        if (closed) return;
        if (events.length || initial) send('history', { events: events.map((e) => toAwsEvent(e)) });
        initial = false;
        if (events.length) last = events[events.length - 1]!.id;
        if (events.some((e) => TERMINAL.has(e.type))) {
          await finish();
          return;
        }
      } while (again && !closed);
    } finally {
      pulling = false;
    }
  };
  const wake = () => {
    pull(false).catch(() => cleanup());
  };
  // Listening before the first read: nothing committed in between is missed.
  const unsubscribe = ctx.engine.listeners.on(arn, wake);
  const heartbeat = setInterval(() => {
    if (!closed) res.write(': heartbeat\n\n');
  }, opts.heartbeatMs ?? 15000);
  const poll = setInterval(wake, opts.pollMs ?? 5000);
  heartbeat.unref();
  poll.unref();
  req.on('close', cleanup);
  res.on('close', cleanup);

  await pull(true);
  // An execution that had ended before (its terminal event at or before `after`): status at once,
  // unless a redrive has started it again meanwhile.
  if (!closed && first.status !== 'RUNNING') {
    const rec = first.type === 'EXPRESS' ? first : await ctx.store.getExecution(arn);
    if (rec && rec.status !== 'RUNNING') await finish();
  }
}
