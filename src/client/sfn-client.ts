/**
 * A tiny client for the AWS Step Functions JSON protocol (awsJson1_0) over `fetch`: Stepwise's server
 * by default, or AWS itself when given credentials (requests are then signed with SigV4).
 * @module
 */
import { signRequest, type AwsCredentials } from './sigv4.js';

export type { AwsCredentials } from './sigv4.js';

/** Where a client goes when no endpoint is given (and no credentials point it at AWS). */
export const DEFAULT_ENDPOINT = 'http://127.0.0.1:8083';

export interface SfnClientOptions {
  /**
   * The API's URL. Default: `STEPWISE_ENDPOINT`, else `https://states.<region>.amazonaws.com` when
   * credentials are given, else `http://127.0.0.1:8083`.
   */
  endpoint?: string;
  /** The signing region (and the AWS endpoint's). Default: `AWS_REGION`, `AWS_DEFAULT_REGION`, else `us-east-1`. */
  region?: string;
  /** Sign requests with SigV4 (service `states`). Without credentials requests go unsigned. */
  credentials?: AwsCredentials;
}

export interface CallOptions {
  signal?: AbortSignal;
}

/** An error answer of the API: `name` is its `__type` (without a `namespace#` prefix). */
export class SfnError extends Error {
  constructor(
    name: string,
    message: string,
    readonly httpStatus: number,
  ) {
    super(message);
    this.name = name;
  }
}

const JSON_TYPE = 'application/x-amz-json-1.0';

export class SfnClient {
  readonly endpoint: string;
  readonly region: string;
  readonly #credentials: AwsCredentials | undefined;
  readonly #url: URL;

  constructor(opts: SfnClientOptions = {}) {
    this.region = opts.region ?? (process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION || 'us-east-1');
    this.#credentials = opts.credentials;
    this.endpoint = opts.endpoint ?? process.env.STEPWISE_ENDPOINT ?? (opts.credentials ? `https://states.${this.region}.amazonaws.com` : DEFAULT_ENDPOINT);
    this.#url = new URL(this.endpoint); // an invalid endpoint fails here, not at the first call
  }

  /**
   * Calls an operation (`StartExecution`, `GetActivityTask`…) and returns its parsed JSON answer. Throws an
   * `SfnError` for an error answer; network failures and aborts reject as `fetch` does.
   */
  async call<T = Record<string, unknown>>(operation: string, params: object = {}, opts: CallOptions = {}): Promise<T> {
    const url = this.#url;
    const body = JSON.stringify(params);
    let headers: Record<string, string> = { 'content-type': JSON_TYPE, 'x-amz-target': `AWSStepFunctions.${operation}` };
    if (this.#credentials) headers = signRequest({ method: 'POST', url, headers, body }, { credentials: this.#credentials, region: this.region, service: 'states' }).headers;
    const res = await fetch(url, { method: 'POST', headers, body, signal: opts.signal });
    const text = await res.text();
    let json: unknown;
    try {
      json = text.trim() === '' ? {} : JSON.parse(text);
    } catch {
      json = undefined;
    }
    if (res.ok && json !== undefined) return json as T;
    throw errorOf(res, json, text);
  }
}

function errorOf(res: Response, json: unknown, text: string): SfnError {
  const body = (json && typeof json === 'object' ? json : {}) as Record<string, unknown>;
  // AWS may send the type as `namespace#Name` in the body, or as `Name:uri` in X-Amzn-ErrorType.
  const type = typeof body.__type === 'string' && body.__type ? body.__type : (res.headers.get('x-amzn-errortype')?.split(':')[0] ?? '');
  const name = type.slice(type.lastIndexOf('#') + 1) || (res.ok ? 'InvalidResponse' : `Http${res.status}`);
  const msg = typeof body.message === 'string' ? body.message : typeof body.Message === 'string' ? body.Message : text.slice(0, 1000) || res.statusText;
  return new SfnError(name, msg, res.status);
}
