/**
 * The HTTP Task, `arn:aws:states:::http:invoke`: calls an HTTP(S) API with the credentials of the
 * EventBridge connection its `Authentication.ConnectionArn` names, as the Stepwise config file maps it
 * (API key, basic, OAuth client credentials). Output and errors in AWS's shapes: `Headers`,
 * `ResponseBody` (parsed when the response is JSON), `StatusCode`, `StatusText`;
 * `States.Http.StatusCode.<code>` for a non-2xx answer, `States.Http.Socket` when no answer comes.
 * @module
 */
import { isObject, type Json, type JsonObject } from '../../../shared/json.js';
import { reportOutcome, type HttpExchange, type InvokeTask, type TaskCallbacks, type TaskContext, type TaskInvoker } from '../types.js';
import type { Connection, LocalConfig } from './local-config.js';
import { OAuthTokens } from './oauth.js';
import { urlEncode, type ArrayFormat } from './url-encode.js';

const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'];
const FIELDS = ['ApiEndpoint', 'Method', 'Authentication', 'Headers', 'QueryParameters', 'RequestBody', 'Transform'];
const ARRAY_FORMATS: ArrayFormat[] = ['INDICES', 'REPEAT', 'COMMAS', 'BRACKETS'];

/** Headers an HTTP Task may not set (AWS fails the task with States.Runtime), lower case; and these prefixes. */
const REFUSED_HEADERS = new Set(
  [
    'A-IM', 'Accept-Charset', 'Accept-Datetime', 'Accept-Encoding', 'Authorization', 'Cache-Control', 'Connection', 'Content-Encoding',
    'Content-Length', 'Content-MD5', 'Date', 'Expect', 'Forwarded', 'From', 'Host', 'HTTP2-Settings', 'If-Match', 'If-Modified-Since',
    'If-None-Match', 'If-Range', 'If-Unmodified-Since', 'Max-Forwards', 'Origin', 'Pragma', 'Proxy-Authorization', 'Referer', 'Server',
    'TE', 'Trailer', 'Transfer-Encoding', 'Upgrade', 'Via', 'Warning',
  ].map((h) => h.toLowerCase()),
);
const REFUSED_PREFIXES = ['x-forwarded-', 'x-amz-', 'x-amzn-'];

/** No answer within this long is a socket failure (AWS: 60 seconds). */
export const HTTP_TASK_TIMEOUT_MS = 60_000;

export interface HttpInvokerOptions {
  /** Called with every request sent (and its response) — TestState's inspection data. */
  onExchange?: (ctx: TaskContext, exchange: HttpExchange) => void;
  timeoutMs?: number;
}

type Prepared = { ok: true; method: string; url: URL; headers: Record<string, string>; body?: string; connection: Connection } | { ok: false; error: string; cause: string };

const runtime = (cause: string): Prepared => ({ ok: false, error: 'States.Runtime', cause });

export class HttpInvoker implements TaskInvoker {
  readonly #tokens = new OAuthTokens();
  constructor(
    private readonly config: LocalConfig,
    private readonly opts: HttpInvokerOptions = {},
  ) {}

  invoke(cmd: InvokeTask, ctx: TaskContext, cb: TaskCallbacks): void {
    if (cmd.resource.kind === 'service' && cmd.resource.pattern !== 'request-response') {
      cb.failed('States.Runtime', `The resource '${cmd.resource.arn}' is not supported: the HTTP Task is request-response only.`);
      return;
    }
    const p = this.prepare(cmd.input, ctx);
    if (!p.ok) return cb.failed(p.error, p.cause);
    reportOutcome(this.call(p, ctx), ctx, cb);
  }

  prepare(input: Json, ctx: TaskContext): Prepared {
    if (!isObject(input)) return runtime('The HTTP Task needs its Parameters (Arguments) to be an object with ApiEndpoint, Method and Authentication.');
    for (const k of Object.keys(input)) if (!FIELDS.includes(k)) return runtime(`The field '${k}' is not supported by the HTTP Task (expected ${FIELDS.join(', ')}).`);
    const { ApiEndpoint, Method, Authentication, Headers, QueryParameters, RequestBody, Transform } = input;
    if (typeof ApiEndpoint !== 'string' || ApiEndpoint === '') return runtime("The field 'ApiEndpoint' is required and must be a string.");
    let url: URL;
    try {
      url = new URL(ApiEndpoint);
    } catch {
      return runtime(`The ApiEndpoint '${ApiEndpoint}' is not a valid URL.`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return runtime(`The ApiEndpoint '${ApiEndpoint}' must be an http(s) URL.`);
    if (typeof Method !== 'string' || !METHODS.includes(Method.toUpperCase())) return runtime(`The field 'Method' must be one of ${METHODS.join(', ')}.`);
    const method = Method.toUpperCase();
    if (!isObject(Authentication) || typeof Authentication.ConnectionArn !== 'string') return runtime("The field 'Authentication.ConnectionArn' is required (an EventBridge connection ARN).");
    for (const k of Object.keys(Authentication)) if (k !== 'ConnectionArn') return runtime(`The field 'Authentication.${k}' is not supported by the HTTP Task.`);
    const connection = this.config.connections.get(Authentication.ConnectionArn);
    if (!connection)
      return runtime(
        `The connection '${Authentication.ConnectionArn}' is not in the Stepwise config file${this.config.file ? ` (${this.config.file})` : ''}: map it under 'connections' to the credentials it holds.`,
      );

    const headers: Record<string, string> = {};
    if (Headers !== undefined) {
      if (!isObject(Headers)) return runtime("The field 'Headers' must be an object.");
      for (const [k, v] of Object.entries(Headers)) {
        const lk = k.toLowerCase();
        if (REFUSED_HEADERS.has(lk) || REFUSED_PREFIXES.some((px) => lk.startsWith(px))) return runtime(`The 'Headers' field contains unsupported values: [${lk}]`);
        if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') return runtime(`The header '${k}' must have a string value.`);
        headers[lk] = String(v);
      }
    }
    if (QueryParameters !== undefined) {
      if (!isObject(QueryParameters)) return runtime("The field 'QueryParameters' must be an object.");
      for (const [k, v] of Object.entries(QueryParameters)) {
        if (Array.isArray(v)) for (const e of v) url.searchParams.append(k, scalar(e));
        else url.searchParams.append(k, scalar(v));
      }
    }
    let encoding: 'NONE' | 'URL_ENCODED' = 'NONE';
    let arrayFormat: ArrayFormat = 'INDICES';
    if (Transform !== undefined) {
      if (!isObject(Transform)) return runtime("The field 'Transform' must be an object.");
      for (const k of Object.keys(Transform)) if (k !== 'RequestBodyEncoding' && k !== 'RequestEncodingOptions') return runtime(`The field 'Transform.${k}' is not supported.`);
      const e = Transform.RequestBodyEncoding;
      if (e !== undefined && e !== 'NONE' && e !== 'URL_ENCODED') return runtime("The field 'Transform.RequestBodyEncoding' must be NONE or URL_ENCODED.");
      if (e !== undefined) encoding = e;
      const o = Transform.RequestEncodingOptions;
      if (o !== undefined) {
        if (!isObject(o) || Object.keys(o).some((k) => k !== 'ArrayFormat')) return runtime("The field 'Transform.RequestEncodingOptions' must be an object with ArrayFormat.");
        if (!ARRAY_FORMATS.includes(o.ArrayFormat as ArrayFormat)) return runtime(`The field 'Transform.RequestEncodingOptions.ArrayFormat' must be one of ${ARRAY_FORMATS.join(', ')}.`);
        arrayFormat = o.ArrayFormat as ArrayFormat;
        if (encoding !== 'URL_ENCODED') return runtime("'Transform.RequestEncodingOptions' applies only with 'RequestBodyEncoding': 'URL_ENCODED'.");
      }
    }

    // The connection's invocation parameters are merged in; on the same key, the connection's value wins.
    const inv = connection.invocation;
    for (const h of inv.headers) headers[h.key.toLowerCase()] = h.value;
    for (const q of inv.query) url.searchParams.set(q.key, q.value);
    let body: Json | undefined = RequestBody;
    if (inv.body.length) {
      if (body === undefined) body = {};
      if (isObject(body)) body = { ...body, ...Object.fromEntries(inv.body.map((b) => [b.key, b.value])) };
    }
    let text: string | undefined;
    if (body !== undefined && method !== 'GET' && method !== 'HEAD') {
      if (encoding === 'URL_ENCODED') {
        if (!isObject(body)) return runtime("'RequestBodyEncoding': 'URL_ENCODED' needs 'RequestBody' to be an object.");
        text = urlEncode(body, arrayFormat);
        headers['content-type'] = 'application/x-www-form-urlencoded';
      } else {
        text = typeof body === 'string' ? body : JSON.stringify(body);
        headers['content-type'] ??= typeof body === 'string' ? 'text/plain; charset=UTF-8' : 'application/json; charset=UTF-8';
      }
    } else if (body !== undefined) return runtime(`A ${method} request has no body: remove 'RequestBody'.`);
    headers['user-agent'] = `Amazon|StepFunctions|HttpInvoke|${ctx.region}`;
    const out: Prepared = { ok: true, method, url, headers, connection };
    if (text !== undefined) out.body = text;
    return out;
  }

  async call(p: Extract<Prepared, { ok: true }>, ctx: TaskContext): Promise<{ ok: true; output: Json } | { ok: false; error: string; cause: string }> {
    let auth: Record<string, string>;
    try {
      auth = await this.#authHeaders(p.connection, false, ctx);
    } catch (e) {
      return { ok: false, error: 'States.Runtime', cause: (e as Error).message };
    }
    let r = await this.#send(p, auth, ctx);
    if (r.ok && r.status === 401 && p.connection.auth.kind === 'OAUTH_CLIENT_CREDENTIALS') {
      // The token may have been revoked or expired early: fetch a new one and try once more.
      try {
        auth = await this.#authHeaders(p.connection, true, ctx);
      } catch (e) {
        return { ok: false, error: 'States.Runtime', cause: (e as Error).message };
      }
      r = await this.#send(p, auth, ctx);
    }
    if (!r.ok) return { ok: false, error: 'States.Http.Socket', cause: r.message };
    const output: JsonObject = { Headers: r.headers, ResponseBody: r.body, StatusCode: r.status, StatusText: r.statusText };
    if (r.status >= 200 && r.status < 300) return { ok: true, output };
    return { ok: false, error: `States.Http.StatusCode.${r.status}`, cause: JSON.stringify(output) };
  }

  async #authHeaders(c: Connection, refresh: boolean, ctx: TaskContext): Promise<Record<string, string>> {
    const a = c.auth;
    switch (a.kind) {
      case 'API_KEY':
        return { [a.name.toLowerCase()]: a.value };
      case 'BASIC':
        return { authorization: `Basic ${Buffer.from(`${a.username}:${a.password}`).toString('base64')}` };
      case 'OAUTH_CLIENT_CREDENTIALS':
        return { authorization: `Bearer ${await this.#tokens.token(c.arn, a, refresh, ctx.cancel.signal, this.opts.timeoutMs ?? HTTP_TASK_TIMEOUT_MS)}` };
    }
  }

  async #send(
    p: Extract<Prepared, { ok: true }>,
    auth: Record<string, string>,
    ctx: TaskContext,
  ): Promise<{ ok: true; status: number; statusText: string; headers: JsonObject; body: Json } | { ok: false; message: string }> {
    const headers = { ...p.headers, ...auth };
    const exchange: HttpExchange = {
      request: { protocol: p.url.protocol.slice(0, -1), method: p.method, url: p.url.toString(), headers: headerText(headers), body: p.body ?? '' },
      secrets: Object.values(auth),
    };
    const report = () => {
      this.opts.onExchange?.(ctx, exchange);
      ctx.onHttpExchange?.(exchange);
    };
    const signal = AbortSignal.any([ctx.cancel.signal, AbortSignal.timeout(this.opts.timeoutMs ?? HTTP_TASK_TIMEOUT_MS)]);
    try {
      const res = await fetch(p.url, { method: p.method, headers, body: p.body, signal, redirect: 'manual' });
      const text = await res.text();
      const out: JsonObject = {};
      for (const [k, v] of res.headers) (out[k] ??= []) && (out[k] as Json[]).push(v);
      if (typeof res.headers.getSetCookie === 'function' && res.headers.getSetCookie().length) out['set-cookie'] = res.headers.getSetCookie();
      let body: Json = text;
      if (/[/+]json\b/i.test(res.headers.get('content-type') ?? '') && text !== '') {
        try {
          body = JSON.parse(text) as Json;
        } catch {
          body = text;
        }
      }
      exchange.response = {
        protocol: exchange.request.protocol,
        statusCode: String(res.status),
        statusMessage: res.statusText,
        headers: [...res.headers].map(([k, v]) => `${k}: ${v}`).join('\n'),
        body: text,
      };
      report();
      return { ok: true, status: res.status, statusText: res.statusText, headers: out, body };
    } catch (e) {
      report();
      const err = e as Error & { cause?: { code?: string; message?: string } };
      if (err.name === 'TimeoutError') return { ok: false, message: `The request to ${p.url.origin} timed out after ${(this.opts.timeoutMs ?? HTTP_TASK_TIMEOUT_MS) / 1000} seconds.` };
      const why = err.cause?.code ? `${err.cause.code}${err.cause.message ? `: ${err.cause.message}` : ''}` : err.message;
      return { ok: false, message: `The request to ${p.url.origin} failed: ${why}` };
    }
  }
}

function scalar(v: Json): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function headerText(h: Record<string, string>): string {
  return Object.entries(h)
    .map(([k, v]) => `${k}: ${v}`)
    .join('\n');
}
