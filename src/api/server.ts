/**
 * The HTTP server: AWS Step Functions' awsJson1_0 protocol on `POST /` (operation in `X-Amz-Target`),
 * errors as `{"__type", "message"}` with HTTP 400. Malformed requests get an error, never a crash, and
 * every request gets an answer (a body over the size limit is read to its end and refused).
 *
 * Requests may also arrive in proxy form (`POST http://sync-localhost:8083/`): an AWS client told to use
 * this server as its HTTP proxy reaches it for `sync-<host>` endpoints without resolving that name.
 * @module
 */
import type { RequestAuthenticator } from './auth.js';
import type { ConsoleSessions } from './console-sessions.js';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { ApiContext, Operation } from './context.js';
import { ApiError, shortened } from './errors.js';
import { operations as defaultOperations } from './operations/index.js';
import { nestingDepthMessage, textNestingOver } from '../shared/json.js';

/** The largest request body read into memory (a 1 MiB definition, JSON-escaped, fits). */
export const MAX_BODY = 4 * 1024 * 1024;
/** Past this many bytes an oversized body is no longer drained: the answer is sent and the connection closed. */
const MAX_DRAIN = 64 * 1024 * 1024;
const JSON_TYPE = 'application/x-amz-json-1.0';
const TARGET_PREFIX = 'AWSStepFunctions.';

/** How long a client may take to send a request. Responses (GetActivityTask's 60 s long poll, the console's streams) are not limited. */
export interface HttpTimeouts {
  /** Receiving the request line and headers (default 20 s). */
  headersMs?: number;
  /** Receiving the whole request, body included (default 60 s). */
  requestMs?: number;
  /** How often open connections are checked against these limits (default 2 s). */
  checkIntervalMs?: number;
}

export interface ServerOptions {
  /** When set, every API request must be signed (SigV4) with one of its credentials, or come with a console session. */
  auth?: RequestAuthenticator;
  sessions?: ConsoleSessions;
  /** Extra handlers for non-API paths (the console, health checks). */
  fallback?: (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>;
  operations?: Record<string, Operation>;
  log?: (line: string) => void;
  timeouts?: HttpTimeouts;
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
  send(res, e.status, { __type: e.code, message: e.message, ...e.fields });
}

/**
 * The path (and query) a request names: origin form as sent, proxy form (`http://host:port/path`)
 * reduced to its path; undefined for anything else (`*`, `//host`, garbage).
 */
export function requestPath(url: string | undefined): string | undefined {
  const u = url ?? '';
  if (u.startsWith('/')) return u.startsWith('//') ? undefined : u;
  if (!/^https?:\/\//i.test(u)) return undefined;
  try {
    const parsed = new URL(u);
    return parsed.pathname + parsed.search;
  } catch {
    return undefined;
  }
}

/** The operation an `X-Amz-Target` names: only the table's own entries, never inherited properties. */
function operationFor(ops: Record<string, Operation>, target: string): Operation | undefined {
  if (!target.startsWith(TARGET_PREFIX)) return undefined;
  const name = target.slice(TARGET_PREFIX.length);
  return Object.hasOwn(ops, name) ? ops[name] : undefined;
}

export async function handle(ctx: ApiContext, req: IncomingMessage, res: ServerResponse, opts: ServerOptions = {}): Promise<void> {
  const ops = opts.operations ?? defaultOperations;
  const target = String(req.headers['x-amz-target'] ?? '');
  const path = requestPath(req.url);
  if (path !== undefined && path !== req.url) req.url = path;
  if (req.method !== 'POST' || !target || path === undefined) {
    if (path !== undefined && opts.fallback && (await opts.fallback(req, res))) return;
    req.resume(); // a body nobody reads must not stall the connection
    send(res, 404, { __type: 'UnknownOperationException', message: `No operation at ${shortened(String(req.method))} ${shortened(String(req.url))}` });
    return;
  }
  const op = operationFor(ops, target);
  const read = await readBody(req);
  if (read.kind === 'error') {
    sendError(res, new ApiError('SerializationException', 'Could not read the request body'));
    return;
  }
  if (read.kind === 'tooLarge') {
    if (!read.drained) res.setHeader('connection', 'close');
    sendError(res, new ApiError('ValidationException', `Request body exceeds the maximum size of ${MAX_BODY} bytes`));
    return;
  }
  if (opts.auth && !opts.sessions?.valid(req)) {
    const refused = await opts.auth.check(req, read.body);
    if (refused) {
      sendError(res, refused);
      return;
    }
  }
  if (!op) {
    sendError(res, new ApiError('UnknownOperationException', `Operation ${shortened(target)} is not supported.`));
    return;
  }
  let params: Record<string, unknown>;
  try {
    if (textNestingOver(read.body) >= 0) {
      sendError(res, new ApiError('SerializationException', nestingDepthMessage()));
      return;
    }
    const v = read.body.trim() === '' ? {} : (JSON.parse(read.body) as unknown);
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
      opts.log?.(`internal error in ${target}: ${(e as Error)?.stack ?? String(e)}`);
      sendError(res, new ApiError('InternalFailure', `Internal error: ${shortened((e as Error)?.message ?? String(e))}`, 500));
    }
  }
}

type BodyRead = { kind: 'ok'; body: string } | { kind: 'tooLarge'; drained: boolean } | { kind: 'error' };

/**
 * Reads the request body. A body over MAX_BODY is read on and thrown away (up to MAX_DRAIN), so that
 * the client, which sends its whole body before it reads the answer, gets the answer.
 */
function readBody(req: IncomingMessage): Promise<BodyRead> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const declared = Number(req.headers['content-length']);
    let tooLarge = Number.isFinite(declared) && declared > MAX_BODY;
    if (tooLarge && declared > MAX_DRAIN) {
      req.pause();
      resolve({ kind: 'tooLarge', drained: false });
      return;
    }
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) tooLarge = true;
      if (tooLarge) {
        chunks.length = 0;
        if (size > MAX_DRAIN) {
          req.pause();
          req.removeAllListeners('data');
          resolve({ kind: 'tooLarge', drained: false });
        }
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(tooLarge ? { kind: 'tooLarge', drained: true } : { kind: 'ok', body: Buffer.concat(chunks).toString('utf8') }));
    req.on('error', () => resolve({ kind: 'error' }));
  });
}

export function createApiServer(ctx: ApiContext, opts: ServerOptions = {}): Server {
  const t = opts.timeouts ?? {};
  const requestTimeout = t.requestMs ?? 60_000;
  const server = createServer(
    {
      // Node's requestTimeout covers receiving the request only, not the time to answer it: a long
      // poll answered after a minute is not cut off, a client that trickles its body is.
      requestTimeout,
      headersTimeout: Math.min(t.headersMs ?? 20_000, requestTimeout),
      connectionsCheckingInterval: t.checkIntervalMs ?? 2_000,
    },
    (req, res) => {
      handle(ctx, req, res, opts).catch((e) => {
        opts.log?.(`unhandled: ${(e as Error)?.stack ?? String(e)}`);
        try {
          if (!res.headersSent) send(res, 500, { __type: 'InternalFailure', message: 'Internal error' });
        } catch {
          /* connection gone */
        }
      });
    },
  );
  server.keepAliveTimeout = 65000;
  return server;
}
