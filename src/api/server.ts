/**
 * The HTTP server: AWS Step Functions' awsJson1_0 protocol on `POST /` (operation in `X-Amz-Target`),
 * errors as `{"__type", "message"}` with HTTP 400. Malformed requests get an error, never a crash.
 * @module
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { ApiContext, Operation } from './context.js';
import { ApiError } from './errors.js';
import { operations as defaultOperations } from './operations/index.js';
import { nestingDepthMessage, textNestingOver } from '../shared/json.js';

const MAX_BODY = 4 * 1024 * 1024;
const JSON_TYPE = 'application/x-amz-json-1.0';

export interface ServerOptions {
  /** Extra handlers for non-API paths (the console, health checks). */
  fallback?: (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>;
  operations?: Record<string, Operation>;
  log?: (line: string) => void;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': JSON_TYPE,
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
  });
  res.end(text);
}

function sendError(res: ServerResponse, e: ApiError): void {
  res.setHeader('x-amzn-errortype', e.code);
  send(res, e.status, { __type: e.code, message: e.message });
}

export async function handle(ctx: ApiContext, req: IncomingMessage, res: ServerResponse, opts: ServerOptions = {}): Promise<void> {
  const ops = opts.operations ?? defaultOperations;
  const target = String(req.headers['x-amz-target'] ?? '');
  if (req.method !== 'POST' || !target) {
    if (opts.fallback && (await opts.fallback(req, res))) return;
    send(res, 404, { __type: 'UnknownOperationException', message: `No operation at ${req.method} ${req.url}` });
    return;
  }
  const [prefix, name] = target.split('.', 2);
  const op = prefix === 'AWSStepFunctions' && name ? ops[name] : undefined;
  let body: string;
  try {
    body = await readBody(req);
  } catch (e) {
    sendError(res, e instanceof ApiError ? e : new ApiError('SerializationException', 'Could not read the request body'));
    return;
  }
  if (!op) {
    sendError(res, new ApiError('UnknownOperationException', `Operation ${target} is not supported.`));
    return;
  }
  let params: Record<string, unknown>;
  try {
    if (textNestingOver(body) >= 0) {
      sendError(res, new ApiError('SerializationException', nestingDepthMessage()));
      return;
    }
    const v = body.trim() === '' ? {} : (JSON.parse(body) as unknown);
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not an object');
    params = v as Record<string, unknown>;
  } catch {
    sendError(res, new ApiError('SerializationException', 'Start of structure or map found where not expected.'));
    return;
  }
  const abort = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) abort.abort();
  });
  try {
    const out = await (op as (c: ApiContext, p: Record<string, unknown>, s?: AbortSignal) => Promise<unknown>)(ctx, params, abort.signal);
    if (!res.writableEnded && !res.destroyed) send(res, 200, out ?? {});
  } catch (e) {
    if (res.writableEnded || res.destroyed) return;
    if (e instanceof ApiError) sendError(res, e);
    else {
      opts.log?.(`internal error in ${name}: ${(e as Error)?.stack ?? String(e)}`);
      sendError(res, new ApiError('InternalFailure', `Internal error: ${(e as Error)?.message ?? String(e)}`, 500));
    }
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new ApiError('ValidationException', `Request body exceeds the maximum size of ${MAX_BODY} bytes`));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export function createApiServer(ctx: ApiContext, opts: ServerOptions = {}): Server {
  const server = createServer((req, res) => {
    handle(ctx, req, res, opts).catch((e) => {
      opts.log?.(`unhandled: ${(e as Error)?.stack ?? String(e)}`);
      try {
        if (!res.headersSent) send(res, 500, { __type: 'InternalFailure', message: 'Internal error' });
      } catch {
        /* connection gone */
      }
    });
  });
  server.keepAliveTimeout = 65000;
  server.requestTimeout = 0; // GetActivityTask long-polls for 60 s
  return server;
}
