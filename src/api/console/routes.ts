/**
 * The web console's routes, plugged into the API server as its `fallback` (so `POST /` stays the AWS
 * API): `GET /` and `/index.html` (the console), `GET /console/<file>` (its files) and the read-only
 * JSON endpoints under `GET /console/api/` (see data.ts and stream.ts). Only GET and HEAD; other
 * methods and unknown paths outside /console/ fall through to the server's own answer.
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApiContext } from '../context.js';
import { allTasks, executions, logs, stateMachines, tasks } from './data.js';
import { ConsoleError, notFound, sendConsoleError, sendJson } from './http.js';
import { DEFAULT_CONSOLE_DIR, serveIndex, serveStatic } from './static.js';
import { streamExecution, type StreamOptions } from './stream.js';

export interface ConsoleOptions {
  /** Where the built console is (default: dist/console). */
  consoleDir?: string;
  stream?: StreamOptions;
  log?: (line: string) => void;
}

export type Fallback = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

const EXECUTION_ROUTE = /^\/console\/api\/executions\/([^/]+)\/(tasks|logs|stream)$/;

export function consoleHandler(ctx: ApiContext, opts: ConsoleOptions = {}): Fallback {
  const dir = opts.consoleDir ?? DEFAULT_CONSOLE_DIR;
  return async (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const url = new URL(req.url ?? '/', 'http://console.invalid');
    const path = url.pathname;
    if (path === '/' || path === '/index.html') {
      await serveIndex(res, dir);
      return true;
    }
    if (!path.startsWith('/console/')) return false;
    try {
      if (path.startsWith('/console/api/')) await api(ctx, path, url.searchParams, req, res, opts);
      else await serveStatic(res, dir, (req.url ?? '').split('?')[0]!.slice('/console/'.length));
    } catch (e) {
      if (res.headersSent) {
        res.destroy();
        return true;
      }
      if (e instanceof ConsoleError) sendConsoleError(res, e);
      else {
        opts.log?.(`console: ${(e as Error)?.stack ?? String(e)}`);
        sendJson(res, 500, { __type: 'InternalFailure', message: `Internal error: ${(e as Error)?.message ?? String(e)}` });
      }
    }
    return true;
  };
}

async function api(ctx: ApiContext, path: string, params: URLSearchParams, req: IncomingMessage, res: ServerResponse, opts: ConsoleOptions): Promise<void> {
  if (path === '/console/api/state-machines') return sendJson(res, 200, await stateMachines(ctx));
  if (path === '/console/api/executions') return sendJson(res, 200, await executions(ctx, params));
  if (path === '/console/api/tasks') return sendJson(res, 200, await allTasks(ctx));
  const m = EXECUTION_ROUTE.exec(path);
  if (!m) throw notFound(`No console endpoint at ${path}`);
  let arn: string;
  try {
    arn = decodeURIComponent(m[1]!);
  } catch {
    throw notFound('Malformed execution ARN');
  }
  switch (m[2]) {
    case 'tasks':
      return sendJson(res, 200, await tasks(ctx, arn));
    case 'logs':
      return sendJson(res, 200, await logs(ctx, arn, params));
    default:
      return streamExecution(ctx, arn, params, req, res, opts.stream);
  }
}
