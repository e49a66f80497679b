/**
 * Lambda tasks: `arn:aws:lambda:…:function:NAME` (the result is the function's payload) and
 * `arn:aws:states:::lambda:invoke` (the result is AWS's envelope: Payload, StatusCode, SdkHttpMetadata …).
 * A local handler wins; otherwise the AWS Lambda Invoke REST API at LAMBDA_ENDPOINT is called, as Step
 * Functions Local does. Function errors map as AWS maps them: errorType becomes the error, the error
 * payload the cause.
 * @module
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { cloneJson, isObject, isPlainJson, type Json, type JsonObject } from '../../../shared/json.js';
import type { FunctionSource, LambdaContext } from '../functions.js';
import type { InvokeTask, TaskCallbacks, TaskContext, TaskInvoker } from '../types.js';

export interface LambdaInvokerOptions {
  functions?: FunctionSource;
  /** Base URL of an AWS Lambda Invoke API (e.g. http://127.0.0.1:3001). */
  endpoint?: string;
  /** Where functions go with no local handler and no endpoint (the AWS SDK; see integrations/aws-lambda.ts). */
  remote?: RemoteLambda;
}

/** An invocation elsewhere: the payload as text (`text`) is parsed here. */
export type RemoteLambda = (name: string, qualifier: string | undefined, body: string, ctx: TaskContext, logTail: boolean) =>
  Promise<{ ok: true; text: string; headers: Record<string, string>; status: number } | Exclude<RawResult, { ok: true }>>;

type RawResult =
  | { ok: true; value: Json; headers: Record<string, string>; status: number }
  | { ok: false; functionError: true; payload: string; headers: Record<string, string>; errorType?: string }
  | { ok: false; functionError: false; error: string; cause: string };

const HEADER_NAMES = [
  'Connection',
  'Content-Length',
  'Content-Type',
  'Date',
  'X-Amz-Executed-Version',
  'x-amzn-Remapped-Content-Length',
  'x-amzn-RequestId',
  'X-Amzn-Trace-Id',
];

/** The function name and qualifier in a FunctionName parameter (a name, a partial or full ARN). */
export function functionRefOf(ref: string): { name: string; qualifier?: string } {
  let s = ref;
  if (s.startsWith('arn:')) s = s.split(':').slice(6).join(':');
  else if (s.includes(':function:')) s = s.split(':function:')[1]!;
  const [name, qualifier] = s.split(':');
  return qualifier ? { name: name!, qualifier } : { name: name! };
}

export const functionNameOf = (ref: string): string => functionRefOf(ref).name;

export class LambdaInvoker implements TaskInvoker {
  constructor(private readonly opts: LambdaInvokerOptions) {}

  invoke(cmd: InvokeTask, ctx: TaskContext, cb: TaskCallbacks): void {
    const res = cmd.resource;
    let name: string;
    let qualifier: string | undefined;
    let payload: Json | undefined;
    let logTail = false;
    const integration = res.kind === 'service';
    if (res.kind === 'lambda-function') {
      name = res.functionName;
      qualifier = res.qualifier;
      payload = cmd.input;
    } else {
      const params = isObject(cmd.input) ? cmd.input : {};
      if (typeof params.FunctionName !== 'string') {
        cb.failed('States.Runtime', "The field 'FunctionName' is required for arn:aws:states:::lambda:invoke.");
        return;
      }
      ({ name, qualifier } = functionRefOf(params.FunctionName));
      if (typeof params.Qualifier === 'string') qualifier = params.Qualifier;
      payload = params.Payload;
      logTail = params.LogType === 'Tail';
    }
    const run = this.call(name, qualifier, payload, cmd, ctx, logTail, integration);
    if (run instanceof Promise) {
      run.then(
        (r) => deliver(r, ctx, cb, integration, logTail),
        (e: unknown) => {
          if (!ctx.cancel.cancelled) cb.failed('Lambda.SdkClientException', (e as Error)?.message ?? String(e));
        },
      );
    } else deliver(run, ctx, cb, integration, logTail);
  }

  private call(name: string, qualifier: string | undefined, payload: Json | undefined, cmd: InvokeTask, ctx: TaskContext, logTail: boolean, integration: boolean): RawResult | Promise<RawResult> {
    const src = this.opts.functions;
    const found = src?.resolve(name);
    if (found instanceof Promise) {
      return found.then((fn) => (fn ? runLocal(fn, name, payload, cmd, ctx, logTail, integration) : this.remote(name, qualifier, wireBody(payload, integration), ctx, logTail)));
    }
    if (found) return runLocal(found, name, payload, cmd, ctx, logTail, integration);
    return this.remote(name, qualifier, wireBody(payload, integration), ctx, logTail);
  }

  private async remote(name: string, qualifier: string | undefined, body: string, ctx: TaskContext, logTail: boolean): Promise<RawResult> {
    if (!this.opts.endpoint) {
      if (!this.opts.remote) return notFound(name, ctx);
      const r = await this.opts.remote(name, qualifier, body, ctx, logTail);
      return r.ok ? { ok: true, value: parsePayload(r.text), headers: r.headers, status: r.status } : r;
    }
    const q = qualifier ? `?Qualifier=${encodeURIComponent(qualifier)}` : '';
    const url = `${this.opts.endpoint.replace(/\/$/, '')}/2015-03-31/functions/${encodeURIComponent(name)}/invocations${q}`;
    const reqHeaders: Record<string, string> = { 'content-type': 'application/octet-stream' };
    if (logTail) reqHeaders['x-amz-log-type'] = 'Tail';
    const resp = await fetch(url, { method: 'POST', headers: reqHeaders, body, signal: ctx.cancel.signal });
    const text = await resp.text();
    const headers: Record<string, string> = {};
    resp.headers.forEach((v, k) => (headers[k.toLowerCase()] = v));
    if (resp.status === 404) return notFound(name, ctx);
    if (resp.status >= 300) {
      let msg = text;
      try {
        const b = JSON.parse(text) as JsonObject;
        msg = String(b.Message ?? b.message ?? text);
      } catch {
        /* plain text */
      }
      const type = (headers['x-amzn-errortype'] ?? 'ServiceException').split(':')[0]!;
      return { ok: false, functionError: false, error: `Lambda.${type}`, cause: msg };
    }
    if (headers['x-amz-function-error']) return { ok: false, functionError: true, payload: text, headers };
    return { ok: true, value: parsePayload(text), headers, status: resp.status };
  }
}

/** The bytes sent to Lambda: the integration sends a string Payload as raw bytes and an empty event for null. */
function wireBody(payload: Json | undefined, integration: boolean): string {
  if (!integration) return JSON.stringify(payload ?? null);
  if (typeof payload === 'string') return payload;
  return payload === undefined || payload === null ? '{}' : JSON.stringify(payload);
}

/** What a local handler receives: the event as it would arrive over the wire (a copy: handlers may mutate it). */
function localEvent(payload: Json | undefined, integration: boolean): Json {
  if (!integration) return cloneJson(payload ?? null);
  if (typeof payload === 'string') return parsePayload(payload);
  return payload === undefined || payload === null ? {} : cloneJson(payload);
}

/** Reports an invocation's outcome as AWS maps it. */
function deliver(r: RawResult, ctx: TaskContext, cb: TaskCallbacks, integration: boolean, logTail: boolean): void {
  if (ctx.cancel.cancelled) return;
  if (r.ok) {
    cb.succeeded(integration ? envelope(r.value, r.headers, r.status, logTail) : r.value);
    return;
  }
  if (!r.functionError) {
    cb.failed(r.error, r.cause);
    return;
  }
  if (r.errorType !== undefined && !integration) {
    // A local handler's error: its name is known and the Lambda-ARN form keeps the payload verbatim.
    cb.failed(r.errorType, r.payload);
    return;
  }
  const parsed = parsePayload(r.payload);
  const errorType = r.errorType ?? (isObject(parsed) && typeof parsed.errorType === 'string' ? parsed.errorType : 'Lambda.Unknown');
  // The Lambda-ARN form copies the payload verbatim; the lambda:invoke integration re-serialises it.
  const cause = integration && typeof parsed !== 'string' ? JSON.stringify(parsed) : r.payload;
  cb.failed(errorType, cause);
}

function notFound(name: string, ctx: TaskContext): RawResult {
  return {
    ok: false,
    functionError: false,
    error: 'Lambda.ResourceNotFoundException',
    cause: `Function not found: arn:aws:lambda:${ctx.region}:${ctx.accountId}:function:${name}:$LATEST (Service: AWSLambda; Status Code: 404; Error Code: ResourceNotFoundException; Request ID: ${randomUUID()}; Proxy: null)`,
  };
}

function runLocal(fn: (event: any, context: LambdaContext) => unknown, name: string, payload: Json | undefined, cmd: InvokeTask, ctx: TaskContext, logTail: boolean, integration: boolean): RawResult | Promise<RawResult> {
  const context = new LocalLambdaContext(name, ctx, Date.now() + (cmd.timeoutSeconds ?? 900) * 1000);
  const event = localEvent(payload, integration);
  let out: unknown;
  try {
    out = fn(event, context);
  } catch (e) {
    return localError(e);
  }
  if (out instanceof Promise) {
    return out.then(
      (v) => localResult(v, context, integration, logTail),
      (e) => localError(e),
    );
  }
  return localResult(out, context, integration, logTail);
}

/** A plain JSON result is taken as it is; anything else goes through JSON as it would over the wire. */
function localResult(v: unknown, context: LocalLambdaContext, integration: boolean, logTail: boolean): RawResult {
  const value: Json = v === undefined ? null : isPlainJson(v) ? v : (JSON.parse(JSON.stringify(v) ?? 'null') as Json);
  const headers = integration ? localHeaders(JSON.stringify(value), context.awsRequestId, logTail) : NO_HEADERS;
  return { ok: true, value, headers, status: 200 };
}

function localError(e: unknown): RawResult {
  return { ok: false, functionError: true, payload: errorPayload(e), headers: NO_HEADERS, errorType: errorTypeOf(e) };
}

/** The context a local handler gets; the request id is made only if read. */
class LocalLambdaContext implements LambdaContext {
  readonly functionVersion = '$LATEST';
  #requestId: string | undefined;
  constructor(
    readonly functionName: string,
    private readonly ctx: TaskContext,
    private readonly deadline: number,
  ) {}
  get invokedFunctionArn(): string {
    return `arn:aws:lambda:${this.ctx.region}:${this.ctx.accountId}:function:${this.functionName}`;
  }
  get awsRequestId(): string {
    return (this.#requestId ??= randomUUID());
  }
  get idempotencyKey(): string {
    return this.ctx.idempotencyKey;
  }
  get executionArn(): string {
    return this.ctx.executionArn;
  }
  getRemainingTimeInMillis(): number {
    return Math.max(0, this.deadline - Date.now());
  }
}

function errorTypeOf(e: unknown): string {
  const err = e as { errorType?: unknown; name?: unknown } | null;
  return typeof err?.errorType === 'string' ? err.errorType : typeof err?.name === 'string' ? err.name : 'Error';
}

/** The error payload the Node.js Lambda runtime would produce (or the error's own `payload` text). */
export function errorPayload(e: unknown): string {
  const err = e as { payload?: unknown; errorType?: unknown; name?: unknown; message?: unknown; stack?: unknown } | null;
  if (err && typeof err.payload === 'string') return err.payload;
  const errorType = errorTypeOf(e);
  const errorMessage = typeof err?.message === 'string' ? err.message : String(e);
  const trace = typeof err?.stack === 'string' ? err.stack.split('\n') : [];
  return JSON.stringify({ errorType, errorMessage, trace });
}

function parsePayload(text: string): Json {
  if (text === '') return null;
  // Only try JSON when the text can be JSON (a failed JSON.parse costs an exception).
  const c = text.charCodeAt(0);
  const maybeJson =
    c === 123 || c === 91 || c === 34 || c === 45 || (c >= 48 && c <= 57) || c <= 32 ||
    ((c === 116 || c === 102 || c === 110) && /^(true|false|null)\s*$/.test(text));
  if (!maybeJson) return text;
  try {
    return JSON.parse(text) as Json;
  } catch {
    return text;
  }
}

const NO_HEADERS: Record<string, string> = Object.freeze({}) as Record<string, string>;

function localHeaders(body: string, requestId: string, logTail: boolean): Record<string, string> {
  const h: Record<string, string> = {
    connection: 'keep-alive',
    'content-length': String(Buffer.byteLength(body)),
    'content-type': 'application/json',
    date: new Date().toUTCString(),
    'x-amz-executed-version': '$LATEST',
    'x-amzn-remapped-content-length': '0',
    'x-amzn-requestid': requestId,
    'x-amzn-trace-id': `root=1-${Math.floor(Date.now() / 1000).toString(16)}-${randomBytes(12).toString('hex')};parent=${randomBytes(8).toString('hex')};sampled=0`,
  };
  if (logTail) h['x-amz-log-result'] = logTailOf(requestId);
  return h;
}

function logTailOf(requestId: string): string {
  const log = `START RequestId: ${requestId} Version: $LATEST\nEND RequestId: ${requestId}\nREPORT RequestId: ${requestId}\n`;
  return Buffer.from(log).toString('base64');
}

/** The result of the lambda:invoke integration. */
function envelope(payload: Json, headers: Record<string, string>, status: number, logTail: boolean): JsonObject {
  const all: JsonObject = {};
  const single: JsonObject = {};
  for (const h of HEADER_NAMES) {
    const v = headers[h.toLowerCase()];
    if (v === undefined) continue;
    all[h] = [v];
    single[h] = v;
  }
  const requestId = headers['x-amzn-requestid'] ?? randomUUID();
  // LogType Tail always yields a log tail; an endpoint that sends none gets the minimal one Lambda writes.
  const log = headers['x-amz-log-result'] ?? (logTail ? logTailOf(requestId) : undefined);
  if (logTail && log !== undefined) {
    all['X-Amz-Log-Result'] = [log];
    single['X-Amz-Log-Result'] = log;
  }
  return {
    ...(logTail && log !== undefined ? { LogResult: log } : {}),
    ExecutedVersion: headers['x-amz-executed-version'] ?? '$LATEST',
    Payload: payload,
    SdkHttpMetadata: { AllHttpHeaders: all, HttpHeaders: single, HttpStatusCode: status },
    SdkResponseMetadata: { RequestId: requestId },
    StatusCode: status,
  };
}
