/**
 * Request authentication, when credentials are configured: every API request must carry an AWS Signature
 * Version 4 (as the AWS CLI and SDKs send it) made with one of them. The signature is checked by signing
 * the request again with `@smithy/signature-v4` (the SDK's own signer) with the same date, scope and
 * signed headers, and comparing. Failures are AWS's: no signature `MissingAuthenticationTokenException`,
 * an unknown access key `UnrecognizedClientException`, a wrong signature or a date more than 15 minutes
 * off `InvalidSignatureException`.
 * @module
 */
import type { IncomingMessage } from 'node:http';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createHash, timingSafeEqual } from 'node:crypto';
import { Sha256 } from '../shared/sha256.js';
import { ApiError } from './errors.js';

export interface Credential {
  accessKeyId: string;
  secretAccessKey: string;
}

/** AWS's allowance between the request's date and the server's clock. */
const MAX_SKEW_MS = 15 * 60 * 1000;

const AUTH_RE = /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;_.-]+),\s*Signature=([0-9a-f]{64})$/;

interface SignerCtor {
  new (o: { service: string; region: string; credentials: Credential; sha256: unknown; applyChecksum: boolean; uriEscapePath: boolean }): {
    sign(req: unknown, o: { signingDate: Date; signingRegion: string; signingService: string; signableHeaders: Set<string> }): Promise<{ headers: Record<string, string> }>;
  };
}

const loadSigner = (): SignerCtor => (createRequire(import.meta.url)('@smithy/signature-v4') as { SignatureV4: SignerCtor }).SignatureV4;

/** `20261208T001500Z` → its Date, or undefined. */
function amzDate(s: string | undefined): Date | undefined {
  const m = s && /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  if (!m) return undefined;
  return new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!));
}

const compact = (d: Date) => d.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');

export class RequestAuthenticator {
  readonly #secrets: Map<string, string>;
  #Signer: SignerCtor | undefined;

  constructor(
    credentials: readonly Credential[],
    private readonly now: () => number = Date.now,
  ) {
    this.#secrets = new Map(credentials.map((c) => [c.accessKeyId, c.secretAccessKey]));
  }

  get size(): number {
    return this.#secrets.size;
  }

  /** Undefined when the request is signed by one of the credentials; else the error to answer. */
  async check(req: IncomingMessage, body: string): Promise<ApiError | undefined> {
    const header = req.headers.authorization;
    if (typeof header !== 'string' || header === '') return new ApiError('MissingAuthenticationTokenException', 'Missing Authentication Token', 403);
    const m = AUTH_RE.exec(header.trim());
    if (!m) return new ApiError('IncompleteSignatureException', `Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' parameters, in the AWS4-HMAC-SHA256 form.`, 403);
    const [, accessKeyId, day, region, service, signedList, signature] = m;
    const secret = this.#secrets.get(accessKeyId!);
    if (secret === undefined) return new ApiError('UnrecognizedClientException', 'The security token included in the request is invalid.', 400);
    const dateHeader = req.headers['x-amz-date'];
    const date = amzDate(typeof dateHeader === 'string' ? dateHeader : undefined);
    if (!date || compact(date).slice(0, 8) !== day) return new ApiError('IncompleteSignatureException', 'The request must contain an X-Amz-Date header matching the date of its credential scope.', 400);
    const now = this.now();
    if (Math.abs(now - date.getTime()) > MAX_SKEW_MS) {
      const nowText = compact(new Date(now));
      const bound = compact(new Date(now + (date.getTime() < now ? -MAX_SKEW_MS : MAX_SKEW_MS)));
      const rel = date.getTime() < now ? `is now earlier than ${bound} (${nowText} - 15 min.)` : `is now later than ${bound} (${nowText} + 15 min.)`;
      return new ApiError('InvalidSignatureException', `Signature expired: ${compact(date)} ${rel}`, 400);
    }
    // The payload hash a client sends is what the signature covers: it must be the body's.
    const declared = req.headers['x-amz-content-sha256'];
    if (declared !== undefined && declared !== createHash('sha256').update(body, 'utf8').digest('hex')) {
      return new ApiError('InvalidSignatureException', signatureMismatch, 400);
    }
    const signed = signedList!.split(';');
    const headers: Record<string, string> = {};
    for (const h of signed) {
      const v = req.headers[h];
      if (v === undefined) return new ApiError('InvalidSignatureException', signatureMismatch, 400);
      headers[h] = Array.isArray(v) ? v.join(',') : v;
    }
    const url = new URL(req.url ?? '/', 'http://placeholder');
    const query: Record<string, string | string[]> = {};
    for (const [k, v] of url.searchParams) {
      const had = query[k];
      query[k] = had === undefined ? v : Array.isArray(had) ? [...had, v] : [had, v];
    }
    const Signer = (this.#Signer ??= loadSigner());
    const signer = new Signer({ service: service!, region: region!, credentials: { accessKeyId: accessKeyId!, secretAccessKey: secret }, sha256: Sha256, applyChecksum: false, uriEscapePath: true });
    const again = await signer.sign(
      { method: req.method ?? 'POST', protocol: 'http:', hostname: String(req.headers.host ?? '').replace(/:\d+$/, ''), path: url.pathname, query, headers, body },
      { signingDate: date, signingRegion: region!, signingService: service!, signableHeaders: new Set(signed) },
    );
    const expected = /Signature=([0-9a-f]{64})/.exec(again.headers.authorization ?? '')?.[1];
    if (!expected || !timingSafeEqual(Buffer.from(expected), Buffer.from(signature!))) return new ApiError('InvalidSignatureException', signatureMismatch, 400);
    return undefined;
  }
}

const signatureMismatch =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

/**
 * The credentials requests must be signed with: `--auth FILE` (JSON: `{"credentials": [{"accessKeyId",
 * "secretAccessKey"}, …]}`), or `STEPWISE_ACCESS_KEY_ID` with `STEPWISE_SECRET_ACCESS_KEY`; none when
 * neither is given.
 */
export function credentialsFrom(file: string | undefined, env: NodeJS.ProcessEnv): Credential[] {
  const out: Credential[] = [];
  if (file !== undefined) {
    let v: unknown;
    try {
      v = JSON.parse(readFileSync(file, 'utf8'));
    } catch (e) {
      throw new Error(`--auth ${file}: ${(e as Error).message}`);
    }
    const list = (v as { credentials?: unknown })?.credentials;
    if (!Array.isArray(list) || list.length === 0) throw new Error(`--auth ${file}: expected {"credentials": [{"accessKeyId": "…", "secretAccessKey": "…"}, …]} with at least one`);
    list.forEach((c, i) => {
      const k = (c as Partial<Credential>)?.accessKeyId;
      const s = (c as Partial<Credential>)?.secretAccessKey;
      if (typeof k !== 'string' || k === '' || typeof s !== 'string' || s === '') throw new Error(`--auth ${file}: credentials[${i}] needs a non-empty accessKeyId and secretAccessKey`);
      out.push({ accessKeyId: k, secretAccessKey: s });
    });
  }
  const k = env.STEPWISE_ACCESS_KEY_ID;
  const s = env.STEPWISE_SECRET_ACCESS_KEY;
  if ((k === undefined) !== (s === undefined)) throw new Error('STEPWISE_ACCESS_KEY_ID and STEPWISE_SECRET_ACCESS_KEY go together');
  if (k && s) out.push({ accessKeyId: k, secretAccessKey: s });
  return out;
}
