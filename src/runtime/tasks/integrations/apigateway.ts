/**
 * `arn:aws:states:::apigateway:invoke` (request-response and `.waitForTaskToken`): calls an API Gateway
 * endpoint, `https://{ApiEndpoint}/{Stage}/{Path}`, with AWS's request fields (`ApiEndpoint`, `Method`,
 * `Headers`, `Stage`, `Path`, `QueryParameters`, `RequestBody`, `AllowNullValues`, `AuthType`). Headers and
 * query parameters take a list of values per key. `AuthType` `IAM_ROLE` (and `RESOURCE_POLICY`, which AWS
 * signs as the Step Functions service) signs the request with SigV4 for `execute-api` through
 * `@smithy/signature-v4`, with the standard credential chain or the Task's `Credentials.RoleArn`.
 *
 * Where the call goes: an `ApiEndpoint` given as an `http://` or `https://` URL is used as it is (a local
 * server); otherwise `AWS_ENDPOINT_URL_EXECUTE_API`, when set, takes every call; otherwise the API's own host.
 * Output as AWS gives it: `ResponseBody` (parsed when JSON), `Headers` (lists of values), `StatusCode`,
 * `StatusText`. A non-2xx answer fails the task with `ApiGateway.<status>` and the response body as the
 * cause; no answer at all with `ApiGateway.SdkClientException`.
 * @module
 */
import { Sha256 } from '../../../shared/sha256.js';
import { createRequire } from 'node:module';
import { isObject, type Json, type JsonObject } from '../../../shared/json.js';
import { reportOutcome, type InvokeTask, type TaskCallbacks, type TaskContext, type TaskInvoker } from '../types.js';
import { AwsClients } from './aws/clients.js';
import { roleOf } from './aws/call.js';

const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS'];
const FIELDS = ['ApiEndpoint', 'Method', 'Headers', 'Stage', 'Path', 'QueryParameters', 'RequestBody', 'AllowNullValues', 'AuthType'];
const AUTH_TYPES = ['NO_AUTH', 'IAM_ROLE', 'RESOURCE_POLICY'] as const;
type AuthType = (typeof AUTH_TYPES)[number];

/** Header keys AWS does not permit (lower case), and these prefixes. */
const REFUSED_HEADERS = new Set([
  'authorization', 'connection', 'content-md5', 'expect', 'host', 'max-forwards', 'proxy-authenticate', 'server', 'te',
  'transfer-encoding', 'trailer', 'upgrade', 'via', 'www-authenticate',
]);
const REFUSED_PREFIXES = ['x-forwarded', 'x-amz', 'x-amzn'];

/** No answer within this long fails the task (API Gateway itself gives up after 29 seconds). */
export const API_GATEWAY_TIMEOUT_MS = 60_000;

export interface ApiGatewayOptions {
  /** The environment read for `AWS_ENDPOINT_URL_EXECUTE_API` (default: process.env). */
  env?: Record<string, string | undefined>;
  timeoutMs?: number;
}

interface Request {
  method: string;
  url: URL;
  /** Lower-case names; a list of values each. */
  headers: Record<string, string[]>;
  body?: string;
  auth: AuthType;
  /** The region the signature is for: the API's (from its host name), else the state machine's. */
  region: string;
}

type Prepared = { ok: true; req: Request } | { ok: false; cause: string };
const refuse = (cause: string): Prepared => ({ ok: false, cause });

/** A list of values (a header's, a query parameter's): AWS takes a list; one value is taken as a list of one. */
function values(v: Json, what: string): string[] | string {
  const list = Array.isArray(v) ? v : [v];
  const out: string[] = [];
  for (const e of list) {
    if (typeof e === 'string') out.push(e);
    else if (typeof e === 'number' || typeof e === 'boolean') out.push(String(e));
    else return `The ${what} must be a list of strings.`;
  }
  return out;
}

/** The value without its null object members (at any depth): AWS's default, AllowNullValues false. */
function withoutNulls(v: Json): Json {
  if (Array.isArray(v)) return v.map(withoutNulls);
  if (isObject(v)) {
    const o: JsonObject = {};
    for (const [k, x] of Object.entries(v)) if (x !== null) o[k] = withoutNulls(x);
    return o;
  }
  return v;
}

export class ApiGatewayInvoker implements TaskInvoker {
  readonly #env: Record<string, string | undefined>;
  constructor(
    private readonly clients: AwsClients = new AwsClients(),
    private readonly opts: ApiGatewayOptions = {},
  ) {
    this.#env = opts.env ?? process.env;
  }

  invoke(cmd: InvokeTask, ctx: TaskContext, cb: TaskCallbacks): void {
    const res = cmd.resource;
    if (res.kind === 'service' && (res.pattern === 'sync' || res.pattern === 'sync2')) {
      cb.failed('States.Runtime', `The resource '${res.arn}' is not supported: apigateway:invoke has request-response and .waitForTaskToken.`);
      return;
    }
    const p = this.prepare(cmd.input, ctx);
    if (!p.ok) return cb.failed('States.Runtime', p.cause);
    reportOutcome(this.call(p.req, cmd, ctx), ctx, cb);
  }

  prepare(input: Json, ctx: TaskContext): Prepared {
    if (!isObject(input)) return refuse('apigateway:invoke needs its Parameters (Arguments) to be an object with ApiEndpoint and Method.');
    for (const k of Object.keys(input)) if (!FIELDS.includes(k)) return refuse(`The field '${k}' is not supported by apigateway:invoke (expected ${FIELDS.join(', ')}).`);
    const { ApiEndpoint, Method, Headers, Stage, Path, QueryParameters, RequestBody, AllowNullValues, AuthType } = input;
    if (typeof ApiEndpoint !== 'string' || ApiEndpoint === '') return refuse("The field 'ApiEndpoint' is required: the API's host name, <API ID>.execute-api.<region>.amazonaws.com.");
    if (typeof Method !== 'string' || !METHODS.includes(Method)) return refuse(`The field 'Method' must be one of ${METHODS.join(', ')}.`);
    if (Stage !== undefined && (typeof Stage !== 'string' || Stage.includes('/'))) return refuse("The field 'Stage' must be a stage name (a string without '/').");
    if (Path !== undefined && typeof Path !== 'string') return refuse("The field 'Path' must be a string.");
    if (AllowNullValues !== undefined && typeof AllowNullValues !== 'boolean') return refuse("The field 'AllowNullValues' must be true or false.");
    if (AuthType !== undefined && !AUTH_TYPES.includes(AuthType as AuthType)) return refuse(`The field 'AuthType' must be one of ${AUTH_TYPES.join(', ')}.`);

    let base: URL;
    const override = this.#env.AWS_ENDPOINT_URL_EXECUTE_API;
    try {
      if (/^https?:\/\//i.test(ApiEndpoint)) base = new URL(ApiEndpoint);
      else {
        if (!/^[A-Za-z0-9.-]+(:\d+)?$/.test(ApiEndpoint)) return refuse(`The ApiEndpoint '${ApiEndpoint}' is not a host name (<API ID>.execute-api.<region>.amazonaws.com).`);
        base = new URL(override || `https://${ApiEndpoint}`);
      }
    } catch {
      return refuse(`The ApiEndpoint '${ApiEndpoint}' (or AWS_ENDPOINT_URL_EXECUTE_API) is not a valid URL.`);
    }
    const segments = [...base.pathname.split('/'), Stage ?? '', ...(Path ?? '').split('/')].filter((s) => s !== '');
    const url = new URL(base.origin);
    url.pathname = `/${segments.map((s) => encodeURIComponent(s)).join('/')}`;

    if (QueryParameters !== undefined) {
      if (!isObject(QueryParameters)) return refuse("The field 'QueryParameters' must be an object of lists of strings.");
      for (const [k, v] of Object.entries(QueryParameters)) {
        const vs = values(v, `query parameter '${k}'`);
        if (typeof vs === 'string') return refuse(vs);
        for (const x of vs) url.searchParams.append(k, x);
      }
    }
    const headers: Record<string, string[]> = {};
    if (Headers !== undefined) {
      if (!isObject(Headers)) return refuse("The field 'Headers' must be an object of lists of strings.");
      const refused = Object.keys(Headers)
        .map((k) => k.toLowerCase())
        .filter((k) => REFUSED_HEADERS.has(k) || REFUSED_PREFIXES.some((px) => k.startsWith(px)));
      if (refused.length) return refuse(`The 'Headers' field contains unsupported values: [${refused.join(', ')}]`);
      for (const [k, v] of Object.entries(Headers)) {
        const vs = values(v, `header '${k}'`);
        if (typeof vs === 'string') return refuse(vs);
        (headers[k.toLowerCase()] ??= []).push(...vs);
      }
    }
    let body: string | undefined;
    if (RequestBody !== undefined && RequestBody !== null) {
      const value = AllowNullValues === true ? RequestBody : withoutNulls(RequestBody);
      const empty = value === '' || (isObject(value) && Object.keys(value).length === 0);
      if (Method === 'GET' || Method === 'HEAD') {
        if (!empty) return refuse(`A ${Method} request has no body: remove 'RequestBody' (or leave it empty).`);
      } else {
        body = typeof value === 'string' ? value : JSON.stringify(value);
        headers['content-type'] ??= [typeof value === 'string' ? 'text/plain; charset=UTF-8' : 'application/json; charset=UTF-8'];
      }
    }
    const hostRegion = /\.execute-api\.([a-z0-9-]+)\.amazonaws\.com/.exec(ApiEndpoint)?.[1];
    return { ok: true, req: { method: Method, url, headers, body, auth: (AuthType as AuthType | undefined) ?? 'NO_AUTH', region: hostRegion ?? ctx.region } };
  }

  async call(req: Request, cmd: InvokeTask, ctx: TaskContext): Promise<{ ok: true; output: JsonObject } | { ok: false; error: string; cause: string }> {
    const headers = new Headers();
    for (const [k, vs] of Object.entries(req.headers)) for (const v of vs) headers.append(k, v);
    if (req.auth !== 'NO_AUTH') {
      const signed = await this.#sign(req, cmd, ctx);
      if (!signed.ok) return { ok: false, error: 'States.Runtime', cause: signed.cause };
      for (const [k, v] of Object.entries(signed.headers)) headers.set(k, v);
    }
    const timeoutMs = this.opts.timeoutMs ?? API_GATEWAY_TIMEOUT_MS;
    const signal = AbortSignal.any([ctx.cancel.signal, AbortSignal.timeout(timeoutMs)]);
    let res: Response;
    let text: string;
    try {
      res = await fetch(req.url, { method: req.method, headers, body: req.body, signal, redirect: 'manual' });
      text = await res.text();
    } catch (e) {
      const err = e as Error & { cause?: { code?: string; message?: string } };
      if (err.name === 'TimeoutError') return { ok: false, error: 'ApiGateway.SdkClientException', cause: `The request to ${req.url.origin} timed out after ${timeoutMs / 1000} seconds.` };
      const why = err.cause?.code ? `${err.cause.code}${err.cause.message ? `: ${err.cause.message}` : ''}` : (err.cause?.message ?? err.message);
      return { ok: false, error: 'ApiGateway.SdkClientException', cause: `The request to ${req.url.origin} failed: ${why}` };
    }
    if (res.status < 200 || res.status >= 300) return { ok: false, error: `ApiGateway.${res.status}`, cause: text };
    const out: JsonObject = {};
    for (const [k, v] of res.headers) if (k !== 'set-cookie') out[k] = [v];
    const cookies = res.headers.getSetCookie();
    if (cookies.length) out['set-cookie'] = cookies;
    let body: Json = text;
    if (/[/+]json\b/i.test(res.headers.get('content-type') ?? '') && text !== '') {
      try {
        body = JSON.parse(text) as Json;
      } catch {
        body = text;
      }
    }
    return { ok: true, output: { Headers: out, ResponseBody: body, StatusCode: res.status, StatusText: res.statusText } };
  }

  async #sign(req: Request, cmd: InvokeTask, ctx: TaskContext): Promise<{ ok: true; headers: Record<string, string> } | { ok: false; cause: string }> {
    const Signer = loadSigner();
    if (!Signer) return { ok: false, cause: `AuthType ${req.auth} signs the request with SigV4, which needs the package @smithy/signature-v4: install it next to Stepwise (npm install @smithy/signature-v4).` };
    const role = roleOf(cmd);
    if (role instanceof Error) return { ok: false, cause: role.message };
    let credentials: unknown;
    try {
      credentials = await this.clients.credentialsFor(req.region, role);
    } catch (e) {
      return { ok: false, cause: `No AWS credentials to sign the request (AuthType ${req.auth}): ${(e as Error)?.message ?? String(e)}` };
    }
    const signer = new Signer({ service: 'execute-api', region: req.region, credentials, sha256: Sha256, applyChecksum: true });
    const query: Record<string, string | string[]> = {};
    for (const [k, v] of req.url.searchParams) {
      const had = query[k];
      query[k] = had === undefined ? v : Array.isArray(had) ? [...had, v] : [had, v];
    }
    const headers: Record<string, string> = { host: req.url.host };
    for (const [k, vs] of Object.entries(req.headers)) headers[k] = vs.join(', ');
    try {
      const signed = await signer.sign({
        method: req.method,
        protocol: req.url.protocol,
        hostname: req.url.hostname,
        port: req.url.port ? Number(req.url.port) : undefined,
        path: req.url.pathname,
        query,
        headers,
        body: req.body,
      });
      const out: Record<string, string> = {};
      for (const [k, v] of Object.entries(signed.headers)) if (k.toLowerCase() !== 'host') out[k] = v;
      return { ok: true, headers: out };
    } catch (e) {
      return { ok: false, cause: `The request could not be signed (AuthType ${req.auth}): ${(e as Error)?.message ?? String(e)}` };
    }
  }
}

interface SignerCtor {
  new (o: { service: string; region: string; credentials: unknown; sha256: unknown; applyChecksum: boolean }): {
    sign(r: { method: string; protocol: string; hostname: string; port?: number; path: string; query: Record<string, string | string[]>; headers: Record<string, string>; body?: string }): Promise<{
      headers: Record<string, string>;
    }>;
  };
}

let signerCache: SignerCtor | null | undefined;
/** `@smithy/signature-v4`'s SignatureV4 (it ships with the AWS SDK clients), or null when it is not installed. */
function loadSigner(): SignerCtor | null {
  if (signerCache !== undefined) return signerCache;
  try {
    const mod = createRequire(import.meta.url)('@smithy/signature-v4') as { SignatureV4?: SignerCtor };
    signerCache = mod.SignatureV4 ?? null;
  } catch {
    signerCache = null;
  }
  return signerCache;
}

