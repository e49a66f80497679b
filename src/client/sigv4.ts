/**
 * AWS Signature Version 4 (header form) with node:crypto: enough to sign the JSON requests of the Step
 * Functions API, and general enough (query strings, any method) to check against AWS's published examples.
 * @module
 */
import { createHash, createHmac } from 'node:crypto';

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface SignableRequest {
  method: string;
  url: string | URL;
  /** Headers to send and sign (any case); `host` comes from the URL. */
  headers: Record<string, string>;
  body: string;
}

export interface SigningParams {
  credentials: AwsCredentials;
  region: string;
  service: string;
  /** The signing time (default: now). */
  date?: Date;
}

const hmac = (key: string | Buffer, data: string): Buffer => createHmac('sha256', key).update(data, 'utf8').digest();
const sha256Hex = (data: string): string => createHash('sha256').update(data, 'utf8').digest('hex');

/** `kSigning`: HMAC("AWS4" + secret, date) → region → service → "aws4_request". */
export function signingKey(secretAccessKey: string, dateStamp: string, region: string, service: string): Buffer {
  const kDate = hmac(`AWS4${secretAccessKey}`, dateStamp);
  return hmac(hmac(hmac(kDate, region), service), 'aws4_request');
}

/** `20150830T123600Z` */
export function amzDate(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

/** RFC 3986 percent-encoding: everything but A-Z a-z 0-9 - _ . ~ */
function uriEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** The path, each segment encoded once more (SigV4 for every service but S3). */
function canonicalUri(url: URL): string {
  const path = url.pathname || '/';
  return path.split('/').map(uriEncode).join('/');
}

function canonicalQuery(url: URL): string {
  const pairs: [string, string][] = [];
  for (const part of url.search.replace(/^\?/, '').split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const rawKey = eq < 0 ? part : part.slice(0, eq);
    const rawValue = eq < 0 ? '' : part.slice(eq + 1);
    pairs.push([uriEncode(decodeURIComponent(rawKey)), uriEncode(decodeURIComponent(rawValue))]);
  }
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return pairs.map(([k, v]) => `${k}=${v}`).join('&');
}

export interface Signature {
  /** The headers to send: the request's own, `x-amz-date`, `x-amz-security-token` (with a session token) and `authorization`. */
  headers: Record<string, string>;
  canonicalRequest: string;
  stringToSign: string;
  signature: string;
}

/** Signs a request: its headers (lower-cased), plus host and x-amz-date, are the signed headers. */
export function signRequest(req: SignableRequest, params: SigningParams): Signature {
  const url = typeof req.url === 'string' ? new URL(req.url) : req.url;
  const { credentials, region, service } = params;
  const time = amzDate(params.date ?? new Date());
  const dateStamp = time.slice(0, 8);

  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) headers[k.toLowerCase()] = v;
  delete headers.authorization;
  headers['x-amz-date'] = time;
  if (credentials.sessionToken) headers['x-amz-security-token'] = credentials.sessionToken;

  const signed: Record<string, string> = { ...headers, host: url.host };
  const names = Object.keys(signed).sort();
  const canonicalHeaders = names.map((n) => `${n}:${signed[n]!.trim().replace(/\s+/g, ' ')}\n`).join('');
  const signedHeaders = names.join(';');

  const canonicalRequest = [req.method.toUpperCase(), canonicalUri(url), canonicalQuery(url), canonicalHeaders, signedHeaders, sha256Hex(req.body)].join('\n');
  const scope = `${dateStamp}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', time, scope, sha256Hex(canonicalRequest)].join('\n');
  const signature = createHmac('sha256', signingKey(credentials.secretAccessKey, dateStamp, region, service)).update(stringToSign, 'utf8').digest('hex');

  headers.authorization = `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
  return { headers, canonicalRequest, stringToSign, signature };
}
